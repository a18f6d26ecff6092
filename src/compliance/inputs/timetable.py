"""Timetables (课程表): grids with periods down and weekdays across, read as a person reads them.

A sheet may hold one grid or several stacked, each under its own title
(``三年级(2)班课程表``); a workbook may hold one sheet per class.  What a grid
gives is one :class:`~compliance.inputs.model.Record` of kind ``timetable`` per
lesson cell::

    {"class": "3-2", "grade": 3, "weekday": 6, "period": 1, "subject": "数学",
     "start": Clock(08:00) | None, "end": …, "grid_line": 1, "title": "三年级(2)班课程表"}

located at the cell's sheet, row and weekday column (``课程表.xlsx[三(2)班]:6 [周六]``).
Every grid read is also told to the rules as a :class:`GridSeen` in the document's
``grids`` (its class, grade and location), lessons or not: a class whose grid is blank
or all ``自习`` has no record, and must still be judged by the curriculum rules.
Rows that are not lessons (``午休``, ``大课间``, a row merged across the weekdays),
titles and notes below a grid become the document's notes, never silent drops.

The grid parser works on plain cells, merged ranges and a sheet name
(:class:`SheetGrid`), so it does not care which reader produced them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from compliance.host.markers import hookimpl
from compliance.inputs.kinds import DocumentKind, Field, header_key
from compliance.inputs.model import Document, Location, Record
from compliance.inputs.periods import plugin_names
from compliance.inputs.problems import InputProblem
from compliance.inputs.raw import RawTable
from compliance.inputs.reasons import Msg
from compliance.inputs.shaping import Note, is_note_text, sheet_passed_over
from compliance.inputs.values import (
    EXPECT_CLASS,
    BadValue,
    Clock,
    normalize_text,
    parse_class,
    parse_text,
    parse_time,
    parse_weekdays,
)

#: a timetable is small: more than this is no timetable, and is not read further
MAX_ROWS = 2000
MAX_COLUMNS = 60
#: header cells naming a class column, and the period column
CLASS_HEADERS = ("class", "班级", "班别", "班")
PERIOD_HEADERS = ("period", "节次", "课节", "节", "课时", "时间", "时段")
#: cells that are no lesson (besides blank ones)
NO_LESSON = frozenset({"自习", "/", "-", "—", "--", "无", "空", "x", "×"})
#: a period cell naming one of these is a row of non-lesson activity (exports.md)
NON_LESSON_ROWS = (
    "午休", "午餐", "午饭", "午睡", "午间休息", "大课间", "课间操", "眼保健操", "广播操", "跑操",
    "阳光体育", "课间休息", "课间", "早读", "晨读", "早自习", "晚自习", "午自习", "自习", "到校",
    "入校", "放学", "离校", "课后服务", "延时服务", "升旗", "晨会", "集会", "预备",
)
_CN_NUMBER = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9,
              "十": 10}
_PERIOD_RE = re.compile(r"第\s*([0-9]{1,2}|[一二三四五六七八九十]{1,2})\s*节")
_BARE_PERIOD_RE = re.compile(r"^\s*([0-9]{1,2})\s*$")
_RANGE_RE = re.compile(
    r"(\d{1,2}\s*[:：.]\s*\d{2})\s*(?:-|—|–|~|～|至|到|－)+\s*(\d{1,2}\s*[:：.]\s*\d{2})")
_CLASS_IN_TEXT = re.compile(
    r"(初[一二三]|[一二三四五六七八九1-9]\s*年级|[一二三四五六七八九1-9])\s*[(（]?\s*(\d{1,2})\s*[)）]?\s*班")
#: an English title: ``Class 3-2 timetable``, ``Grade 3 Class 2``
_CLASS_IN_ENGLISH = re.compile(
    r"\bclass\s*([1-9])\s*-\s*(\d{1,2})\b|\bgrade\s*([1-9])\s*,?\s*class\s*(\d{1,2})\b",
    re.IGNORECASE)
_BRACKETED = re.compile(r"\s*[(（\[【][^)）\]】]*[)）\]】]\s*$")

WEEKDAY_FIELDS = (
    ("mon", 1, ("周一", "星期一", "礼拜一", "monday")),
    ("tue", 2, ("周二", "星期二", "礼拜二", "tuesday")),
    ("wed", 3, ("周三", "星期三", "礼拜三", "wednesday")),
    ("thu", 4, ("周四", "星期四", "礼拜四", "thursday")),
    ("fri", 5, ("周五", "星期五", "礼拜五", "friday")),
    ("sat", 6, ("周六", "星期六", "礼拜六", "saturday")),
    ("sun", 7, ("周日", "星期日", "星期天", "礼拜日", "礼拜天", "周天", "sunday")),
)


@dataclass
class SheetGrid:
    """A sheet as cells: each row with the line it stands on, and the merged ranges.

    :param rows: ``(line, cells)`` in sheet order; blank rows may be left out.
    :param merged: ``(first_line, first_column, last_line, last_column)``, columns 1-based.
    :param sheet: the sheet name (``None`` for a CSV file).
    """

    rows: list[tuple[int, list[Any]]]
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)
    sheet: str | None = None


@dataclass
class Grid:
    """One class's (or the whole school's) timetable as found in a sheet."""

    header_line: int
    title: str | None
    title_line: int | None
    class_: str | None
    grade: int | None
    weekdays: dict[int, tuple[int, str]]  # column index -> (ISO weekday, header as written)
    #: lesson rows: (line, period number, start, end)
    periods: list[tuple[int, int, Clock | None, Clock | None]] = field(default_factory=list)
    #: a ``班级`` column's classes, in order, whether their rows hold lessons or not
    #: (``None`` for rows before any class is named); ``None``: the grid has no such column
    row_classes: list[str | None] | None = None

    @property
    def line(self) -> int:
        """Where findings about the whole grid point: its title, else its header row."""
        # (a grid rebuilt from a YAML list has its keys on no line of their own: line 0)
        return self.title_line if self.title_line is not None else max(self.header_line, 1)


@dataclass(frozen=True, slots=True)
class GridSeen:
    """One class's grid as read, lessons or not: whose it is and where findings about it point.

    ``class_`` is ``None`` for a grid whose class could not be told (the whole school's).
    """

    class_: str | None
    grade: int | None
    loc: Location


def grids_seen(grids: Iterable[Grid], file: str, sheet: str | None) -> list[GridSeen]:
    """A :class:`GridSeen` per class each of ``grids`` holds (one per class of a ``班级``
    column), located at the grid's title row, or its header row when it has none."""
    out: list[GridSeen] = []
    for found in grids:
        loc = Location(file, found.line, None, sheet)
        classes = found.row_classes if found.row_classes else [found.class_]
        for cls in dict.fromkeys(classes):
            out.append(GridSeen(cls, int(cls.split("-")[0]) if cls else None, loc))
    return out


@dataclass
class TimetableRead:
    """What :func:`parse_sheet` found in one sheet."""

    grids: list[Grid] = field(default_factory=list)
    records: list[Record] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    problems: list[InputProblem] = field(default_factory=list)
    rows: int = 0
    rejected: int = 0


# -- reading cells ----------------------------------------------------------------------


def read_grid(table: RawTable) -> SheetGrid:
    """The cells and merged ranges of ``table``'s sheet.

    Uses the sheet as the reader handed it over (``table.grid`` and ``table.merged``:
    XLSX and CSV); for a format without it (YAML, JSON, a plugin's), the grid is
    rebuilt from the table's header and rows.
    """
    if table.grid is not None:
        rows: list[tuple[int, list[Any]]] = []
        for line, cells in table.grid():
            if len(rows) >= MAX_ROWS:  # a timetable is small: the rest is not read
                break
            rows.append((line, list(cells[:MAX_COLUMNS])))
        merged = [(r.min_row, r.min_col, r.max_row, r.max_col) for r in table.merged]
        return SheetGrid(rows, merged, table.sheet)
    body: list[tuple[int, list[Any]]] = []
    for raw in table.rows:
        line = raw.line if raw.line is not None else (body[-1][0] + 1 if body else 1)
        body.append((line, [raw.cells.get(h) for h in table.headers]))
    # a YAML list's first row stands on the list's own line: the keys go just above it
    first = body[0][0] if body else (table.line or 1)
    header_line = min(table.line or first, first - 1)
    return SheetGrid([(header_line, list(table.headers)), *body], [], table.sheet)


# -- telling cells apart ---------------------------------------------------------------


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value)


def weekday_of(value: Any) -> int | None:
    """The ISO weekday a header cell names (``周六``, ``星期六``, ``Sat``), else ``None``."""
    text = _text(value).replace(" ", "")
    if not text or text.isdigit() or len(text) > 10:
        return None
    try:
        days = parse_weekdays(text)
    except BadValue:
        return None
    return next(iter(days)) if len(days) == 1 else None


def class_of(text: str) -> str | None:
    """The class a sheet name or title names (``三(2)班``, ``初一(2)班课程表``, ``3-2``,
    ``Class 3-2 timetable``, ``Grade 3 Class 2``)."""
    text = normalize_text(text)
    try:
        return parse_class(text)
    except BadValue:
        pass
    match = _CLASS_IN_TEXT.search(text.replace(" ", ""))
    if match:
        try:
            return parse_class(match.group(0))
        except BadValue:
            return None
    english = _CLASS_IN_ENGLISH.search(text)
    if english:
        grade, number = english.group(1) or english.group(3), english.group(2) or english.group(4)
        return f"{grade}-{int(number)}" if int(number) >= 1 else None
    return None


def period_number(text: str) -> int | None:
    """``第3节`` / ``第三节`` / a bare ``3`` → 3."""
    match = _PERIOD_RE.search(text)
    if match:
        token = match.group(1)
        if token.isdigit():
            return int(token)
        if len(token) == 1:
            return _CN_NUMBER.get(token)
        return 10 + _CN_NUMBER.get(token[1], 0) if token[0] == "十" else None
    match = _BARE_PERIOD_RE.match(text)
    return int(match.group(1)) if match else None


def period_times(text: str, cells: Sequence[Any]) -> tuple[Clock | None, Clock | None]:
    """The period's start and end: a range in its text (``8:00-8:40``), or two time cells."""
    match = _RANGE_RE.search(text)
    if match:
        try:
            start = parse_time(match.group(1).replace(" ", "").replace(".", ":"))
            end = parse_time(match.group(2).replace(" ", "").replace(".", ":"))
        except BadValue:
            return None, None
        return (start, end) if end > start else (None, None)
    times = [parse_time(c) for c in cells if isinstance(c, dt.time | dt.datetime)]
    if len(times) == 2 and times[1] > times[0]:
        return times[0], times[1]
    return None, None


def subject_of(value: Any) -> str | None:
    """The subject a cell names, or ``None`` for no lesson.

    A second line (the teacher: ``语文\\n张老师``) and a trailing bracketed note
    (``体育（操场）``) are not part of the subject.
    """
    if value is None:
        return None
    text = str(value).replace("\r", "\n").split("\n")[0]
    text = _BRACKETED.sub("", normalize_text(text)).replace(" ", "")
    if not text or text in NO_LESSON:
        return None
    return text


def _is_note(text: str) -> bool:
    return is_note_text(text)  # exports.md's note rows, as the shaping stage tells them


def _non_lesson(text: str) -> bool:
    # the period cell, less its time and period number, names a non-lesson activity
    rest = _RANGE_RE.sub("", text)
    rest = _PERIOD_RE.sub("", rest).strip()
    if not rest:
        return False
    return any(name in rest for name in NON_LESSON_ROWS) or any(
        name in rest for name, activity in plugin_names().items() if activity != "lesson")


# -- the grid parser --------------------------------------------------------------------


def _filled(grid: SheetGrid) -> dict[int, list[Any]]:
    """Rows by line with each merged range's value copied into every cell of the range."""
    rows = {line: list(cells) for line, cells in grid.rows}
    for first_line, first_col, last_line, last_col in grid.merged:
        top = rows.get(first_line)
        value = top[first_col - 1] if top is not None and len(top) >= first_col else None
        if value is None:
            continue
        for line in range(first_line, last_line + 1):
            cells = rows.setdefault(line, [])
            if len(cells) < last_col:
                cells.extend([None] * (last_col - len(cells)))
            for col in range(first_col, last_col + 1):
                cells[col - 1] = value
    return rows


def _header_weekdays(cells: Sequence[Any]) -> dict[int, tuple[int, str]]:
    found: dict[int, tuple[int, str]] = {}
    for index, value in enumerate(cells):
        day = weekday_of(value)
        if day is not None and day not in {d for d, _ in found.values()}:
            found[index] = (day, _text(value))
    return found if len(found) >= 3 else {}


def _spans_weekdays(grid: SheetGrid, line: int, columns: Iterable[int]) -> bool:
    """Whether one merged range on ``line`` covers every weekday column (a 午休 row)."""
    cols = [c + 1 for c in columns]
    lo, hi = min(cols), max(cols)
    return any(a <= line <= b and c1 <= lo and c2 >= hi for a, c1, b, c2 in grid.merged)


def parse_sheet(grid: SheetGrid, file: str, school_id: str | None) -> TimetableRead:
    """Every grid of one sheet, its lesson records, its notes and its input problems."""
    out = TimetableRead()
    sheet = grid.sheet
    rows = _filled(grid)
    lines = sorted(rows)
    headers = [line for line in lines if _header_weekdays(rows[line])]
    if not headers:
        out.rows = len(grid.rows)  # none could be read: every row is counted rejected
        return out
    sheet_class = class_of(sheet) if sheet else None
    consumed: set[int] = set()
    for index, header_line in enumerate(headers):
        next_header = headers[index + 1] if index + 1 < len(headers) else None
        weekdays = _header_weekdays(rows[header_line])
        preamble = _preamble(rows, lines, header_line, headers[index - 1] if index else None,
                             consumed)
        consumed.update(preamble)
        consumed.add(header_line)
        title_line = preamble[0] if preamble else None
        title = _first_text(rows[title_line]) if title_line is not None else None
        for line in preamble:
            out.notes.append(Note(line, sheet, _row_text(rows[line]), "preamble"))
        first_day_col = min(weekdays)
        header_cells = rows[header_line]
        class_col = next((i for i in range(first_day_col)
                          if header_key(_text(_cell(header_cells, i))) in
                          {header_key(h) for h in CLASS_HEADERS}), None)
        period_cols = [i for i in range(first_day_col) if i != class_col]
        grid_class = sheet_class or (class_of(title) if title else None)
        found = Grid(header_line, title, title_line, grid_class,
                     int(grid_class.split("-")[0]) if grid_class else None, weekdays,
                     row_classes=[] if class_col is not None else None)
        out.grids.append(found)
        body = [ln for ln in lines if ln > header_line and (next_header is None or ln < next_header)]
        if next_header is not None:
            following = _preamble(rows, lines, next_header, header_line, consumed)
            body = [ln for ln in body if ln not in following]
        _read_body(grid, rows, body, found, class_col, period_cols, file, sheet, school_id, out)
        consumed.update(body)
    for line in lines:
        if line < headers[0] and line not in consumed:
            out.notes.append(Note(line, sheet, _row_text(rows[line]), "preamble"))
    return out


def _cell(cells: Sequence[Any], index: int) -> Any:
    return cells[index] if index < len(cells) else None


def _first_text(cells: Sequence[Any]) -> str | None:
    return next((_text(c) for c in cells if _text(c)), None)


def _row_text(cells: Sequence[Any]) -> str:
    """A row's distinct cells as written (a note shows what the school wrote)."""
    seen: list[str] = []
    for value in cells:
        text = "" if value is None else " ".join(str(value).split())
        if text and text not in seen:
            seen.append(text)
    return " ".join(seen)


def _preamble(rows: dict[int, list[Any]], lines: list[int], header_line: int,
              previous_header: int | None, consumed: set[int]) -> list[int]:
    """The title rows above a grid's header: everything above the first grid; above a
    later one, the rows of one distinct value just above it (``初一(2)班``)."""
    above = [ln for ln in lines if ln < header_line and (previous_header is None or
                                                          ln > previous_header)]
    above = [ln for ln in above if ln not in consumed]
    if previous_header is None:
        return above
    out: list[int] = []
    for line in reversed(above):
        texts = {_text(c) for c in rows[line] if _text(c)}
        if len(texts) != 1:
            break
        (text,) = texts
        if period_number(text) is not None or _non_lesson(text) or _is_note(text):
            break
        out.append(line)
        if len(out) == 2:
            break
    return sorted(out)


def _read_body(grid: SheetGrid, rows: dict[int, list[Any]], body: list[int], found: Grid,
               class_col: int | None, period_cols: list[int], file: str, sheet: str | None,
               school_id: str | None, out: TimetableRead) -> None:
    ordinal = 0
    in_notes = False
    row_class = found.class_
    for line in body:
        cells = rows[line]
        first = _first_text(cells)
        if first is None:
            continue
        if in_notes or _is_note(first):
            in_notes = True
            out.notes.append(Note(line, sheet, _row_text(cells), "note"))
            continue
        period_text = " ".join(dict.fromkeys(
            t for t in (_text(_cell(cells, i)) for i in period_cols) if t))
        day_values = {col: _cell(cells, col) for col in found.weekdays}
        distinct = {_text(c) for c in cells if _text(c)}
        if (_spans_weekdays(grid, line, found.weekdays) or _non_lesson(period_text)
                or (len(distinct) == 1 and period_number(period_text) is None
                    and not any(subject_of(v) for v in day_values.values()))):
            # 午休, 大课间, a row merged across the weekdays, a lone 上午/下午 label (a
            # lone 第3节 is a period with no lesson: a blank grid's rows are read, not passed over)
            out.notes.append(Note(line, sheet, _row_text(cells), "section"))
            continue
        ordinal += 1
        out.rows += 1  # a period row is a data row read (its lessons are the records)
        number = period_number(period_text) or ordinal
        start, end = period_times(period_text, [_cell(cells, i) for i in period_cols])
        found.periods.append((line, number, start, end))
        if class_col is not None:
            # a blank class cell continues the class above (as a merged one would)
            named = _text(_cell(cells, class_col))
            if named:
                row_class = class_of(named)
                if row_class is None:  # whose lessons these are cannot be told: not taken
                    out.rejected += 1
                    column = _text(_cell(rows[found.header_line], class_col))
                    out.problems.append(InputProblem(
                        "INP001", Location(file, line, column, sheet),
                        Msg("cell.unreadable", value=repr(named[:40]), column=column,
                            expected=EXPECT_CLASS), school_id,
                        {"column": column, "value": named[:40]}))
                    continue
        if found.row_classes is not None:
            found.row_classes.append(row_class)
        for col, (day, header) in sorted(found.weekdays.items()):
            subject = subject_of(day_values[col])
            if subject is None:
                continue
            values = {
                "class": row_class,
                "grade": int(row_class.split("-")[0]) if row_class else None,
                "weekday": day,
                "period": number,
                "subject": subject,
                "text": parse_text(day_values[col]),
                "start": start,
                "end": end,
                "grid_line": found.line,
                "title": found.title,
            }
            out.records.append(Record("timetable", values, Location(file, line, header, sheet),
                                      school_id))


# -- the document kind -------------------------------------------------------------------

NO_HEADER = {
    "zh": "课程表中找不到星期表头（`周一`…`周日`、`星期一`…、`Mon`…）；{rows} 行未检查",
    "en": "no weekday header row (`周一`…`周日`, `星期一`…, `Mon`…) in the timetable; "
          "{rows} rows not checked",
}


def read_timetable(kind: DocumentKind, table: RawTable, doc: Document,
                   problems: list[InputProblem]) -> None:
    """Fill ``doc`` (records and notes) from the sheet ``table`` stands for."""
    sheet = table.sheet
    if sheet_passed_over(sheet):
        rows = sum(1 for _ in table.grid()) if table.grid is not None else 1
        doc.notes.append(Note(None, sheet, sheet or "", "instructions_sheet", max(rows, 1)))
        return
    grid = read_grid(table)
    if not grid.rows:  # the empty Sheet2 office software adds
        doc.notes.append(Note(None, sheet, sheet or "", "empty_sheet", 0))
        return
    got = parse_sheet(grid, doc.loc.file, doc.school_id)
    doc.records.extend(got.records)
    doc.grids.extend(grids_seen(got.grids, doc.loc.file, sheet))
    doc.notes.extend(got.notes)
    doc.rows_read += got.rows
    doc.rows_rejected += got.rejected
    if not got.grids:
        doc.rows_rejected += got.rows
        problems.append(InputProblem(
            "INP002", doc.loc, Msg(NO_HEADER, rows=got.rows), doc.school_id,
            {"columns": "周一…周日", "kind": kind.name},
            {"columns": ["周一", "周二", "周三", "周四", "周五"], "rows": got.rows}))
    problems.extend(got.problems)


def grid_template(sheet: Any, lang: str) -> list[list[str]]:
    """The timetable's blank template: a class's grid (:mod:`compliance.outputs.timetable_template`)."""
    from compliance.outputs.timetable_template import write_timetable_sheet

    return write_timetable_sheet(sheet, lang)


TIMETABLE = DocumentKind(
    name="timetable",
    stems=("课程表", "课表", "timetables"),
    title={"zh": "课程表", "en": "timetable"},
    fields=[
        Field("class", parse_class, ("班级",)),
        Field("period", parse_text, ("节次", "课节", "节")),
        *(Field(name, parse_text, aliases) for name, _, aliases in WEEKDAY_FIELDS),
    ],
    grid=read_timetable,
    template=grid_template,
)


@hookimpl
def compliance_document_kinds() -> list[DocumentKind]:
    return [TIMETABLE]
