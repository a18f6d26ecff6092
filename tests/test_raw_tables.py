"""Readers hand back the sheet as it stands: every row by position with its line,
the sheet's name, its merged ranges, and date and time cells as values."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from compliance.inputs import xlsx_reader
from compliance.inputs.csv_reader import CsvReader
from compliance.inputs.raw import MergedRange, RawTable
from compliance.inputs.xlsx_reader import XlsxReader
from tests.office_files import use_builtin_format, write_gbk_csv, write_xlsx

TITLE = "XX小学2025-2026学年第一学期作息时间表"


def _tables(path: Path) -> list[RawTable]:
    reader = XlsxReader() if path.suffix == ".xlsx" else CsvReader()
    return [t for t in reader.read(path) if isinstance(t, RawTable)]


def test_xlsx_grid_keeps_title_rows_lines_and_merged_ranges(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "作息.xlsx", {"作息时间表": [
        [TITLE, None, None],
        [],
        ["时段", "节次", "时间"],
        ["上午", "第一节", "8:00-8:40"],
        [None, "第二节", "8:50-9:30"],
    ]}, merges={"作息时间表": ["A1:C1", "A4:A5"]})
    table, = _tables(path)
    assert table.sheet == "作息时间表"
    assert table.grid is not None
    assert list(table.grid()) == [
        (1, (TITLE,)),
        (3, ("时段", "节次", "时间")),
        (4, ("上午", "第一节", "8:00-8:40")),
        (5, (None, "第二节", "8:50-9:30")),
    ]
    assert table.merged == [MergedRange(1, 1, 1, 3), MergedRange(4, 1, 5, 1)]
    assert (1, 2) in table.merged[0] and (2, 1) not in table.merged[0]
    # the reader's plain reading is still there for code that knows no better
    assert table.headers == [TITLE]


def test_xlsx_every_sheet_comes_back_with_its_name(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "book.xlsx", {
        "填表说明": [["请按下表填写"]],
        "夏季": [["开始时间", "结束时间"], ["8:00", "8:40"]],
        "空白": [],
    })
    tables = _tables(path)
    assert [t.sheet for t in tables] == ["填表说明", "夏季", "空白"]
    assert [list(t.grid()) for t in tables if t.grid][2] == []
    assert all(t.merged == [] for t in tables)


def test_xlsx_time_date_and_datetime_cells_are_values(tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "s.xlsx", {"s": [
        ["日期", "开始", "结束", "登记"],
        [dt.date(2025, 10, 8), dt.time(7, 50), dt.time(8, 30), dt.datetime(2025, 9, 1, 17, 30)],
    ]})
    _, (_, row) = list(_tables(path)[0].grid())
    assert row[0] == dt.datetime(2025, 10, 8)
    assert row[1:3] == (dt.time(7, 50), dt.time(8, 30))
    assert row[3] == dt.datetime(2025, 9, 1, 17, 30)


def test_xlsx_east_asian_builtin_date_and_time_formats_are_dates(tmp_path: Path) -> None:
    # Excel in a Chinese locale saves m"月"d"日" as built-in format 58 and h"时"mm"分"
    # as 32, formats openpyxl alone would read as plain serial numbers
    path = write_xlsx(tmp_path / "s.xlsx", {"s": [
        ["日期", "开始"], [dt.date(2025, 10, 8), dt.time(7, 50)],
    ]}, formats={"s": {"A2": 'm"月"d"日"', "B2": 'h"时"mm"分"'}})
    use_builtin_format(path, 'm"月"d"日"', 58)
    use_builtin_format(path, 'h"时"mm"分"', 32)
    _, (_, row) = list(_tables(path)[0].grid())
    assert row[0] == dt.datetime(2025, 10, 8)  # the year is still there
    assert row[1] == dt.time(7, 50)


@pytest.mark.parametrize("chunk", [7, 13, 64, 1 << 20])
def test_xlsx_merged_ranges_are_found_across_chunk_boundaries(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    monkeypatch.setattr(xlsx_reader, "MERGE_SCAN_CHUNK", chunk)
    rows = [[f"第{i}行", None, i] for i in range(1, 300)]
    refs = [f"A{i}:B{i}" for i in range(1, 300, 7)] + ["C1:AB2"]
    path = write_xlsx(tmp_path / "big.xlsx", {"s": rows}, merges={"s": refs})
    table, = _tables(path)
    assert len(table.merged) == len(refs)
    assert table.merged[0] == MergedRange(1, 1, 1, 2)
    assert table.merged[1] == MergedRange(1, 3, 2, 28)
    assert table.merged[-1] == MergedRange(295, 1, 295, 2)


def test_gbk_csv_grid_has_title_line_and_quoted_newline_lines(tmp_path: Path) -> None:
    path = write_gbk_csv(tmp_path / "作息时间表.csv", [
        [TITLE, "", ""],
        ["", "", ""],
        ["节次", "时间", "内容"],
        ["第一节", "8:00—8:40", "语文\n（含眼保健操）"],
        ["第二节", "8:50—9:30", ""],
    ])
    table, = _tables(path)
    assert table.grid is not None
    assert list(table.grid()) == [
        (1, (TITLE,)),
        (3, ("节次", "时间", "内容")),
        (4, ("第一节", "8:00—8:40", "语文\n（含眼保健操）")),
        (6, ("第二节", "8:50—9:30")),
    ]
    assert table.sheet is None and table.merged == []
