"""From a raw table to a document of one kind: headers mapped, values parsed, and
every row either kept as a record or reported as an input problem."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from compliance.inputs.kinds import DocumentKind, Field, header_key
from compliance.inputs.model import Document, Location, Record
from compliance.inputs.problems import InputProblem
from compliance.inputs.raw import RawRow
from compliance.inputs.values import BadValue, is_blank

ROW_SHAPE = {
    "too_many_cells": "the row has {0} cells but the header has {1}",
    "too_few_cells": "the row has {0} cells but the header has {1}",
    "not_a_mapping": "a row must be a mapping of field names to values",
}
MAX_CELL = 10_000  # characters in one cell; longer is an INP001, not a record
CACHE_MAX = 4096
_MISS = object()
_BLANK = object()


class _Bad:
    """A cell its parser rejected (kept in the cache like a parsed value)."""

    __slots__ = ("expected", "text")

    def __init__(self, expected: str, text: str | None = None):
        self.expected = expected
        self.text = text  # the whole reason, when "expected …" does not fit


# Parsed values of repeated cells (grades, zones, enum names, yes/no) are reused across
# rows and tables of this process: parsers are pure, parsed values are not mutated.  A
# column's cache is dropped for good once it holds CACHE_MAX distinct cells (ids, names).
_SHARED: dict[tuple[str, str], tuple[Any, dict[str, Any]] | None] = {}


def _cache_for(kind: str, name: str, parser: Any) -> dict[str, Any] | None:
    key = (kind, name)
    if key not in _SHARED or (_SHARED[key] is not None and _SHARED[key][0] is not parser):
        _SHARED[key] = (parser, {})
    entry = _SHARED[key]
    return entry[1] if entry is not None else None


def _parse(parser: Any, value: Any) -> Any:
    """The parsed cell, ``_BLANK`` for an empty one, or a ``_Bad`` naming what was expected."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _BLANK
    if isinstance(value, str) and len(value) > MAX_CELL:
        # A cell of megabytes is no schedule entry: refused before a parser or a rule
        # gets to copy it around.
        return _Bad("", f"is {len(value)} characters long; at most {MAX_CELL} are read")
    try:
        return parser(value)
    except BadValue as exc:
        return _Bad(exc.expected)
    except Exception as exc:  # a plugin kind's parser with a defect: this cell only
        return _Bad("", f"cannot be read: its parser raised {type(exc).__name__}: {exc}")
CONSISTENCY = {
    "both_days_and_date": "a schedule entry has both `days` and `date`; give exactly one",
    "neither_days_nor_date": "a schedule entry has neither `days` nor `date`; give exactly one",
    "end_not_after_start": "the entry ends at or before it starts",
}


def columns_of(kind: DocumentKind, headers: list[str]) -> dict[str, Field]:
    """The known columns of a table by header (the first column of each field)."""
    return _columns(kind, headers)[0]


def _columns(kind: DocumentKind, headers: list[str]) -> tuple[dict[str, Field], list[str]]:
    columns: dict[str, Field] = {}
    twice: list[str] = []
    for index, header in enumerate(headers):
        spec = kind.by_header.get(header_key(header))
        if spec is None:
            continue
        first = next((h for h, f in columns.items() if f.name == spec.name), None)
        if first is not None or header in headers[:index]:
            # Two columns for one field (`start` and `开始时间`): which one the school
            # meant cannot be told, and checking either would let the other hide.
            twice.append(f"`{first or header}` and `{header}` both give `{spec.name}`")
        else:
            columns[header] = spec
    return columns, twice


def missing_columns(kind: DocumentKind, headers: list[str], default_school: str | None) -> list[str]:
    """The columns ``kind`` needs that ``headers`` lack (``school_id`` when no school is known)."""
    present = {f.name for f in columns_of(kind, headers).values()}
    missing = kind.missing_columns(present)
    if default_school is None and "school_id" not in present and kind.field("school_id"):
        missing.append("school_id")
    return missing


def normalize_table(
    kind: DocumentKind,
    headers: list[str],
    rows: Iterable[RawRow],
    doc: Document,
    problems: list[InputProblem],
    default_school: str | None,
    forced_school: bool = False,
) -> None:
    """Fill ``doc.records`` from ``rows``; append INP001/INP002/INP004 to ``problems``.

    :param default_school: the school the document belongs to (its folder, or
        ``--school``); rows may still name one in a ``school_id`` column when the
        document is not in a school folder.
    """
    columns, twice = _columns(kind, headers)
    if twice:
        counted = sum(1 for _ in rows)
        doc.rows_read += counted
        doc.rows_rejected += counted
        problems.append(InputProblem(
            "INP003", doc.loc.with_column(None),
            f"{'; '.join(twice)}: keep one column per field; {counted} row(s) not checked",
            doc.school_id, {}, {"rows": counted}))
        return
    missing = missing_columns(kind, headers, default_school)
    if missing:
        counted = sum(1 for _ in rows)
        doc.rows_read = counted
        doc.rows_rejected = counted
        problems.append(
            InputProblem(
                "INP002",
                doc.loc.with_column(None),
                f"missing column(s) {', '.join(missing)} in the {kind.name} document; "
                f"{counted} row(s) not checked",
                doc.school_id,
                {"columns": ", ".join(missing), "kind": kind.name},
                {"columns": missing, "rows": counted},
            )
        )
        return
    finish = kind.finish
    id_header = next((h for h, f in columns.items() if f.name == "school_id"), None)
    id_parser = columns[id_header].parser if id_header is not None else None
    plan = [(header, spec.name, spec.parser, spec.required, spec.default, slot)
            for slot, (header, spec) in enumerate(columns.items())]
    caches = [_cache_for(kind.name, spec.name, spec.parser) for spec in columns.values()]
    id_cache: dict[str, str | None] = {}
    # Fields the table has no column for still get their defaults (`written`: true).
    present = {spec.name for spec in columns.values()}
    absent = [(f.name, f.default) for f in kind.fields if f.name not in present and f.default is not None]
    file, sheet, kind_name = doc.loc.file, doc.loc.sheet, kind.name
    records = doc.records
    read = rejected = 0
    try:
        for raw in rows:
            read += 1
            loc = Location(file, raw.line, None, sheet)
            school_id = default_school
            bad = False
            if raw.problem:
                problems.append(
                    InputProblem("INP001", loc, _shape(raw.problem), school_id,
                                 {"column": "", "value": ""})
                )
                bad = True
            values: dict[str, object] = dict(absent)
            cells = raw.cells
            cell_lines = raw.cell_lines
            if id_parser is not None and not forced_school:
                cell = cells.get(id_header)
                if not is_blank(cell):
                    if cell.__class__ is str and cell in id_cache:
                        found = id_cache[cell]
                    else:
                        try:
                            found = str(id_parser(cell))
                        except Exception:  # unreadable here; reported with the cell below
                            found = None
                        if cell.__class__ is str and len(id_cache) < CACHE_MAX:
                            id_cache[cell] = found
                    if found is not None:
                        school_id = found
            for header, name, parser, required, default, slot in plan:
                value = cells.get(header)
                cache = caches[slot]
                if cache is not None and value.__class__ is str:
                    # one look-up answers blank / parsed / unreadable for a repeated cell
                    parsed = cache.get(value, _MISS)
                    if parsed is _MISS:
                        parsed = _parse(parser, value)
                        if len(cache) >= CACHE_MAX:
                            caches[slot] = _SHARED[(kind_name, name)] = None
                        else:
                            cache[value] = parsed
                else:
                    parsed = _parse(parser, value)
                if parsed is _BLANK:
                    if required:
                        problems.append(
                            InputProblem("INP001", _cell_loc(loc, cell_lines, header).with_column(name),
                                         f"the required value `{name}` is empty", school_id,
                                         {"column": name, "value": ""})
                        )
                        bad = True
                    values[name] = default
                    continue
                if parsed.__class__ is _Bad:
                    problems.append(
                        InputProblem(
                            "INP001",
                            _cell_loc(loc, cell_lines, header).with_column(name),
                            f"the value in `{name}` {parsed.text}" if parsed.text else
                            f"cannot read {_show(value)} in `{name}`: expected {parsed.expected}",
                            school_id,
                            {"column": name, "value": _show(value)},
                        )
                    )
                    bad = True
                    continue
                values[name] = parsed
            if school_id is None and id_header is not None and not bad:
                # No folder or --school says whose row this is, and the row does not either.
                problems.append(
                    InputProblem("INP001", loc.with_column("school_id"),
                                 "the required value `school_id` is empty", None,
                                 {"column": "school_id", "value": ""})
                )
                bad = True
            if not bad and finish is not None:
                try:
                    issue = finish(values)
                except Exception as exc:  # a plugin kind's row check with a defect
                    issue = f"the {kind.name} row check raised {type(exc).__name__}: {exc}"
                if issue is not None:
                    problems.append(
                        InputProblem("INP004", loc, CONSISTENCY.get(issue, issue), school_id,
                                     {"column": ""})
                    )
                    bad = True
            if bad:
                rejected += 1
                continue
            records.append(Record(kind_name, values, loc, school_id))
    finally:  # a broken file stops the rows mid-way: keep the count so far
        doc.rows_read += read
        doc.rows_rejected += rejected


def _cell_loc(loc: Location, cell_lines: dict[str, int | None] | None, header: str) -> Location:
    """The row's location, or the cell's own line when the reader knows it (YAML)."""
    if cell_lines and cell_lines.get(header) is not None:
        return Location(loc.file, cell_lines[header], None, loc.sheet)
    return loc


def _shape(problem: str) -> str:
    """The text for a reader's row problem (``too_many_cells:7:5``); a plugin's own as is."""
    key, *numbers = str(problem).split(":")
    try:
        return ROW_SHAPE[key].format(*numbers)
    except (KeyError, IndexError):
        return str(problem)


def _show(value: object) -> str:
    text = str(value)
    return repr(text[:40] + "…") if len(text) > 40 else repr(text)
