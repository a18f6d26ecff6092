"""Batch rules: one call over the tables of many schools at once.

A pack registers one with ``@pack.per_batch("XYZ001")``; it is called as
``fn(batch)`` with a :class:`BatchContext` for a batch of schools (the schools one
worker task checks, at most :data:`BATCH_SCHOOLS`), after their per-school checks and
while their tables are still in memory, so memory stays bounded by the batch::

    @pack.per_batch("XYZ001")
    def exam_admissions(batch):
        table = batch.table("enrollment", ["admission_basis"])   # pyarrow, every school
        hit = pc.indices_nonzero(pc.equal(table["admission_basis"], "exam"))
        for row in table.take(hit).to_pylist():
            yield batch.finding("XYZ001", row["school_id"], batch.location(row))

Every school of the run is in exactly one batch; which schools share a batch depends
on ``--jobs``, so a batch rule must judge each school on its own rows (whole-run
questions belong to ``pack.across_schools``).  Findings are merged in school-id order
like every other, so the report is the same for any ``--jobs``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from compliance.inputs.model import Location
from compliance.rules.finding import Finding

if TYPE_CHECKING:
    import pyarrow as pa

    from compliance.rules.context import RunState, SchoolContext
    from compliance.rules.metadata import RuleMeta

#: schools checked together when a batch rule is active (memory: this many schools)
BATCH_SCHOOLS = 16


class BatchContext:
    """What a batch rule sees: the schools of one batch, their tables as one, parameters."""

    def __init__(self, schools: Sequence[SchoolContext], rules: dict[str, RuleMeta],
                 state: RunState):
        self.schools = list(schools)
        self.rules = rules
        self.state = state
        self.lang = state.lang

    def params(self, code: str) -> dict[str, Any]:
        """The parameter values in force for ``code``."""
        return self.state.params(self.rules[code])

    def table(self, kind: str, names: Sequence[str]) -> pa.Table:
        """Every readable row of ``kind`` in the batch as one pyarrow table: the columns
        ``names`` (parsed values as pyarrow holds them: text, numbers, booleans, dates,
        times as minutes after midnight; grade scopes and weekday sets as their text),
        ``line``, ``school_id``, ``file`` and ``sheet``, in school and file order."""
        import pyarrow as pa

        parts = []
        for ctx in self.schools:
            for table in ctx.tables(kind):
                if not len(table):
                    continue
                part = _arrow(table, names)
                sources = table.sources()
                part = part.append_column("school_id", pa.array([ctx.school_id or ""] * len(part),
                                                                pa.string()))
                part = part.append_column("file", pa.array([f for f, _ in sources], pa.string()))
                parts.append(part.append_column("sheet", pa.array([s for _, s in sources],
                                                                  pa.string())))
        if not parts:
            fields = [pa.field(n, pa.string()) for n in names]
            return pa.schema([*fields, pa.field("line", pa.int64()), pa.field("school_id", pa.string()),
                              pa.field("file", pa.string()), pa.field("sheet", pa.string())]
                             ).empty_table()
        return pa.concat_tables(parts, promote_options="permissive")

    @staticmethod
    def location(row: dict[str, Any], column: str | None = None) -> Location:
        """Where a row of :meth:`table` (as a dict, e.g. from ``to_pylist()``) stands."""
        return Location(row["file"], row["line"], column, row.get("sheet"))

    def finding(self, code: str, school_id: str | None, loc: Location, *,
                subject: dict[str, Any] | None = None, **args: Any) -> Finding:
        """A finding of ``code`` for ``school_id`` at ``loc`` (as ``ctx.finding`` makes it)."""
        return self.state.make_finding(self.rules[code], loc, school_id or None, subject or {}, args)


def _arrow(table: Any, names: Sequence[str]) -> pa.Table:
    """``table.to_arrow(names)``, with a column pyarrow cannot hold as objects (a grade
    scope, a set of weekdays) given as each value's text."""
    import pyarrow as pa

    try:
        return table.to_arrow(list(names))
    except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
        pass
    columns = []
    for name in names:
        try:
            columns.append(table.to_arrow([name]).column(0))
        except (pa.ArrowInvalid, pa.ArrowTypeError, TypeError):
            columns.append(pa.array([None if v is None else str(v) for v in table.column(name)],
                                    pa.string()))
    return pa.table([*columns, pa.array(table.lines(), pa.int64())], names=[*names, "line"])
