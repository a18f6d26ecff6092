"""From a raw table to a document of one kind: headers mapped, values parsed, and
every row either kept as a record or reported as an input problem."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from compliance.host.interrupts import PLUGIN_FAULTS
from compliance.inputs.kinds import DocumentKind, Field, header_key
from compliance.inputs.model import Document, Location, Record
from compliance.inputs.periods import plugin_names_key
from compliance.inputs.personal import mask
from compliance.inputs.problems import InputProblem
from compliance.inputs.raw import RawRow
from compliance.inputs.reasons import Msg, kind_label
from compliance.inputs.values import BadValue, is_blank

#: a reader's row problems (``too_many_cells:7:5``): the reason and its values
ROW_SHAPE = {
    "too_many_cells": ("row.too_many_cells", "cells", "header"),
    "too_few_cells": ("row.too_few_cells", "cells", "header"),
    "not_a_mapping": ("row.not_a_mapping",),
}
MAX_CELL = 10_000  # characters in one cell; longer is an INP001, not a record
#: rejected rows of one table reported one by one; past this, they are counted into one
#: finding naming how many and their first and last lines (300 000 bad rows must not
#: become 300 000 findings and gigabytes of report)
MAX_ROW_FINDINGS = 1000
CACHE_MAX = 4096
_MISS = object()
_BLANK = object()


class _Bad:
    """A cell its parser rejected (kept in the cache like a parsed value).

    ``expected`` is the parser's :class:`BadValue` text (usually a shared ``Msg``
    constant, so nothing is made per cell); ``text`` the whole problem when
    "expected …" does not fit.
    """

    __slots__ = ("expected", "text")

    def __init__(self, expected: str | Msg, text: Msg | None = None):
        self.expected = expected
        self.text = text


# Parsed values of repeated cells (grades, zones, enum names, yes/no) are reused across
# rows and tables of this process: parsers are pure, parsed values are not mutated.  A
# column's cache is dropped for good once it holds CACHE_MAX distinct cells (ids, names).
# Keyed by the plugin period names in force too: an activity cell (午练) parses by them.
_SHARED: dict[tuple[str, str, frozenset[tuple[str, str]]], tuple[Any, dict[str, Any]] | None] = {}


def _drop_cache(kind: str, name: str) -> None:
    """A column of too many distinct cells: its cache dropped for good."""
    _SHARED[(kind, name, plugin_names_key())] = None


def _cache_for(kind: str, name: str, parser: Any) -> dict[str, Any] | None:
    key = (kind, name, plugin_names_key())
    held = _SHARED.get(key)
    if key not in _SHARED or (held is not None and held[0] is not parser):
        _SHARED[key] = (parser, {})
    entry = _SHARED[key]
    return entry[1] if entry is not None else None


def _parse(parser: Any, value: Any, personal: bool = False) -> Any:
    """The parsed cell, ``_BLANK`` for an empty one, or a ``_Bad`` naming what was expected
    (for a ``personal`` cell, a parser's exception by its type only: its text may quote
    the cell)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return _BLANK
    if isinstance(value, str) and len(value) > MAX_CELL:
        # A cell of megabytes is no schedule entry: refused before a parser or a rule
        # gets to copy it around.
        return _Bad("", Msg("cell.too_long", length=len(value), max=MAX_CELL))
    try:
        return parser(value)
    except BadValue as exc:
        return _Bad(exc.expected)
    except PLUGIN_FAULTS as exc:  # a plugin kind's parser with a defect: this cell only
        error = type(exc).__name__ if personal else f"{type(exc).__name__}: {exc}"
        return _Bad("", Msg("cell.parser_raised", error=error))


#: what a kind's ``finish`` may return for an inconsistent row; other texts are shown as is
CONSISTENCY = {
    "both_days_and_date": Msg("row.both_days_and_date"),
    "neither_days_nor_date": Msg("row.neither_days_nor_date"),
    "end_not_after_start": Msg("row.end_not_after_start"),
}


def columns_of(kind: DocumentKind, headers: list[str]) -> dict[str, Field]:
    """The known columns of a table by header (the first column of each field)."""
    return _columns(kind, headers)[0]


def _columns(kind: DocumentKind, headers: list[str]) -> tuple[dict[str, Field], list[Msg]]:
    columns: dict[str, Field] = {}
    twice: list[Msg] = []
    for index, header in enumerate(headers):
        spec = kind.by_header.get(header_key(header))
        if spec is None:
            continue
        first = next((h for h, f in columns.items() if f.name == spec.name), None)
        if first is not None or header in headers[:index]:
            # Two columns for one field (`start` and `开始时间`): which one the school
            # meant cannot be told, and checking either would let the other hide.
            twice.append(Msg("table.two_columns", first=first or header, second=header,
                             field=spec.name))
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
            Msg("table.duplicate_columns", pairs=twice, rows=counted),
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
                Msg("table.missing_columns", columns=_labels([kind.missing_label(m) for m in missing]),
                    kind=kind_label(kind),
                    rows=counted),
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
    personal = kind.personal_fields
    caches = [_cache_for(kind.name, spec.name, spec.parser) for spec in columns.values()]
    id_cache: dict[str, str | None] = {}
    # Fields the table has no column for still get their defaults (`written`: true).
    present = {spec.name for spec in columns.values()}
    absent = [(f.name, f.default) for f in kind.fields if f.name not in present and f.default is not None]
    file, sheet, kind_name = doc.loc.file, doc.loc.sheet, kind.name
    records = doc.records
    read = rejected = 0
    hidden: list[Any] = [0, None, None]  # rows past MAX_ROW_FINDINGS: count, first, last line
    try:
        for raw in rows:
            read += 1
            mark = len(problems)
            loc = Location(file, raw.line, None, sheet)
            school_id = default_school
            bad = False
            values: dict[str, object] = dict(absent)
            cells = raw.cells
            cell_lines = raw.cell_lines
            if id_parser is not None and not forced_school:
                cell = cells.get(cast(str, id_header))  # set whenever id_parser is
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
            if raw.problem:
                # the reader already said what is wrong with the row: one finding, not
                # one more per cell the broken row leaves empty or shifted
                problems.append(
                    InputProblem("INP001", loc, _shape(raw.problem), school_id,
                                 {"column": "", "value": ""})
                )
                rejected += 1
                if rejected > MAX_ROW_FINDINGS:
                    _hide(problems, mark, hidden, raw.line)
                continue
            for header, name, parser, required, default, slot in plan:
                value = cells.get(header)
                cache = caches[slot]
                if cache is not None and value.__class__ is str:
                    # one look-up answers blank / parsed / unreadable for a repeated cell
                    parsed = cache.get(value, _MISS)
                    if parsed is _MISS:
                        parsed = _parse(parser, value, name in personal)
                        if len(cache) >= CACHE_MAX:
                            caches[slot] = None
                            _drop_cache(kind_name, name)
                        else:
                            cache[value] = parsed
                else:
                    parsed = _parse(parser, value, name in personal)
                if parsed is _BLANK:
                    if required:
                        problems.append(
                            InputProblem("INP001", _cell_loc(loc, cell_lines, header).with_column(name),
                                         Msg("cell.empty", column=kind.label(name)), school_id,
                                         {"column": name, "value": ""})
                        )
                        bad = True
                    values[name] = default
                    continue
                if parsed.__class__ is _Bad:
                    # a child's id, name or address is quoted masked, whatever --show-pii
                    # says: the line and column point at the cell
                    shown = _show(mask(name, str(value)) if name in personal else value)
                    problems.append(
                        InputProblem(
                            "INP001",
                            _cell_loc(loc, cell_lines, header).with_column(name),
                            Msg("cell.value_in", column=kind.label(name), problem=parsed.text)
                            if parsed.text
                            else Msg("cell.unreadable", value=shown, column=kind.label(name),
                                     expected=parsed.expected),
                            school_id,
                            {"column": name, "value": shown},
                        )
                    )
                    bad = True
                    continue
                values[name] = parsed
            if school_id is None and id_header is not None and not bad:
                # No folder or --school says whose row this is, and the row does not either.
                problems.append(
                    InputProblem("INP001", loc.with_column("school_id"),
                                 Msg("cell.empty", column=kind.label("school_id")), None,
                                 {"column": "school_id", "value": ""})
                )
                bad = True
            if not bad and finish is not None:
                try:
                    issue = finish(values)
                except PLUGIN_FAULTS as exc:  # a plugin kind's row check with a defect
                    # its text may quote a personal value of the row: then its type only
                    issue = Msg("row.check_raised", kind=kind_label(kind),
                                error=type(exc).__name__ if personal
                                else f"{type(exc).__name__}: {exc}")
                if issue is not None:
                    problems.append(
                        InputProblem("INP004", loc, _consistency(issue), school_id,
                                     {"column": ""})
                    )
                    bad = True
            if bad:
                rejected += 1
                if rejected > MAX_ROW_FINDINGS:
                    _hide(problems, mark, hidden, raw.line)
                continue
            records.append(Record(kind_name, values, loc, school_id))
    finally:  # a broken file stops the rows mid-way: keep the count so far
        doc.rows_read += read
        doc.rows_rejected += rejected
        if hidden[0]:
            problems.append(InputProblem(
                "INP001", Location(file, hidden[1], None, sheet),
                Msg("table.more_rejected", rows=hidden[0], first=hidden[1], last=hidden[2],
                    max=MAX_ROW_FINDINGS),
                default_school, {"column": "", "value": ""}, {"rows": hidden[0]}))


def _hide(problems: list[InputProblem], mark: int, hidden: list[Any], line: int | None) -> None:
    """Fold a rejected row's problems into the count of rows past ``MAX_ROW_FINDINGS``."""
    del problems[mark:]
    hidden[0] += 1
    hidden[1] = hidden[1] if hidden[1] is not None else line
    hidden[2] = line


def _cell_loc(loc: Location, cell_lines: dict[str, int | None] | None, header: str) -> Location:
    """The row's location, or the cell's own line when the reader knows it (YAML)."""
    if cell_lines and cell_lines.get(header) is not None:
        return Location(loc.file, cell_lines[header], None, loc.sheet)
    return loc


def _labels(labels: list[dict[str, str]]) -> dict[str, str]:
    """Missing columns as a school names them, each in backticks, in either language."""
    return {"zh": "、".join(f"`{label['zh']}`" for label in labels),
            "en": ", ".join(f"`{label['en']}`" for label in labels)}


def _shape(problem: str | Msg) -> str | Msg:
    """The reason for a reader's row problem (``too_many_cells:7:5``); a plugin's own as is."""
    if isinstance(problem, Msg):
        return problem
    key, *numbers = str(problem).split(":")
    spec = ROW_SHAPE.get(key)
    if spec is None or len(numbers) < len(spec) - 1:
        return str(problem)
    return Msg(spec[0], **dict(zip(spec[1:], numbers, strict=False)))


def _consistency(issue: Any) -> str | Msg:
    """A kind's row problem: a known key's reason, a plugin's ``Msg`` or text as is."""
    if isinstance(issue, Msg):
        return issue
    return CONSISTENCY.get(issue, issue) if isinstance(issue, str) else str(issue)


def _show(value: object) -> str:
    text = str(value)
    return repr(text[:40] + "…") if len(text) > 40 else repr(text)
