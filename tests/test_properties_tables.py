"""Nothing lost: for random tables with random bad cells (CSV and JSON), and random
exports as schools make them (a title, sections, notes, time ranges), every row is a
record, a finding, or a note listed in the report; the counts agree everywhere (Loaded,
Document, Report), and no exception escapes the readers or the engine.  Also the CLI
over random files."""

from __future__ import annotations

import csv
import functools
import io
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine, RunOptions
from tests.adversarial_corpus import SCHOOL

TABLES = settings(max_examples=40, deadline=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Any text but NUL: a NUL makes the whole file an INP003 (tested on its own).
TEXT = st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00")
HEADERS = ["days", "start", "end", "activity", "compulsory", "grades", "title"]
GOOD = {
    "days": st.sampled_from(["Mon-Fri", "周一至周五", "Sat", "1-5", "工作日"]),
    "start": st.sampled_from(["08:00", "8:00", "7:30", "13点半"]),
    "end": st.sampled_from(["11:40", "17:00", "24:00", "18:30"]),
    "activity": st.sampled_from(["lesson", "上课", "remedial", "exam"]),
    "compulsory": st.sampled_from(["", "Y", "否"]),
    "grades": st.sampled_from(["", "1", "3-2", "五年级、六年级"]),
    "title": st.text(TEXT, max_size=8),
}
BAD = st.one_of(
    st.sampled_from(["", "25:00", "8:60", "2025-02-30", "[bold red]x[/bold red]", "\x1b[2J",
                     "周八", "line\nbreak", '"quoted, with comma"', "  ", "\u202e", "×",
                     "\x85", "a\u2028b", "\x7f"]),
    st.text(TEXT, max_size=12),
)


@st.composite
def tables(draw: Any) -> list[list[str]]:
    """Rows of cells: mostly good values, some bad ones, some rows too long or too short."""
    rows = []
    for _ in range(draw(st.integers(0, 12))):
        row = [draw(BAD) if draw(st.integers(0, 4)) == 0 else draw(GOOD[h]) for h in HEADERS]
        shape = draw(st.integers(0, 9))
        if shape == 0:
            row = row[: draw(st.integers(1, len(row) - 1))]
        elif shape == 1:
            row = [*row, draw(BAD)]
        rows.append(row)
    return rows


@functools.cache
def engine() -> Engine:
    return Engine(RunOptions(school=str(SCHOOL), entry_points=False, lang="en"))


def noted_lines(loaded: Any) -> set[int]:
    """The lines the shaping stage listed as notes (titles, notes, sections)."""
    return {n.line for f in loaded.file_notes.values() for n in f.notes
            if n.line is not None and n.why != "assumed"}


def check_accounting(path: Path, expected_rows: int) -> None:
    eng = engine()
    loaded = eng.load([str(path)])
    docs = [d for sub in loaded.submissions.values() for d in sub.documents]
    records = sum(len(d.records) for d in docs)
    # a row of one text cell is a section label, one starting 注… a note: listed, not read
    assert loaded.rows_read + len(noted_lines(loaded)) == expected_rows
    assert loaded.rows_read == records + loaded.rows_rejected
    assert sum(d.rows_read for d in docs) == loaded.rows_read
    assert sum(d.rows_rejected for d in docs) == loaded.rows_rejected
    codes = {p.code for p in loaded.problems}
    if "INP002" in codes:  # a missing column: one finding for the document, every row out
        assert records == 0 and loaded.rows_rejected == loaded.rows_read
    else:
        # Each rejected row has at least one INP001/INP004 on its line; kept rows have none.
        bad_lines = {p.loc.line for p in loaded.problems if p.code in ("INP001", "INP004")}
        kept_lines = {r.loc.line for d in docs for r in d.records}
        assert len(bad_lines) == loaded.rows_rejected
        assert not bad_lines & kept_lines
    if loaded.rows_read == 0:
        assert codes & {"INP002", "INP003"}  # an empty table is reported, never just passed
    report = eng.check([str(path)])
    assert (report.rows_read, report.rows_rejected) == (loaded.rows_read, loaded.rows_rejected)
    assert report.exit_status("never") == (2 if loaded.problems else 0)


@TABLES
@given(tables())
def test_every_csv_row_is_evaluated_or_reported(rows: list[list[str]]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)  # "\r\n" line ends: a cell with a bare "\r" is quoted
    writer.writerow(HEADERS)
    data_rows = 0
    for row in rows:
        writer.writerow(row)
        # A row of blank cells is no data row: the CSV reader skips it, as Excel would.
        data_rows += any(cell.strip() for cell in row)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        check_accounting(path, data_rows)


@TABLES
@given(tables())
def test_every_json_row_is_evaluated_or_reported(rows: list[list[str]]) -> None:
    # One row a line, so every row has a line of its own to be reported on.
    lines = [json.dumps(dict(zip(HEADERS, row, strict=False)), ensure_ascii=False) for row in rows]
    text = '{"kind": "schedule", "rows": [\n' + ",\n".join(lines) + "\n]}\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.json"
        path.write_text(text, encoding="utf-8")
        check_accounting(path, len(rows))


SUFFIXES = [".csv", ".tsv", ".txt", ".yaml", ".yml", ".json", ".xlsx", ".xls", ""]
CONTENT = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=300).map(lambda t: t.encode("utf-8", "surrogatepass")),
    st.lists(st.sampled_from(["days", "start", "end", "activity", ",", "\t", "\n", "08:00", ":",
                              "- ", "{", "}", "[", "]", "&a", "*a", "!!", "\"", "kind", "rows",
                              "schedule", "25:00", "\r\n", "\ufeff", "\x00", "PK\x03\x04"]),
             max_size=60).map(lambda parts: "".join(parts).encode("utf-8", "surrogatepass")),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SUFFIXES), st.sampled_from(["schedule", "data", "school", "calendar"]),
       CONTENT)
def test_the_cli_on_random_files_never_crashes(suffix: str, stem: str, content: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"{stem}{suffix}"
        path.write_bytes(content)
        result = CliRunner().invoke(app, ["check", "--format", "json", "--no-entry-points",
                                          "--school", str(SCHOOL), str(path)])
    assert result.exit_code in (0, 1, 2), result.output
    assert "Traceback" not in result.output
    if result.exit_code != 2:
        assert isinstance(result.exception, SystemExit | None)


@functools.cache
def engine_without_school() -> Engine:
    return Engine(RunOptions(entry_points=False, lang="en"))


@TABLES
@given(tables(), st.lists(st.sampled_from(["ZS-1", "zs-2", " ZS-3 ", "", "  ", "\x1b"]),
                          min_size=12, max_size=12))
def test_rows_naming_their_schools_are_each_evaluated_or_reported(rows: list[list[str]],
                                                                  ids: list[str]) -> None:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["school_id", *HEADERS])
    data_rows = 0
    for row, school_id in zip(rows, ids, strict=False):
        writer.writerow([school_id, *row])
        data_rows += any(cell.strip() for cell in [school_id, *row])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.csv"
        path.write_text(out.getvalue(), encoding="utf-8")
        loaded = engine_without_school().load([str(path)])
        report = engine_without_school().check([str(path)])
    docs = [d for sub in loaded.submissions.values() for d in sub.documents]
    records = sum(len(d.records) for d in docs)
    noted = len(noted_lines(loaded))
    assert loaded.rows_read + noted == data_rows
    assert records + loaded.rows_rejected + noted == data_rows
    assert sum(d.rows_read for d in docs) == records  # each school's part counts its rows
    assert all(r.school_id for d in docs for r in d.records)  # no row without a school
    assert (report.rows_read, report.rows_rejected) == (loaded.rows_read, loaded.rows_rejected)


# -- exports as schools make them ------------------------------------------------------

EXPORT_HEADER = ["节次", "时间", "内容"]
EXPORT_GOOD = st.tuples(
    st.sampled_from(["第一节", "第2节", "大课间", "午餐、午休", "放学", "到校", "课后服务（一至三年级）",
                     "3", "语文", "升旗仪式"]),
    st.sampled_from(["8:00-8:40", "7:50—8:30", "13:30~14:10", "17:30", "9.10-9.50", "25:00-26:00",
                     "9:00-8:00", "", "8:00"]),
    st.sampled_from(["", "语文", "数学", "第一节", "眼保健操"]),
).map(list)
EXPORT_EXTRA = st.one_of(
    st.tuples(st.sampled_from(["上午", "下午", "三年级(2)班"])).map(lambda t: [t[0], "", ""]),
    st.tuples(st.sampled_from(["注：本表自9月1日起执行", "说明：课后服务自愿参加", "制表人：王老师"]))
    .map(lambda t: [t[0], "", ""]),
)


@TABLES
@given(st.booleans(), st.lists(st.one_of(EXPORT_GOOD, EXPORT_GOOD, EXPORT_EXTRA), max_size=12),
       st.sampled_from(["gbk", "utf-8"]))
def test_every_row_of_an_export_is_a_record_a_finding_or_a_note(
        titled: bool, rows: list[list[str]], encoding: str) -> None:
    lines = ([["XX小学作息时间表", "", ""], ["", "", ""]] if titled else []) + [EXPORT_HEADER] + rows
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(lines)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "作息时间表.csv"
        path.write_bytes(out.getvalue().encode(encoding))
        loaded = engine().load([str(path)])
        docs = [d for sub in loaded.submissions.values() for d in sub.documents]
        record_lines = {r.loc.line for d in docs for r in d.records}
        problem_lines = {p.loc.line for p in loaded.problems}
        noted = noted_lines(loaded)
        header_line = 3 if titled else 1
        for number, cells in enumerate(lines, start=1):
            if number == header_line or not any(c.strip() for c in cells):
                continue
            assert number in record_lines | problem_lines | noted, (number, cells)
        assert not noted & (record_lines | problem_lines)
        assert loaded.rows_read == len({r.loc.line for d in docs for r in d.records} | {
            p.loc.line for p in loaded.problems if p.code in ("INP001", "INP004")})
        report = engine().check([str(path)])
        assert (report.rows_read, report.rows_rejected) == (loaded.rows_read, loaded.rows_rejected)
