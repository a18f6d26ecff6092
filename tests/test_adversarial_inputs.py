"""Hostile and broken submissions: each ends in a clear INP finding naming the file
(and line), the right exit status, and the rest of the input still checked.

Cheap cases run in-process; bombs and huge files run the CLI in a subprocess with a
time limit and a 1 GiB memory limit, so a regression fails instead of hanging."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from compliance.host.engine import Engine, RunOptions
from compliance.outputs.reporter import RenderOptions
from compliance.outputs.text import TextReporter
from tests import adversarial_corpus as corpus
from tests.adversarial_corpus import ADVERSARIAL, SCHOOL, run_cli


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(RunOptions(school=str(SCHOOL), entry_points=False, lang="en"))


def check(engine: Engine, path: Path) -> tuple[int, str, object]:
    """Exit status, text report and report for one file or folder, in-process."""
    report = engine.check([str(path)])
    out = io.StringIO()
    TextReporter().render(report, out, RenderOptions(lang="en"))
    return report.exit_status("error"), out.getvalue(), report


def lines_with(text: str, code: str) -> list[str]:
    return [line for line in text.splitlines() if f": {code} " in line]


# --- committed small files -----------------------------------------------------

COMMITTED = [
    # (file, code, "file:line" suffix or "" for no line, words in the reason)
    ("python_object.yaml", "INP003", ":4", "python/object/apply:os.system' is not allowed"),
    ("custom_tag.yaml", "INP003", ":4", "'!include' is not allowed"),
    ("duplicate_keys.yaml", "INP003", ":6", "duplicate key 'end'"),
    ("duplicate_keys.json", "INP003", "", "duplicate key 'end'"),
    ("empty.csv", "INP003", ":1", "the file is empty"),
    ("header_only.csv", "INP003", "", "has no data rows"),
    ("two_start_columns.csv", "INP003", "", "`start` and `开始时间` both give `start`"),
]


@pytest.mark.parametrize(("name", "code", "where", "words"), COMMITTED,
                         ids=[c[0] for c in COMMITTED])
def test_broken_file_is_one_clear_input_finding(engine: Engine, name: str, code: str, where: str,
                                                words: str) -> None:
    path = ADVERSARIAL / name
    status, text, _ = check(engine, path)
    found = lines_with(text, code)
    assert len(found) == 1, text
    assert found[0].startswith(f"{path}{where}: {code} ")
    assert words in found[0]
    assert status == 2


def test_python_object_tag_is_never_constructed(engine: Engine) -> None:
    marker = Path("/tmp/compliance-pwned")
    marker.unlink(missing_ok=True)
    check(engine, ADVERSARIAL / "python_object.yaml")
    assert not marker.exists()


def test_alias_bomb_is_refused_in_bounded_time_and_memory() -> None:
    run = run_cli(ADVERSARIAL / "alias_bomb.yaml", timeout=30)
    assert run.status == 2, run.output
    assert f"{ADVERSARIAL / 'alias_bomb.yaml'}: INP003" in run.stdout
    assert "alias bomb" in run.stdout


def test_rows_with_too_many_or_too_few_cells_are_reported_and_the_rest_checked(
        engine: Engine) -> None:
    path = ADVERSARIAL / "ragged.csv"
    status, text, report = check(engine, path)
    assert f"{path}:3: INP001 error: a value cannot be read: the row has 7 cells but the header " \
           "has 5" in text
    assert f"{path}:4: INP001 error: a value cannot be read: the row has 2 cells" in text
    assert f"{path}:5 [days]: HOL004" in text  # the good rows after the bad ones still count
    assert (report.rows_read, report.rows_rejected) == (4, 2)
    assert "2 of 4 data row(s) not checked (see the INP findings)." in text
    assert status == 2


def test_impossible_times_are_input_findings_and_24_00_is_midnight(engine: Engine) -> None:
    path = ADVERSARIAL / "bad_times.csv"
    status, text, report = check(engine, path)
    assert f"{path}:3 [start]: INP001 error: a value cannot be read: cannot read '25:00'" in text
    assert f"{path}:3 [end]: INP001" in text and "'26:00'" in text
    assert f"{path}:4 [start]: INP001" in text and "'8:60'" in text
    assert not any(line.startswith(f"{path}:2 ") and "INP" in line for line in text.splitlines())
    assert f"{path}:2 [end]: HRS002" in text  # 24:00 reads, and is late
    assert (report.rows_read, report.rows_rejected) == (4, 2)
    assert status == 2


def test_impossible_dates_and_excel_serial_numbers_are_input_findings(engine: Engine) -> None:
    path = ADVERSARIAL / "bad_dates.csv"
    status, text, _ = check(engine, path)
    assert f"{path}:2 [date]: INP001 error: a value cannot be read: cannot read '2025-02-30'" in text
    assert f"{path}:3 [date]: INP001 error: a value cannot be read: cannot read '45931'" in text
    assert f"{path}:4 [date]: HOL001" in text
    assert status == 2


# --- generated cases -----------------------------------------------------------


@pytest.mark.parametrize("build", [corpus.deep_yaml, corpus.deep_json], ids=["yaml", "json"])
def test_very_deep_nesting_is_refused(tmp_path: Path, build: object) -> None:
    path = build(tmp_path / ("deep.yaml" if build is corpus.deep_yaml else "deep.json"))
    run = run_cli(path, timeout=60)
    assert run.status == 2, run.output
    assert f"{path}: INP003 error: file cannot be read: nested deeper than 64 levels" in run.stdout


def test_nul_bytes_are_not_a_text_table(engine: Engine, tmp_path: Path) -> None:
    path = corpus.nul_bytes(tmp_path / "schedule.csv")
    status, text, _ = check(engine, path)
    assert f"{path}: INP003 error: file cannot be read: the file contains NUL bytes" in text
    assert status == 2


def test_excel_unicode_text_is_read_as_utf16_tab_separated(engine: Engine, tmp_path: Path) -> None:
    path = corpus.utf16_excel(tmp_path / "作息时间表.txt")
    status, text, report = check(engine, path)
    assert f"{path}:3 [start]: INP001" in text and "'25:00'" in text
    assert (report.rows_read, report.rows_rejected) == (2, 1)
    assert status == 2


def test_gbk_after_a_megabyte_of_utf8_is_refused_naming_the_line(engine: Engine,
                                                                 tmp_path: Path) -> None:
    path = corpus.gbk_after_a_megabyte(tmp_path / "schedule.csv")
    line = path.read_bytes().count(b"\n")  # the GBK row is the last one
    status, text, _ = check(engine, path)
    assert f"{path}:{line}: INP003 error: file cannot be read: the file is UTF-8 up to this " \
           "line and another encoding (GBK?) after it" in text
    assert status == 2


def test_a_plain_gbk_file_is_still_read(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "schedule.csv"
    path.write_bytes("星期,开始时间,结束时间,活动类型,内容\n周一至周五,08:00,25:00,上课,上午\n"
                     .encode("gbk"))
    status, text, _ = check(engine, path)
    assert f"{path}:2 [end]: INP001" in text
    assert status == 2


def test_a_single_50_mb_line_is_one_input_finding(tmp_path: Path) -> None:
    path = corpus.one_huge_line(tmp_path / "schedule.csv")
    run = run_cli(path, timeout=60)
    assert run.status == 2, run.output[-2000:]
    assert f"{path}:2: INP001 error: a value cannot be read: the line is longer than " \
           f"{1 << 20} characters: not read; the lines after it are checked as usual" in run.stdout
    assert "1 of 2 data row(s) not checked" in run.stdout  # the good row after it was read
    assert len(run.stdout) < 10_000  # the cell is never echoed whole


def test_xlsx_formulas_are_read_as_their_cached_values(engine: Engine, tmp_path: Path) -> None:
    path = corpus.xlsx_formulas(tmp_path / "schedule.xlsx")
    status, text, _ = check(engine, path)
    assert f"{path}[schedule]:3 [end]: HRS002" in text and "18:30" in text
    assert status == 1


def test_xlsx_merged_cells_leave_the_row_reported_not_lost(engine: Engine, tmp_path: Path) -> None:
    path = corpus.xlsx_merged(tmp_path / "schedule.xlsx")
    status, text, report = check(engine, path)
    assert f"{path}[schedule]:3 [activity]: INP001" in text
    assert (report.rows_read, report.rows_rejected) == (2, 1)
    assert status == 2


def test_xlsx_hidden_sheet_named_after_a_kind_is_checked(engine: Engine, tmp_path: Path) -> None:
    path = corpus.xlsx_hidden(tmp_path / "book.xlsx")
    status, text, report = check(engine, path)
    assert f"{path}[作息时间表]:2 [days]: HOL004" in text
    assert report.rows_read == 2
    assert status == 1


def test_xlsx_serial_number_in_a_date_column_is_an_input_finding(engine: Engine,
                                                                 tmp_path: Path) -> None:
    data = corpus._rows([["date", "start", "end", "activity"], [45931, "08:00", "11:00", "lesson"]])
    path = corpus._xlsx(tmp_path / "schedule.xlsx", [("schedule", "visible", data)])
    status, text, _ = check(engine, path)
    assert f"{path}[schedule]:2 [date]: INP001" in text and "'45931'" in text
    assert status == 2


def test_zip_bomb_disguised_as_xlsx_is_refused(tmp_path: Path) -> None:
    path = corpus.xlsx_zip_bomb(tmp_path / "schedule.xlsx")
    run = run_cli(path, timeout=60)
    assert run.status == 2, run.output
    assert f"{path}: INP003 error: file cannot be read: the workbook unpacks to 100 MB: refused" \
        in run.stdout


@pytest.mark.parametrize(
    ("name", "build", "words"),
    [
        ("schedule.csv", corpus.png_named_csv, "NUL bytes"),
        ("schedule.xlsx", corpus.csv_named_xlsx, "not an XLSX workbook"),
        ("homework.csv", corpus.zip_named_csv, "NUL bytes"),
        ("schedule.json", corpus.yaml_named_json, "not valid JSON"),
    ],
    ids=["png-as-csv", "csv-as-xlsx", "zip-as-csv", "yaml-as-json"],
)
def test_a_file_that_is_not_what_its_name_says(engine: Engine, tmp_path: Path, name: str,
                                               build: object, words: str) -> None:
    path = build(tmp_path / name)
    status, text, _ = check(engine, path)
    found = lines_with(text, "INP003")
    assert len(found) == 1 and found[0].startswith(str(path)) and words in found[0], text
    assert status == 2


def test_a_folder_that_is_a_symlink_loop_ends(engine: Engine, tmp_path: Path) -> None:
    root = corpus.symlink_loop(tmp_path / "loop")
    status, text, report = check(engine, root)
    assert f"{root}/a: INP003 error: file cannot be read: a symbolic link that loops" in text
    assert f"{root}/b: INP003" in text
    assert report.rows_read == 1  # schedule.csv read once, not once per loop
    assert status == 2


def test_a_symlink_loop_given_on_the_command_line_is_one_error_line(tmp_path: Path) -> None:
    link = tmp_path / "self"
    link.symlink_to(link)
    run = run_cli(link, timeout=30)
    assert run.status == 2
    assert run.stderr.strip() == f"compliance: error: {link}: no such file or folder"


def test_a_50_mb_header_line_of_millions_of_columns_is_refused(tmp_path: Path) -> None:
    path = corpus.huge_header_line(tmp_path / "schedule.csv")
    run = run_cli(path, timeout=60)
    assert run.status == 2, run.output[-2000:]
    # the header is read only as far as the line cap: its columns are counted that far
    assert f"{path}:1: INP003 error: file cannot be read: the header row has {(1 << 19) + 1}+ " \
           "columns" in run.stdout


def test_an_xml_entity_bomb_inside_a_workbook_is_refused(tmp_path: Path) -> None:
    path = corpus.xlsx_entity_bomb(tmp_path / "schedule.xlsx")
    run = run_cli(path, timeout=60)
    assert run.status == 2, run.output
    found = lines_with(run.stdout, "INP003")
    assert len(found) == 1 and found[0].startswith(f"{path}")
    assert "amplification" in found[0]  # expat's own limit, named
