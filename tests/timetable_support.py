"""Timetable workbooks built the way office software writes them: a title merged across
the grid, a 节次 column, weekday headers, 午休/大课间 rows merged across the weekdays,
several grids stacked in one sheet or one sheet per class."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

WEEK = ("周一", "周二", "周三", "周四", "周五")
#: (period cell, subjects by weekday) or (a non-lesson row's text, None)
Row = tuple[str, Sequence[str | None] | None]

# A grade-3 week that meets national-2022 exactly: 30 lessons, PE 3, 劳动 1, every subject.
GRADE3 = {"语文": 7, "数学": 5, "英语": 3, "道法": 2, "科学": 2, "信息科技": 1, "体育": 3,
          "音乐": 2, "美术": 2, "劳动": 1, "班会": 1, "书法": 1}
# A grade-2 week: no 外语 or 信息科技 needed, PE 4, at most 26.
GRADE2 = {"语文": 8, "数学": 4, "道法": 2, "科学": 1, "体育": 4, "音乐": 2, "美术": 2,
          "劳动": 1, "班会": 1, "书法": 1}
# A grade-8 week: 物理/生物 count as 科学; 34 lessons.
GRADE8 = {"语文": 5, "数学": 5, "英语": 5, "道法": 2, "历史": 2, "地理": 2, "物理": 3, "生物": 2,
          "信息科技": 1, "体育": 3, "音乐": 1, "美术": 1, "劳动": 1, "班会": 1}
TIMES = ("8:20-9:00", "9:10-9:50", "10:20-11:00", "11:10-11:50", "14:00-14:40", "14:50-15:30",
         "15:40-16:20", "16:30-17:10")


def week(counts: dict[str, int], days: int = 5, periods: int = 7,
         timed: bool = True) -> list[Row]:
    """A grid's rows holding ``counts`` lessons of each subject (blank cells left over),
    with a 大课间 row after period 2 and a 午休 row after period 4."""
    lessons = [subject for subject, n in counts.items() for _ in range(n)]
    if len(lessons) > days * periods:
        raise ValueError("more lessons than cells")
    grid: list[list[str | None]] = [[None] * days for _ in range(periods)]
    for index, subject in enumerate(lessons):  # day by day, so each day gets a mix
        grid[index % periods][index // periods] = subject
    rows: list[Row] = []
    for number in range(1, periods + 1):
        label = f"第{number}节" + (f" {TIMES[number - 1]}" if timed else "")
        rows.append((label, grid[number - 1]))
        if number == 2:
            rows.append(("大课间 10:00-10:20", None))
        if number == 4:
            rows.append(("午休", None))
    return rows


def grid(ws: Worksheet, top: int, title: str | None, rows: Sequence[Row],
         days: Sequence[str] = WEEK, class_column: Sequence[str] | None = None) -> int:
    """Write one grid with its top-left at row ``top``; the next free row."""
    width = len(days) + 1 + (1 if class_column else 0)
    last = get_column_letter(width)
    line = top
    if title is not None:
        ws.cell(line, 1, title).alignment = Alignment(horizontal="center")
        ws.merge_cells(f"A{line}:{last}{line}")
        line += 1
    header = (["班级"] if class_column else []) + ["节次", *days]
    for col, text in enumerate(header, start=1):
        ws.cell(line, col, text)
    line += 1
    for index, (label, subjects) in enumerate(rows):
        offset = 1
        if class_column:
            ws.cell(line, 1, class_column[index] if index < len(class_column) else None)
            offset = 2
        if subjects is None:
            ws.cell(line, 1, label)
            ws.merge_cells(f"A{line}:{last}{line}")
        else:
            ws.cell(line, offset, label)
            for col, subject in enumerate(subjects, start=offset + 1):
                ws.cell(line, col, subject)
        line += 1
    return line


def workbook(path: Path, sheets: dict[str, list[tuple[str | None, Sequence[Row]]]],
             **grid_options: Any) -> Path:
    """A workbook with one sheet per key, each holding its grids stacked with a blank row
    between them, plus the empty ``Sheet2`` spreadsheet programs add."""
    book = openpyxl.Workbook()
    first = True
    for name, grids in sheets.items():
        ws = book.active if first else book.create_sheet()
        assert ws is not None
        ws.title = name
        first = False
        line = 1
        for title, rows in grids:
            line = grid(ws, line, title, rows, **grid_options) + 1
    book.create_sheet("Sheet2")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
