"""From a raw table to a document of one kind: headers mapped, values parsed, and
every row either kept as a record or reported as an input problem."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable

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
CONSISTENCY = {
    "both_days_and_date": "a schedule entry has both `days` and `date`; give exactly one",
    "neither_days_nor_date": "a schedule entry has neither `days` nor `date`; give exactly one",
    "end_not_after_start": "the entry ends at or before it starts",
}


def columns_of(kind: DocumentKind, headers: list[str]) -> dict[str, Field]:
    columns: dict[str, Field] = {}
    for header in headers:
        spec = kind.by_header.get(header_key(header))
        if spec is not None and spec.name not in {f.name for f in columns.values()}:
            columns[header] = spec
    return columns


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
    columns = columns_of(kind, headers)
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
    for raw in rows:
        doc.rows_read += 1
        loc = Location(doc.loc.file, raw.line, None, doc.loc.sheet)
        school_id = default_school
        bad = False
        if raw.problem:
            key, *numbers = raw.problem.split(":")
            problems.append(
                InputProblem("INP001", loc, ROW_SHAPE[key].format(*numbers), school_id,
                             {"column": "", "value": ""})
            )
            bad = True
        values: dict[str, object] = {}
        cells = raw.cells
        if id_header is not None and not forced_school and not is_blank(cells.get(id_header)):
            with contextlib.suppress(BadValue):
                school_id = str(columns[id_header].parser(cells[id_header]))
        for header, spec in columns.items():
            value = cells.get(header)
            cell_loc = loc
            if raw.cell_lines and raw.cell_lines.get(header) is not None:
                cell_loc = Location(loc.file, raw.cell_lines[header], None, loc.sheet)
            if is_blank(value):
                if spec.required:
                    problems.append(
                        InputProblem("INP001", cell_loc.with_column(spec.name),
                                     f"the required value `{spec.name}` is empty", school_id,
                                     {"column": spec.name, "value": ""})
                    )
                    bad = True
                values[spec.name] = spec.default
                continue
            try:
                values[spec.name] = spec.parser(value)
            except BadValue as exc:
                problems.append(
                    InputProblem(
                        "INP001",
                        cell_loc.with_column(spec.name),
                        f"cannot read {_show(value)} in `{spec.name}`: expected {exc.expected}",
                        school_id,
                        {"column": spec.name, "value": _show(value)},
                    )
                )
                bad = True
        if not bad and finish is not None:
            issue = finish(values)
            if issue is not None:
                problems.append(
                    InputProblem("INP004", loc, CONSISTENCY.get(issue, issue), school_id,
                                 {"column": ""})
                )
                bad = True
        if bad:
            doc.rows_rejected += 1
            continue
        doc.records.append(Record(kind.name, values, loc, school_id))


def _show(value: object) -> str:
    text = str(value)
    return repr(text[:40] + "…") if len(text) > 40 else repr(text)
