"""From what a run produced to its :class:`~compliance.outputs.report.Report`.

Both ways of checking — school by school (:func:`compliance.host.parallel.run_check`,
what ``Engine.check`` does) and all in memory (``Engine.check_loaded``) — gather an
:class:`Outcome` and hand it to :func:`build_report`, which runs the run-wide checks,
keeps the selected rules' findings and fills in the report.  What the report holds
is decided here once, so the two ways cannot drift apart.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any, overload

from compliance import __version__
from compliance.inputs.calendar_run import calendar_evidence
from compliance.inputs.problems import InputProblem
from compliance.inputs.safety import shown
from compliance.inputs.shaping import revealed
from compliance.outputs.report import Report, Skipped, rule_clauses, run_time
from compliance.outputs.spilled import FindingRuns
from compliance.rules.context import RunContext, RunState
from compliance.rules.finding import Finding

if TYPE_CHECKING:
    from compliance.host.engine import Engine

#: rule code prefixes whose findings are kept whatever ``--select``/``--ignore`` say
ALWAYS_ON = ("INP", "ERR")
#: bytes of one run-wide check's parts (pickled) held in memory before they go to disk
COLLECT_LIMIT = 4_000_000


def collect_limit() -> int | None:
    """``COMPLIANCE_SPILL_COLLECTED`` (bytes; ``0`` never spills) or :data:`COLLECT_LIMIT`."""
    from compliance.outputs.spilled import env_limit

    return env_limit("COMPLIANCE_SPILL_COLLECTED", COLLECT_LIMIT)


def _cannot_write(where: str, exc: OSError) -> Exception:
    from compliance.host.errors import UsageError

    return UsageError(f"{where}: cannot write what the run-wide checks collected to a "
                      f"temporary file: {exc.strerror or exc} (a city's parts wait there for "
                      "the run-wide checks; set TMPDIR to a folder with room)")


class SpilledParts(Sequence[Any]):
    """A run-wide check's parts read back from disk: each time it is iterated, one part
    at a time, in school-id order (``parts[i]`` reads part ``i`` alone); parts that
    came after something that does not pickle are held in memory (``tail``)."""

    def __init__(self, path: str, offsets: list[int], tail: list[Any], owner: Any):
        self._path = path
        self._offsets = offsets
        self._tail = tail
        self._owner = owner  # its folder lives as long as this

    def __len__(self) -> int:
        return len(self._offsets) + len(self._tail)

    def __iter__(self) -> Iterator[Any]:
        with open(self._path, "rb") as source:
            for _ in self._offsets:
                yield pickle.load(source)
        yield from self._tail

    @overload
    def __getitem__(self, index: int) -> Any: ...

    @overload
    def __getitem__(self, index: slice) -> list[Any]: ...

    def __getitem__(self, index: int | slice) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("part index out of range")
        if index >= len(self._offsets):
            return self._tail[index - len(self._offsets)]
        with open(self._path, "rb") as source:
            source.seek(self._offsets[index])
            return pickle.load(source)

    def __repr__(self) -> str:
        return f"<{len(self)} parts at {self._path}>"


class _Parts:
    """One run-wide check's parts, school after school: held pickled (what a worker sent,
    or pickled here) until they are ``limit`` bytes, then written to a file."""

    def __init__(self, owner: Collected, index: int):
        self.owner = owner
        self.index = index
        self.held: list[Any] = []  # pickled parts; parts themselves once ``pinned``
        self.size = 0
        self.pinned = False  # a part did not pickle: the rest are kept as they are
        self.path: str | None = None
        self.out: IO[bytes] | None = None
        self.offsets: list[int] = []

    def add(self, part: Any, pickled: bool) -> None:
        limit = self.owner.limit
        if limit is None or self.pinned:
            self.held.append(pickle.loads(part) if pickled else part)
            return
        if not pickled:
            try:
                part = pickle.dumps(part, pickle.HIGHEST_PROTOCOL)
            except Exception:  # kept in memory, as every part after it (for the order)
                self.held = [*(pickle.loads(p) for p in self.held), part]
                self.pinned = True
                return
        if self.out is not None:
            self._write(part)
            return
        self.held.append(part)
        self.size += len(part)
        if self.size >= limit:
            self.path = self.owner.new_file(self.index)
            held, self.held, self.size = self.held, [], 0
            for blob in held:
                self._write(blob)

    def _write(self, blob: bytes) -> None:
        assert self.path is not None
        try:
            if self.out is None:
                self.out = open(self.path, "wb")  # noqa: SIM115 (open until the last school)
            self.offsets.append(self.out.tell())
            self.out.write(blob)
        except OSError as exc:
            raise _cannot_write(os.path.dirname(self.path), exc) from None

    def parts(self) -> Sequence[Any]:
        if self.out is not None:
            try:
                self.out.close()
            except OSError as exc:
                raise _cannot_write(os.path.dirname(str(self.path)), exc) from None
            self.out = None
        if self.path is not None:
            return SpilledParts(self.path, self.offsets, self.held, self.owner)
        if not self.pinned and self.owner.limit is not None:  # under the limit: unpickled
            blobs, self.held = self.held, []
            self.held = [pickle.loads(blob) for blob in blobs]
            self.pinned = True
        return self.held


class Collected:
    """What the run-wide checks' ``collect`` gave, by check (its index in
    ``Engine._checks()``), school after school in school-id order.

    ``limit`` ``None`` keeps every part as it is (one list per check).  Otherwise parts
    are held pickled (a worker sends them so; a part collected in this process is
    pickled here) and, once a check's are ``limit`` bytes, written to a temporary file
    as they come; the check's ``finish`` then gets a :class:`SpilledParts`.  The files
    are removed by :meth:`close`, else when nothing refers to them, else at exit.
    """

    def __init__(self, limit: int | None = None):
        self.limit = limit
        self._checks: dict[int, _Parts] = {}
        self._folder: str | None = None
        self._finalizer: Callable[[], Any] | None = None

    def add(self, index: int, parts: Iterable[Any], pickled: bool = False) -> None:
        """``parts`` for check ``index`` from one school (``pickled``: as bytes)."""
        got = self._checks.get(index)
        if got is None:
            got = self._checks[index] = _Parts(self, index)
        for part in parts:
            got.add(part, pickled)

    def parts(self, index: int) -> Sequence[Any]:
        """Check ``index``'s parts: a list, or past the limit a :class:`SpilledParts`."""
        got = self._checks.get(index)
        return got.parts() if got is not None else []

    def new_file(self, index: int) -> str:
        if self._folder is None:
            try:
                self._folder = tempfile.mkdtemp(prefix="compliance-collected-")
            except OSError as exc:
                raise _cannot_write(tempfile.gettempdir(), exc) from None
            self._finalizer = weakref.finalize(self, shutil.rmtree, self._folder,
                                               ignore_errors=True)
        return os.path.join(self._folder, f"check-{index}.pickle")

    def close(self) -> None:
        """Remove the files now (spilled parts can no longer be read)."""
        for got in self._checks.values():
            if got.out is not None:
                got.out.close()
                got.out = None
        self._checks = {}
        if self._finalizer is not None:
            self._finalizer()


@dataclass
class Outcome:
    """What a run produced before its run-wide checks: every school read and checked.

    :param problems: the run's own input problems (the walk's: a bad ``school.yaml``,
        an unreadable file); the calendar files' are added by :func:`build_report`.
    :param findings: the schools' findings: their input problems, per-school and batch
        rules (held in memory, or past a limit written out as sorted runs).
    :param collected: per run-wide check (by its index in ``Engine._checks()``), what
        its ``collect`` gave for each school, in school-id order (:class:`Collected`).
    :param schools: school id -> name; the empty id (rows naming no school) is left out.
    :param file_notes: path -> :class:`~compliance.inputs.shaping.FileNotes`, rows in
        them masked as read (shown as written only with ``show_pii``).
    :param calendar_sources: each school's ``{year: CalendarSource}``.
    """

    problems: list[InputProblem] = field(default_factory=list)
    findings: FindingRuns = field(default_factory=FindingRuns)
    skipped: list[Skipped] = field(default_factory=list)
    collected: Collected = field(default_factory=Collected)
    schools: Mapping[str, str] = field(default_factory=dict)
    files: int = 0
    rows_read: int = 0
    rows_rejected: int = 0
    file_notes: dict[str, Any] = field(default_factory=dict)
    schedules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timetables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calendar_sources: Iterable[Mapping[int, Any]] = ()
    found_above: list[str] = field(default_factory=list)


def selected(engine: Engine) -> Callable[[Finding], bool]:
    """Whether a finding is kept in the report: its rule was selected, or it is an
    INP/ERR one."""
    active = engine.active
    return lambda f: f.code in active or f.code.startswith(ALWAYS_ON)


def build_report(engine: Engine, paths: Sequence[str], state: RunState,
                 outcome: Outcome) -> Report:
    """The run's report: ``outcome`` with the run-wide checks' findings, only the
    selected rules' findings (and every INP/ERR one) kept, sorted."""
    opts = engine.options
    rules = engine.registry.rules
    run = RunContext(rules, state)
    last: list[Finding] = []
    try:
        first = [engine._input_finding(p, state)
                 for p in [*engine.calendar_problems(), *outcome.problems]]
        outcome.findings.flush()  # the schools' findings out of memory, if a city's
        for index, (pack, check) in enumerate(engine._checks()):
            if check.scope == "run":
                parts = outcome.collected.parts(index)
                last.extend(engine._guard(pack, check, None, lambda c=check, p=parts:
                                          c.fn(run, p), state))
                del parts
    finally:  # what they collected is not needed any more (on disk: removed)
        outcome.collected.close()
    active = engine.active
    findings = outcome.findings.finish(first, last, selected(engine))
    return Report(
        tool={"name": "compliance", "version": __version__},
        profile=engine.settings.profile,
        lang=opts.lang,
        findings=findings,
        schools={sid: name for sid, name in outcome.schools.items() if sid},
        files=outcome.files,
        skipped=outcome.skipped,
        rows_read=outcome.rows_read,
        rows_rejected=outcome.rows_rejected,
        titles={code: meta.title for code, meta in rules.items()},
        schedules=outcome.schedules if opts.schedules else {},
        checked=sorted(active),
        timetables=outcome.timetables if opts.schedules else {},
        # rows quoted in notes are masked as read; shown as written only when asked
        file_notes=revealed(outcome.file_notes) if opts.show_pii else outcome.file_notes,
        calendar_sources=calendar_evidence(outcome.calendar_sources),
        found_above=outcome.found_above,
        clauses=rule_clauses(rules, opts.lang),
        generated_at=run_time(),
        inputs=[shown(p) for p in paths],
    )
