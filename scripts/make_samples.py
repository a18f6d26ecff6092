"""Write the bundled sample submissions under ``samples/``.

Run it from anywhere with the project's interpreter::

    .venv/bin/python scripts/make_samples.py

It deletes and rewrites ``samples/`` and is deterministic: the same bytes on
every run, workbooks included, so regenerated samples diff cleanly.

The samples are one district folder (four schools sharing ``zones.yaml`` and
``calendar.yaml``) and one lone schedule file.  Two schools are meant to be
clean, one breaks every rule on purpose, one is clean but shares a student
with the rule-breaker.  Every violation planted on purpose is recorded with
its file and line as the file is written and listed in ``samples/README.md``,
so tests can be written against that table.  School days for the homework
logs come from the official calendar in ``chinese_calendar`` plus the
district's ``calendar.yaml``.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import shutil
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, NamedTuple

import chinese_calendar
import openpyxl
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
DISTRICT = "zhongshan"

Row = dict[str, Any]

# A row may carry the codes it is planted to trigger, and why, under this key.
# Writers strip it, and record the row's line for the README.
PLANT = "_plant"

# Codes whose parameters only the national-2021 profile fills (rules.md).
NATIONAL_ONLY = frozenset({"HRS004", "HWK005", "HWK006", "HWK007"})

# Fixed stamp for the XLSX zip entries and document properties.
FROZEN = dt.datetime(2025, 9, 1, 8, 0, 0)

# --------------------------------------------------------------------------
# Calendar
# --------------------------------------------------------------------------

FALL_TERM = ("2025秋季学期", dt.date(2025, 9, 1), dt.date(2026, 1, 16))
SPRING_TERM = ("2025春季学期", dt.date(2025, 2, 17), dt.date(2025, 7, 4))

# calendar.yaml of the district: one local rest day inside the homework
# periods, so a checker that ignores calendar.yaml reports missing homework.
LOCAL_HOLIDAYS = (dt.date(2025, 10, 10),)
LOCAL_WORKDAYS: tuple[dt.date, ...] = ()

MAKE_UP_SUNDAY = dt.date(2025, 9, 28)
MAKE_UP_SATURDAY = dt.date(2025, 10, 11)
NATIONAL_DAY = dt.date(2025, 10, 3)
PLAIN_SATURDAY = dt.date(2025, 10, 18)
SUMMER_DAY = dt.date(2025, 8, 20)


def check(condition: bool, message: str) -> None:
    """Stop with ``message`` when something the samples assume does not hold."""
    if not condition:
        raise SystemExit(f"make_samples: {message}")


def check_calendar() -> None:
    """The planted dates only mean something if the official calendar agrees."""
    for day in (MAKE_UP_SUNDAY, MAKE_UP_SATURDAY):
        check(
            chinese_calendar.is_workday(day) and day.isoweekday() >= 6,
            f"{day} should be an official make-up working day",
        )
    on_holiday, name = chinese_calendar.get_holiday_detail(NATIONAL_DAY)
    check(on_holiday and name is not None, f"{NATIONAL_DAY} should be a public holiday")
    on_holiday, name = chinese_calendar.get_holiday_detail(PLAIN_SATURDAY)
    check(
        on_holiday and name is None and PLAIN_SATURDAY.isoweekday() == 6,
        f"{PLAIN_SATURDAY} should be a plain Saturday",
    )
    check(
        chinese_calendar.is_workday(SUMMER_DAY) and SPRING_TERM[2] < SUMMER_DAY < FALL_TERM[1],
        f"{SUMMER_DAY} should be a weekday of the summer vacation",
    )
    for day in LOCAL_HOLIDAYS:
        check(chinese_calendar.is_workday(day), f"local holiday {day} should be a weekday")


def school_days(first: dt.date, last: dt.date) -> list[dt.date]:
    """School days from ``first`` to ``last``: official workdays (make-up days
    included) minus the district's local holidays, plus its local workdays."""
    check(FALL_TERM[1] <= first <= last <= FALL_TERM[2], "homework periods lie in the fall term")
    days: list[dt.date] = []
    day = first
    while day <= last:
        official = chinese_calendar.is_workday(day) and day not in LOCAL_HOLIDAYS
        if official or day in LOCAL_WORKDAYS:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


# --------------------------------------------------------------------------
# Headers and value styles
# --------------------------------------------------------------------------

# Canonical column order per kind, with the Chinese alias used as a header.
COLUMNS: dict[str, dict[str, str]] = {
    "schedule": {
        "school_id": "学校代码",
        "days": "星期",
        "date": "日期",
        "start": "开始时间",
        "end": "结束时间",
        "activity": "活动类型",
        "compulsory": "是否强制",
        "grades": "年级",
        "title": "内容",
    },
    "enrollment": {
        "student_id": "学籍号",
        "name": "姓名",
        "grade": "年级",
        "residence_zone": "居住学区",
        "residence_address": "居住地址",
        "hukou_zone": "户籍学区",
        "migrant_worker_child": "随迁子女",
        "residence_permit": "居住证",
        "special_category": "优抚类别",
        "admission_basis": "录取方式",
    },
    "materials": {
        "grade": "年级",
        "subject": "学科",
        "title": "书名",
        "type": "类别",
        "compulsory_purchase": "是否统一征订",
        "catalog_id": "目录编号",
        "quantity": "数量",
        "unit_price": "单价",
    },
    "homework": {
        "date": "日期",
        "class": "班级",
        "subject": "学科",
        "minutes": "预计时长",
        "written": "书面作业",
        "published": "是否公示",
    },
}

# Column order of the enrollment tables below: the facts every row has come first.
ENROLLMENT_COLUMNS = (
    "student_id name grade admission_basis residence_zone residence_address hukou_zone "
    "migrant_worker_child residence_permit special_category"
)

CN_DIGIT = "零一二三四五六七八九"


def class_style(cls: str, style: int) -> str:
    """``3-1`` as ``3-1``, ``3年级1班`` or ``三(1)班`` (style 0, 1, 2)."""
    grade, number = cls.split("-")
    forms = (cls, f"{grade}年级{number}班", f"{CN_DIGIT[int(grade)]}({number})班")
    return forms[style % 3]


def styled_date(day: dt.date, sep: str) -> str:
    """``2025/9/28`` or ``2025.9.28``; ``sep`` ``年`` gives ``2025年9月28日``."""
    if sep == "年":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.year}{sep}{day.month}{sep}{day.day}"


def yes_no(value: bool) -> str:
    return "是" if value else "否"


# --------------------------------------------------------------------------
# YAML text (written by hand: the samples show what a person would type)
# --------------------------------------------------------------------------

_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`][^:#,\[\]{}]*(?<!\s)")
_LOOKS_TYPED = re.compile(
    r"(?i:true|false|yes|no|on|off|y|n|null|~)|[-+]?[\d._:]+(e[-+]?\d+)?|\d{4}-\d\d?-\d\d?.*"
)


def yaml_scalar(value: Any) -> str:
    """A value as YAML would read it back: strings quoted only when needed."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | dt.date):
        return value.isoformat() if isinstance(value, dt.date) else str(value)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(yaml_scalar(v) for v in value) + "]"
    text = str(value)
    if _PLAIN.fullmatch(text) and not _LOOKS_TYPED.fullmatch(text):
        return text
    return "'" + text.replace("'", "''") + "'"


def yaml_flow(row: Row) -> str:
    return "{" + ", ".join(f"{k}: {yaml_scalar(v)}" for k, v in row.items()) + "}"


# --------------------------------------------------------------------------
# Writers that remember where the planted rows landed
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """A finding planted on purpose."""

    school: str
    code: str
    file: str  # relative to samples/
    line: int | None  # None: the finding is about a class or a day, not a row
    why: str

    @property
    def profiles(self) -> str:
        return "national-2021" if self.code in NATIONAL_ONLY else "both"


def _clean(row: Row) -> Row:
    return {k: v for k, v in row.items() if not k.startswith("_")}


def plant(row: Row, codes: str, why: str) -> Row:
    """``row`` marked as meant to trigger ``codes`` (space separated)."""
    return {**row, PLANT: (tuple(codes.split()), why)}


class Plant(NamedTuple):
    """Ends a :func:`table` record that is meant to trigger ``codes`` (space separated)."""

    codes: str
    why: str


def table(columns: str, *records: tuple[Any, ...]) -> list[Row]:
    """Rows from space-separated column names and one tuple per row.

    A record may stop early (the rest is empty) and may end with a :class:`Plant`;
    ``None`` leaves a cell out: absent in YAML and JSON, empty in CSV and XLSX.
    """
    names = columns.split()
    rows: list[Row] = []
    for record in records:
        mark = record[-1] if record and isinstance(record[-1], Plant) else None
        values = record[:-1] if mark else record
        check(len(values) <= len(names), f"{values!r} has more cells than {columns!r}")
        row = {n: v for n, v in zip(names, values, strict=False) if v is not None}
        rows.append(plant(row, *mark) if mark else row)
    return rows


class Samples:
    """Writes files under ``samples/`` and collects the findings planted in them."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.expected: list[Expected] = []
        self.files: list[str] = []

    # -- bookkeeping -------------------------------------------------------

    def expect(self, school: str, code: str, rel: str, line: int | None, why: str) -> None:
        self.expected.append(Expected(school, code, rel, line, why))

    def _note_plants(self, school: str, rel: str, rows: Iterable[tuple[int, Row]]) -> None:
        for line, row in rows:
            if PLANT in row:
                codes, why = row[PLANT]
                for code in codes:
                    self.expect(school, code, rel, line, why)

    def _path(self, rel: str) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        self.files.append(rel)
        return path

    # -- formats -----------------------------------------------------------

    def text(self, rel: str, content: str) -> None:
        self._path(rel).write_text(content, encoding="utf-8")

    def csv(
        self,
        rel: str,
        school: str,
        kind: str,
        rows: Sequence[Row],
        *,
        chinese: bool,
        encoding: str = "utf-8",
        crlf: bool = False,
    ) -> None:
        """A table with canonical or Chinese headers; ``encoding`` ``gbk`` or
        ``utf-8-sig`` writes it the way Excel in China does."""
        columns = [c for c in COLUMNS[kind] if any(c in r for r in rows)]
        header = [COLUMNS[kind][c] if chinese else c for c in columns]
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n" if crlf else "\n")
        writer.writerow(header)
        for row in rows:
            writer.writerow(["" if row.get(c) is None else str(row[c]) for c in columns])
        self._path(rel).write_bytes(buffer.getvalue().encode(encoding))
        self._note_plants(school, rel, enumerate(rows, start=2))

    def yaml_list(
        self,
        rel: str,
        school: str,
        rows: Sequence[Row],
        *,
        comment: str,
        kind: str | None = None,
        flow: bool = False,
    ) -> None:
        """Rows as a YAML list, top-level or under ``{kind: ..., rows: [...]}``."""
        lines = [f"# {c}" for c in comment.splitlines()]
        indent = ""
        if kind is not None:
            lines += [f"kind: {kind}", "rows:"]
            indent = "  "
        placed: list[tuple[int, Row]] = []
        for row in rows:
            placed.append((len(lines) + 1, row))
            values = _clean(row)
            if flow:
                lines.append(f"{indent}- {yaml_flow(values)}")
                continue
            for i, (key, value) in enumerate(values.items()):
                lead = "- " if i == 0 else "  "
                lines.append(f"{indent}{lead}{key}: {yaml_scalar(value)}")
        self.text(rel, "\n".join(lines) + "\n")
        self._note_plants(school, rel, placed)

    def json_rows(self, rel: str, school: str, rows: Sequence[Row], *, kind: str | None = None) -> None:
        """One row per line, a top-level list or ``{"kind": ..., "rows": [...]}``."""

        def encode(row: Row) -> str:
            clean = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in _clean(row).items()}
            return json.dumps(clean, ensure_ascii=False)

        body = ",\n".join(f"{'    ' if kind else '  '}{encode(r)}" for r in rows)
        if kind is None:
            content, first = f"[\n{body}\n]\n", 2
        else:
            content, first = f'{{\n  "kind": "{kind}",\n  "rows": [\n{body}\n  ]\n}}\n', 4
        self.text(rel, content)
        self._note_plants(school, rel, enumerate(rows, start=first))

    def xlsx(self, rel: str, school: str, kind: str, rows: Sequence[Row], *, sheet: str) -> None:
        """First sheet, Chinese headers, native time, date and boolean cells."""
        columns = [c for c in COLUMNS[kind] if any(c in r for r in rows)]
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = sheet
        ws.append([COLUMNS[kind][c] for c in columns])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([row.get(c) for c in columns])
        for line in ws.iter_rows(min_row=2):
            for cell in line:
                if isinstance(cell.value, dt.time):
                    cell.number_format = "h:mm"
                elif isinstance(cell.value, dt.datetime | dt.date):
                    cell.number_format = "yyyy-mm-dd"
        for index, column in enumerate(columns):
            width = 24 if column in ("title", "grades") else 12
            ws.column_dimensions[get_column_letter(index + 1)].width = width
        ws.freeze_panes = "A2"
        book.properties.creator = "make_samples.py"
        book.properties.created = FROZEN
        buffer = io.BytesIO()
        book.save(buffer)
        self._path(rel).write_bytes(_freeze_zip(buffer.getvalue()))
        self._note_plants(school, rel, enumerate(rows, start=2))


def _freeze_zip(data: bytes) -> bytes:
    """The workbook with fixed timestamps, so every run writes the same bytes."""
    stamp = FROZEN.strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            payload = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                payload = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>" + stamp, payload)
            frozen = zipfile.ZipInfo(info.filename, date_time=FROZEN.timetuple()[:6])
            frozen.compress_type = zipfile.ZIP_DEFLATED
            frozen.external_attr = info.external_attr
            dst.writestr(frozen, payload)
    return out.getvalue()


# --------------------------------------------------------------------------
# Schools
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class School:
    folder: str
    id: str
    name: str
    level: str
    area: str
    catchment: tuple[str, ...]
    classes: tuple[str, ...]
    site: str
    terms: tuple[tuple[str, dt.date, dt.date], ...] = (FALL_TERM,)
    schedule_published: bool = True
    timetable_published: bool = True

    def rel(self, name: str) -> str:
        return f"{DISTRICT}/{self.folder}/{name}"


def write_school_yaml(out: Samples, school: School) -> None:
    """school.yaml laid out as in submission.md; unpublished items are planted."""

    def published(flag: bool, path: str) -> str:
        if not flag:
            return "{published: false}"
        return f"{{published: true, url: https://{school.site}/{path}, date: 2025-08-28}}"

    terms = [f"    - {{name: {n}, start: {s.isoformat()}, end: {e.isoformat()}}}" for n, s, e in school.terms]
    lines = [
        "school:",
        f"  id: {school.id}",
        f"  name: {school.name}",
        f"  level: {school.level}",
        f"  area: {school.area}",
        "  boarding: false",
        "  district: 中山区",
        f"  catchment: [{', '.join(school.catchment)}]",
        f"  classes: [{', '.join(school.classes)}]",
        "  terms:",
        *terms,
        "  disclosure:",
        f"    schedule:  {published(school.schedule_published, 'zuoxi')}",
        f"    timetable: {published(school.timetable_published, 'kebiao')}",
        f"    homework:  {{published: true, url: https://{school.site}/zuoye}}",
    ]
    rel = school.rel("school.yaml")
    out.text(rel, "\n".join(lines) + "\n")
    for code, key, flag in (
        ("HWK001", "schedule:", school.schedule_published),
        ("HWK002", "timetable:", school.timetable_published),
    ):
        if not flag:
            line = next(i for i, text in enumerate(lines, 1) if text.strip().startswith(key))
            what = "作息时间表" if code == "HWK001" else "课程表"
            out.expect(school.id, code, rel, line, f"disclosure.{key[:-1]} not published ({what})")


# --------------------------------------------------------------------------
# Homework
# --------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One homework log line before it is styled for a file."""

    day: dt.date
    cls: str
    subject: str
    minutes: int
    written: bool = True
    published: bool = True
    plant: Plant | None = None

    def row(self, values: Row) -> Row:
        return plant(values, *self.plant) if self.plant else values


def split_minutes(total: int, subjects: Sequence[str]) -> list[tuple[str, int]]:
    """``total`` minutes shared among ``subjects`` in steps of five."""
    steps = total // 5
    n = len(subjects)
    return [(s, 5 * (steps // n + (1 if i < steps % n else 0))) for i, s in enumerate(subjects)]


def written(day: dt.date, cls: str, total: int, subjects: Sequence[str]) -> list[Entry]:
    return [Entry(day, cls, s, m) for s, m in split_minutes(total, subjects)]


def primary_day(index: int, day: dt.date, cls: str) -> list[Entry]:
    """A compliant primary day: no written work in grades 1-2, at most 60 minutes above."""
    grade = int(cls.split("-")[0])
    if grade <= 2:
        if index % 4 == 3:
            return [Entry(day, cls, "无", 0, written=False)]
        entries = [Entry(day, cls, "语文", 15 if index % 2 else 10, written=False)]
        if grade == 2 and index % 2 == 0:
            entries.append(Entry(day, cls, "数学", 5, written=False))
        return entries
    if grade <= 4:
        if day.isoweekday() == 5:
            return [Entry(day, cls, "无", 0, written=False)]
        return written(day, cls, (30, 40, 35, 45, 40, 50)[index % 6], ("语文", "数学"))
    entries = written(day, cls, (45, 50, 60, 40, 55, 50)[index % 6], ("语文", "数学", "英语"))
    if day.isoweekday() in (1, 3):  # reading is not written homework
        entries.append(Entry(day, cls, "课外阅读", 30, written=False))
    return entries


def primary_log(days: Sequence[dt.date], classes: Sequence[str]) -> list[Entry]:
    return [e for i, day in enumerate(days) for cls in classes for e in primary_day(i, day, cls)]


def junior_log(days: Sequence[dt.date], classes: Sequence[str]) -> list[Entry]:
    """Compliant junior days; 7-1 reaches the 90-minute limit without passing it."""
    totals = {
        "7": (75, 80, 90, 70, 85, 60, 90),
        "8": (80, 70, 85, 75, 80, 65, 70),
        "9": (85, 90, 80, 85, 75, 90, 80),
    }
    entries: list[Entry] = []
    for i, day in enumerate(days):
        for cls in classes:
            total = totals[cls[0]][i % 7]
            entries += written(day, cls, total, ("语文", "数学", "英语"))
            if total == 90:
                entries.append(Entry(day, cls, "体育", 15, written=False))
    return entries


# --------------------------------------------------------------------------
# District
# --------------------------------------------------------------------------

ZONES_YAML = """\
# 中山区义务教育学区划分（2025年）
zones:
  Z01:
    name: 一学区
    communities: [桃源小区, 华府家园]
    streets:
      - {street: 解放路, from: 1, to: 199}
      - {street: 中山路}
    except: [卫华住宅小区]              # 中山路上的卫华住宅小区划入二学区
  Z02:
    name: 二学区
    communities: [卫华住宅小区, 锦绣花园, 新城佳苑]
    streets:
      - {street: 解放路, from: 200, to: 399}
      - {street: 人民路, from: 1, to: 99}
  Z03:
    name: 三学区
    communities: [滨江花园, 书香名邸, 阳光小区]
    streets:
      - {street: 人民路, from: 100, to: 299}
      - {street: 滨江大道}
  Z04:
    name: 四学区（石桥镇）
    communities: [石桥村, 柳林村, 新街社区]
    streets:
      - {street: 石桥镇老街}
"""


def write_district(out: Samples) -> None:
    out.text(f"{DISTRICT}/zones.yaml", ZONES_YAML)
    holidays = ", ".join(d.isoformat() for d in LOCAL_HOLIDAYS)
    workdays = ", ".join(d.isoformat() for d in LOCAL_WORKDAYS)
    out.text(
        f"{DISTRICT}/calendar.yaml",
        (
            "# 中山区2025年校历调整（区教育局通知）\n"
            f"holidays:      [{holidays}]            # 全区中小学秋季运动会，放假一天\n"
            f"workdays:      [{workdays}]\n"
        ),
    )


# --------------------------------------------------------------------------
# ZS-001: urban primary, clean under both profiles
# --------------------------------------------------------------------------

ZS001 = School(
    folder="zs-001",
    id="ZS-001",
    name="中山区第一小学",
    level="primary",
    area="urban",
    catchment=("Z01", "Z02"),
    classes=("1-1", "1-2", "2-1", "3-1", "4-1", "5-1", "6-1"),
    site="zs001.example.edu",
)


def write_zs001(out: Samples) -> None:
    school = ZS001
    write_school_yaml(out, school)

    # fmt: off
    schedule = table(
        "days date start end activity compulsory grades title",
        ("Mon-Fri", None, "08:00", "08:20", "morning_reading", None, None, "晨读"),
        ("Mon-Fri", None, "08:20", "09:00", "lesson", None, None, "第1节"),
        ("Mon-Fri", None, "09:10", "09:50", "lesson", None, None, "第2节"),
        ("Mon-Fri", None, "09:50", "10:20", "exercise", None, None, "大课间"),
        ("Mon-Fri", None, "10:20", "11:00", "lesson", None, None, "第3节"),
        ("Mon-Fri", None, "11:10", "11:50", "lesson", None, None, "第4节"),
        ("Mon-Fri", None, "11:50", "13:40", "lunch", None, None, "午餐午休"),
        ("Mon-Fri", None, "13:40", "14:20", "lesson", None, None, "第5节"),
        ("Mon-Fri", None, "14:30", "15:10", "lesson", None, None, "第6节"),
        ("Mon,Wed", None, "15:20", "16:00", "lesson", None, [5, 6], "第7节（高年级）"),
        ("Tue,Thu", None, "15:20", "16:20", "club", None, ["三年级", "四年级"], "社团活动"),
        ("Mon-Fri", None, "15:20", "18:00", "after_school_service", False, None,
         "课后服务（家长自愿申请）"),
        (None, MAKE_UP_SUNDAY, "08:20", "15:10", "lesson", None, None,
         "国庆调休上课（执行周一课表）"),
        (None, MAKE_UP_SATURDAY, "08:20", "15:10", "lesson", None, None,
         "国庆调休上课（执行周五课表）"),
        (None, dt.date(2025, 10, 16), "08:30", "15:00", "field_trip", None, [4],
         "秋季研学（自然博物馆）"),
        (None, dt.date(2025, 11, 13), "08:20", "11:00", "exam", None, [3, 4, 5, 6],
         "期中学业质量监测"),
    )
    # fmt: on
    out.yaml_list(
        school.rel("schedule.yaml"),
        school.id,
        schedule,
        kind="schedule",
        comment="中山区第一小学 2025秋季学期作息时间表",
    )

    days = school_days(dt.date(2025, 9, 22), dt.date(2025, 10, 17))
    homework = [
        {
            "date": styled_date(e.day, "/"),
            "class": class_style(e.cls, school.classes.index(e.cls)),
            "subject": e.subject,
            "minutes": e.minutes,
            "written": yes_no(e.written),
            "published": yes_no(e.published),
        }
        for e in primary_log(days, school.classes)
    ]
    out.csv(school.rel("homework.csv"), school.id, "homework", homework, chinese=True)

    # fmt: off
    materials = table(
        "grade subject title type compulsory_purchase catalog_id quantity unit_price",
        (1, "语文", "义务教育教科书·语文 一年级上册", "textbook", "true", None, 86, "9.85"),
        (2, "语文", "没头脑和不高兴", "reading", "false", None, 40, "18.00"),
        (3, "数学", "数学同步练习 三年级上册", "workbook", "false", "ZS-JF-2025-032", 38, "8.50"),
        ("四年级", "英语", "英语活动手册 四年级上册", "workbook", "false", "ZS-JF-2025-045", 41,
         "7.20"),
        (5, "语文", "小学生必背古诗词75首", "reading", "false", None, 30, "22.00"),
        (6, "数学", "数学单元测试卷 六年级上册", "test_paper", "false", "ZS-JF-2025-063", 44,
         "6.80"),
    )
    # fmt: on
    out.csv(school.rel("materials.csv"), school.id, "materials", materials, chinese=False)

    # fmt: off
    enrollment = table(
        ENROLLMENT_COLUMNS,
        ("G210202201809125311", "张子涵", 1, "nearby", "Z01"),
        ("G210202201811036428", "李沐阳", 1, "nearby", None, "中山区解放路199号"),
        ("G210202201902145527", "王若曦", 1, "lottery", None, "中山区华府家园12栋2单元301"),
        ("G210202201810274016", "刘嘉懿", 1, "nearby", "Z02", None, "Z02"),
        ("G210202201812306633", "陈一鸣", 1, "nearby", None, "中山区人民路56号"),
        ("G411323201901186245", "杨欣怡", 1, "nearby", None, "中山区锦绣花园3栋1单元502", None,
         "Y", "Y"),
        ("G21020220190305002X", "赵俊熙", 1, "lottery", None, "中山区中山路18号"),
        ("G210202201904217741", "黄诗琪", 1, "nearby", "Z01", None, "Z01", "N"),
    )
    # fmt: on
    out.csv(school.rel("enrollment.csv"), school.id, "enrollment", enrollment, chinese=False)


# --------------------------------------------------------------------------
# ZS-002: urban nine-year school, every rule broken on purpose
# --------------------------------------------------------------------------

ZS002 = School(
    folder="zs-002",
    id="ZS-002",
    name="中山区实验学校",
    level="nine_year",
    area="urban",
    catchment=("Z02", "Z03"),
    classes=("1-1", "2-1", "3-1", "6-1", "7-1", "9-1"),
    site="zs002.example.edu",
    terms=(SPRING_TERM, FALL_TERM),
    schedule_published=False,
    timetable_published=False,
)

SHARED_STUDENT = "G210202201203154321"  # admitted by ZS-002 and ZS-004


def write_zs002(out: Samples) -> None:
    school = ZS002
    write_school_yaml(out, school)

    w = "周一至周五"
    # fmt: off
    schedule = table(
        "days date start end activity compulsory grades title",
        (w, None, "7点20", "7:50", "早读", "是", "七年级、八年级、九年级", "初中部早读",
         Plant("HRS001", "compulsory morning reading starts 07:20 < 08:00")),
        (w, None, "8:20", "11:50", "上课", None, "一年级、二年级、三年级、四年级、五年级",
         "小学部上午第1-4节"),
        (w, None, "８：００", "11:50", "上课", None, "六年级", "六年级上午提前上课",
         Plant("HRS004", "grade 6 (primary) lesson at 08:00 < 08:20")),
        (w, None, "8:00", "11:50", "上课", None, "初一、初二、初三", "初中部上午第1-4节"),
        (w, None, "11:50", "13:30", "午餐午休", None, None, "午餐午休"),
        (w, None, "13:30", "15:50", "上课", None, None, "下午第5-7节"),
        (w, None, "15:50", "16:40", "课后服务", "否", None, "课后服务（自愿参加）"),
        ("星期五", None, "16:40", "17:30", "自习", "是", "九年级", "毕业班周五延时自习",
         Plant("HRS002 HRS003", "compulsory self-study ends 17:30 > 17:00; "
                                "grade 9's Friday runs 07:20-17:30")),
        ("周六", None, "8点", "11:30", "上课", None, "九年级", "毕业班周六上课",
         Plant("HOL004", "recurring lesson on Saturday")),
        (None, styled_date(NATIONAL_DAY, "年"), "8:00", "11:30", "补课", "是", "九年级",
         "国庆假期毕业班补课",
         Plant("HOL001", "remedial class on 2025-10-03, National Day holiday")),
        (None, styled_date(PLAIN_SATURDAY, "/"), "8点30", "11:00", "考试", None, "初三",
         "九年级第一次月考",
         Plant("HOL002", "exam on 2025-10-18, a plain Saturday")),
        (None, styled_date(SUMMER_DAY, "."), "8:30", "11:30", "上课", None, "初一",
         "新初一暑期衔接课",
         Plant("HOL003", "lesson on 2025-08-20, summer vacation (between the terms)")),
    )
    # fmt: on
    out.csv(
        school.rel("作息时间表.csv"),
        school.id,
        "schedule",
        schedule,
        chinese=True,
        encoding="gbk",
        crlf=True,
    )

    out.yaml_list(
        school.rel("homework.yaml"),
        school.id,
        zs002_homework(out),
        flow=True,
        comment="中山区实验学校 作业公示 2025-09-22 至 2025-09-30",
    )

    zs002_timetable(out)

    # fmt: off
    materials = table(
        "grade subject title type compulsory_purchase catalog_id quantity unit_price",
        ("一年级", "语文", "义务教育教科书·语文 一年级上册", "教材", "是", None, 120, "9.85"),
        ("二年级", "数学", "口算天天练 二年级上", "练习册", "否", "ZS-JF-2025-021", 80, "9.80",
         Plant("WBK001", "workbook for grade 2")),
        ("七年级", "语文", "义务教育教科书·语文 七年级上册", "教材", "是", None, 150, "13.50"),
        ("七年级", "数学", "课时作业本 七年级数学上", "练习册", "是", "ZS-JF-2025-071", 150,
         "18.00", Plant("WBK002", "supplementary material students must buy")),
        ("七年级", "英语", "英语周报 七年级（2025秋季合订）", "试卷", "否", None, 150, "25.00",
         Plant("WBK003", "test papers not in the approved catalog")),
        ("九年级", "物理", "物理同步练习册 九年级全一册", "练习册", "否", "ZS-JF-2025-093", 150,
         "12.00", Plant("WBK004", "first of two supplementary titles for grade 9 physics")),
        ("九年级", "物理", "中考物理总复习", "教辅", "否", "ZS-JF-2025-094", 150, "32.00"),
        ("三年级", "语文", "小英雄雨来", "课外读物", "否", None, 40, "15.00"),
    )
    # fmt: on
    out.csv(school.rel("教辅征订.csv"), school.id, "materials", materials, chinese=True)

    # fmt: off
    enrollment = table(
        ENROLLMENT_COLUMNS,
        ("G210202201905083216", "王梓涵", "一年级", "就近", None, "中山区解放路256号2单元"),
        ("G210202201902174428", "刘一诺", "一年级", "摇号", "Z03"),
        ("G210202201811236013", "周欣妍", "一年级", "就近", None,
         "中山区中山路88号卫华住宅小区7栋"),
        ("G210202201304215537", "陈浩宇", "初一", "就近", None, "中山区桃源小区5栋1单元", "Z01",
         Plant("ENR001", "lives in Z01 (桃源小区), outside the catchment Z02/Z03")),
        ("G210202201301096674", "赵思远", "初一", "考试", "Z03",
         Plant("ENR002", "admitted by examination")),
        ("G210202201208302219", "孙雨桐", "初一", "面试", "Z02",
         Plant("ENR002", "admitted by interview")),
        ("G210202201310117745", "周子墨", "初一", "择校", "Z03",
         Plant("ENR003", "school-choice admission")),
        (f" {SHARED_STUDENT.lower()} ", "马浩然", "初一", "就近", "Z03",
         Plant("ENR004", "also admitted by ZS-004 (id written in lower case with spaces); "
               "one finding names both schools and files")),
        ("G513030201304102817", "何佳琪", "初一", "统筹安排", None, None, None, "是", "否",
         Plant("ENR005", "migrant worker's child with neither residence zone nor address")),
        ("G210202201307198853", "李振宇", "初一", "统筹安排", "Z04", None, None, None, None,
         "军人子女"),
    )
    # fmt: on
    out.yaml_list(
        school.rel("enrollment.yaml"),
        school.id,
        enrollment,
        comment="中山区实验学校 2025年秋季新生名单（一年级、七年级）",
    )


# A week per class as counts of lessons; the grid is filled day by day.
ZS002_TIMETABLE: tuple[tuple[str, str, dict[str, int], int], ...] = (
    # sheet, title, lessons, weekdays
    ("三(1)班", "三年级(1)班", {"语文": 7, "数学": 5, "英语": 3, "道法": 2, "科学": 2, "信息科技": 1,
                              "体育": 3, "音乐": 2, "美术": 2, "劳动": 1, "班会": 1, "书法": 1}, 5),
    ("六(1)班", "六年级(1)班", {"语文": 7, "数学": 6, "英语": 4, "道德与法治": 2, "科学": 2,
                              "信息技术": 1, "体育": 2, "音乐": 1, "美术": 1, "足球": 1,
                              "综合实践": 1}, 5),
    ("初一(1)班", "七年级(1)班", {"语文": 6, "数学": 6, "英语": 6, "道法": 2, "历史": 2, "地理": 2,
                               "物理": 2, "生物": 2, "信息科技": 1, "体育": 3, "音乐": 1, "美术": 1,
                               "劳动": 1, "班会": 1}, 6),
)
PERIOD_TIMES = ("8:20-9:00", "9:10-9:50", "10:20-11:00", "11:10-11:50", "13:30-14:10",
                "14:20-15:00", "15:10-15:50")


def zs002_timetable(out: Samples) -> None:
    """课程表.xlsx as office software writes it: a sheet per class, the title merged across
    the grid, 大课间 and 午休 rows merged across the weekdays, a note under the grid."""
    school, rel = ZS002, ZS002.rel("课程表.xlsx")
    book = openpyxl.Workbook()
    weekdays = ("周一", "周二", "周三", "周四", "周五", "周六")
    for index, (sheet, title, counts, days) in enumerate(ZS002_TIMETABLE):
        ws = book.active if index == 0 else book.create_sheet()
        ws.title = sheet
        last = get_column_letter(days + 1)
        ws["A1"] = f"{school.name}{title}课程表（2025学年第一学期）"
        ws["A1"].font = Font(bold=True, size=14)
        ws.merge_cells(f"A1:{last}1")
        ws.append(["节次", *weekdays[:days]])
        for cell in ws[2]:
            cell.font = Font(bold=True)
        lessons = [subject for subject, n in counts.items() for _ in range(n)]
        periods = len(PERIOD_TIMES)
        check(len(lessons) <= periods * days, f"{sheet}: more lessons than cells")
        grid: list[list[str | None]] = [[None] * days for _ in range(periods)]
        for n, subject in enumerate(lessons):  # day by day
            grid[n % periods][n // periods] = subject
        saturday_line = None
        for number in range(1, periods + 1):
            ws.append([f"第{number}节 {PERIOD_TIMES[number - 1]}", *grid[number - 1]])
            if days == 6 and grid[number - 1][5] and saturday_line is None:
                saturday_line = ws.max_row
            if number in (2, 4):
                ws.append(["大课间 9:50-10:20" if number == 2 else "午休 11:50-13:30"])
                ws.merge_cells(f"A{ws.max_row}:{last}{ws.max_row}")
        ws.append([])
        ws.append(["注：课程表已报区教育局备案。"])
        ws.column_dimensions["A"].width = 18
        total = len(lessons)
        if sheet == "六(1)班":
            out.expect(school.id, "CUR001", rel, 1, "六(1)班 has no 劳动 lesson")
            out.expect(school.id, "CUR002", rel, 1,
                       "六(1)班 has 2 体育 lessons, fewer than 3 (足球 is a school course, noted)")
        if sheet == "初一(1)班":
            out.expect(school.id, "CUR003", rel, 1,
                       f"初一(1)班 has {total} lessons a week (Saturday included) > 34")
            out.expect(school.id, "HOL004", rel, saturday_line,
                       "初一(1)班 has lessons in the 周六 column: one finding for the day, "
                       "at its first cell")
    book.properties.creator = "make_samples.py"
    book.properties.created = FROZEN
    buffer = io.BytesIO()
    book.save(buffer)
    out._path(rel).write_bytes(_freeze_zip(buffer.getvalue()))


def zs002_homework(out: Samples) -> list[Row]:
    """Every HWK finding in one short period, including a missed make-up Sunday."""
    school, rel = ZS002, ZS002.rel("homework.yaml")
    days = school_days(dt.date(2025, 9, 22), dt.date(2025, 9, 30))
    check(MAKE_UP_SUNDAY in days and len(days) == 8, "ZS-002 homework covers 8 school days")
    usual = {  # class: (written, minutes by subject)
        "1-1": (False, {"语文": 10}),
        "2-1": (False, {"数学": 10}),
        "3-1": (True, {"语文": 30, "数学": 30}),
        "6-1": (True, {"语文": 25, "数学": 25}),
        "7-1": (True, {"语文": 25, "数学": 25, "英语": 20}),
        "9-1": (True, {"语文": 30, "数学": 30, "物理": 20}),
    }
    log = {
        (day, cls): [Entry(day, cls, subject, m, written=w) for subject, m in minutes.items()]
        for day in days
        for cls, (w, minutes) in usual.items()
    }
    # fmt: off
    day = dt.date(2025, 9, 23)
    log[day, "2-1"] = [Entry(day, "2-1", "数学", 10,
                             plant=Plant("HWK005", "written homework for grade 2"))]
    day = dt.date(2025, 9, 26)
    log[day, "6-1"][1] = replace(log[day, "6-1"][1], published=False, plant=Plant(
        "HWK004", "entry not published (6-1 still has a published 语文 entry that day)"))
    day = dt.date(2025, 9, 29)
    log[day, "7-1"] = [
        Entry(day, "7-1", "语文", 40, plant=Plant(
            "HWK007", "7-1 on 2025-09-29: 120 written minutes > 90 (this row and the next "
                      "two); average stays 76.25")),
        Entry(day, "7-1", "数学", 40),
        Entry(day, "7-1", "英语", 40),
    ]
    day = dt.date(2025, 9, 30)
    log[day, "3-1"] = [
        Entry(day, "3-1", "语文", 60, plant=Plant(
            "HWK007", "3-1 on 2025-09-30: 150 written minutes > 60 (this row and the next two)")),
        Entry(day, "3-1", "数学", 50),
        Entry(day, "3-1", "英语", 40),
    ]
    # fmt: on
    out.expect(school.id, "HWK006", rel, None, "3-1 averages 71.25 written minutes a day (7 x 60 + 150) / 8")
    for day, why in ((dt.date(2025, 9, 25), "ordinary Thursday"), (MAKE_UP_SUNDAY, "make-up Sunday")):
        log[day, "9-1"] = []
        out.expect(school.id, "HWK003", rel, None, f"9-1 has no entry on {day} ({why})")

    def row(e: Entry) -> Row:
        values: Row = {
            "date": e.day,
            "class": e.cls,
            "subject": e.subject,
            "minutes": e.minutes,
            "written": e.written,
        }
        if not e.published:
            values["published"] = False
        return e.row(values)

    return [row(e) for entries in log.values() for e in entries]


# --------------------------------------------------------------------------
# ZS-003: rural primary, clean; early start allowed because rural
# --------------------------------------------------------------------------

ZS003 = School(
    folder="zs-003",
    id="ZS-003",
    name="中山区石桥镇中心小学",
    level="primary",
    area="rural",
    catchment=("Z04",),
    classes=("1-1", "2-1", "3-1", "4-1", "5-1", "6-1"),
    site="zs003.example.edu",
)


def write_zs003(out: Samples) -> None:
    school = ZS003
    write_school_yaml(out, school)

    w, t = "工作日", dt.time.fromisoformat
    # fmt: off
    schedule = table(
        "days date start end activity compulsory grades title",
        (w, None, t("07:30"), t("07:40"), "到校", None, None, "学生到校（校车接送）"),
        (w, None, t("07:40"), t("08:10"), "早读", None, None, "晨读"),
        (w, None, t("08:10"), t("08:20"), "集会", None, None, "晨会"),
        (w, None, t("08:20"), t("11:50"), "上课", None, None, "上午第1-4节（含大课间）"),
        (w, None, t("11:50"), t("13:30"), "午餐午休", None, None, "午餐午休（在校午餐）"),
        (w, None, t("13:30"), t("15:40"), "上课", None, None, "下午第5-7节"),
        (w, None, t("15:40"), t("16:40"), "课后服务", "否", None, "课后服务（看护、作业辅导）"),
        (None, MAKE_UP_SUNDAY, t("08:20"), t("15:40"), "上课", "是", None, "国庆调休上课"),
        (None, MAKE_UP_SATURDAY, t("08:20"), t("15:40"), "上课", "是", None, "国庆调休上课"),
        (None, dt.date(2025, 11, 13), t("08:20"), t("11:00"), "考试", None,
         "三年级、四年级、五年级、六年级", "期中测试"),
    )
    # fmt: on
    out.xlsx(school.rel("schedule.xlsx"), school.id, "schedule", schedule, sheet="作息时间表")

    days = school_days(dt.date(2025, 10, 13), dt.date(2025, 10, 17))
    homework = [
        {
            "date": e.day,
            "class": class_style(e.cls, 2),
            "subject": e.subject,
            "minutes": e.minutes,
            "written": e.written,
        }
        for e in primary_log(days, school.classes)
    ]
    out.xlsx(school.rel("作业公示.xlsx"), school.id, "homework", homework, sheet="作业公示")

    # fmt: off
    materials = table(
        "grade subject title type compulsory_purchase catalog_id quantity unit_price",
        (1, "语文", "义务教育教科书·语文 一年级上册", "textbook", True),
        (2, "语文", "小鲤鱼跳龙门", "reading", False),
        (3, "数学", "数学同步练习 三年级上册", "workbook", False, "ZS-JF-2025-032", 21, 8.5),
        (5, "英语", "英语活动手册 五年级上册", "workbook", False, "ZS-JF-2025-055", 19, 7.2),
    )
    # fmt: on
    out.json_rows(school.rel("materials.json"), school.id, materials, kind="materials")

    # fmt: off
    enrollment = table(
        ENROLLMENT_COLUMNS,
        ("G210202201906124418", "石佳怡", 1, "nearby", "Z04"),
        ("G210202201810091135", "柳浩轩", "一年级", "就近", None, "石桥镇柳林村二组17号"),
        ("G210202201901283352", "孙雅琪", 1, "nearby", None, "石桥镇老街23号"),
        ("G210202201812051264", "石天佑", 1, "nearby", None, "石桥镇石桥村三组", "Z04"),
    )
    # fmt: on
    out.yaml_list(
        school.rel("enrollment.yaml"),
        school.id,
        enrollment,
        flow=True,
        comment="石桥镇中心小学 2025年一年级新生名单",
    )


# --------------------------------------------------------------------------
# ZS-004: small urban junior school, clean on its own
# --------------------------------------------------------------------------

ZS004 = School(
    folder="zs-004",
    id="ZS-004",
    name="中山区滨江初级中学",
    level="junior",
    area="urban",
    catchment=("Z03", "Z04"),
    classes=("7-1", "8-1", "9-1"),
    site="zs004.example.edu",
)


def write_zs004(out: Samples) -> None:
    school = ZS004
    write_school_yaml(out, school)

    # fmt: off
    schedule = table(
        "days date start end activity compulsory grades title",
        ("1-5", None, "7:40", "8:00", "arrival", "N", None, "校门开放，可自愿提前到校"),
        ("1-5", None, "8:00", "8:45", "lesson", None, None, "第1节"),
        ("1-5", None, "8:55", "9:40", "lesson", None, None, "第2节"),
        ("1-5", None, "9:40", "10:10", "exercise", None, None, "大课间"),
        ("1-5", None, "10:10", "11:45", "lesson", None, None, "第3-4节"),
        ("1-5", None, "11:45", "13:30", "lunch", None, None, "午餐午休"),
        ("1-5", None, "13:30", "15:55", "lesson", None, None, "第5-7节"),
        ("1-5", None, "16:05", "17:00:00", "self_study", "Y", "9", "初三自习"),
        ("1-5", None, "17:00", "18:00", "after_school_service", "N", None, "课后服务（自愿）"),
        (None, styled_date(MAKE_UP_SATURDAY, "/"), "8:00", "15:55", "lesson", "Y", None,
         "国庆调休上课（执行周五课表）"),
        (None, "2025-11-06", "8:00", "11:30", "exam", None, "7;8;9", "期中考试"),
    )
    # fmt: on
    out.csv(school.rel("schedule.csv"), school.id, "schedule", schedule, chinese=False)

    days = school_days(dt.date(2025, 10, 9), dt.date(2025, 10, 17))
    check(len(days) == 7 and MAKE_UP_SATURDAY in days, "ZS-004 homework covers 7 school days")
    homework = [
        {
            "date": e.day,
            "class": e.cls,
            "subject": e.subject,
            "minutes": e.minutes,
            "written": e.written,
        }
        for e in junior_log(days, school.classes)
    ]
    out.json_rows(school.rel("homework.json"), school.id, homework)

    # fmt: off
    materials = table(
        "grade subject title type compulsory_purchase catalog_id",
        ("初一", "数学", "义务教育教科书·数学 七年级上册", "textbook", "yes"),
        ("初一", "数学", "数学同步练习 七年级上册", "workbook", "no", "ZS-JF-2025-072"),
        ("初二", "物理", "物理同步练习 八年级上册", "workbook", "no", "ZS-JF-2025-083"),
        ("初三", "化学", "化学学习与评价 九年级上册", "guide", "no", "ZS-JF-2025-095"),
    )
    # fmt: on
    out.yaml_list(
        school.rel("materials.yaml"),
        school.id,
        materials,
        comment="滨江初级中学 2025秋季教辅征订（学生自愿）",
    )

    # fmt: off
    enrollment = table(
        ENROLLMENT_COLUMNS,
        # Also admitted by ZS-002: ENR004 is reported once, at ZS-002's row, naming both.
        (SHARED_STUDENT, "马浩然", "初一", "就近", "Z03", None, "Z03", "否", None, ""),
        ("G210202201209273346", "林书瑶", "初一", "就近", None, "中山区滨江大道66号滨江花园2栋",
         None, "否"),
        ("G210202201211052214", "高子轩", "初一", "摇号", None, "中山区人民路168号", None, "否"),
        ("G210202201302148867", "吴梓萱", "初一", "就近", "Z04", None, None, "否"),
        ("G210202201305302435", "郑一帆", "初一", "就近", None, "中山区石桥镇柳林村三组", None,
         "否"),
        ("G513030201210184529", "罗婉清", "初一", "就近", None, "中山区书香名邸9栋", None, "是",
         "是"),
    )
    # fmt: on
    out.csv(
        school.rel("招生名单.csv"),
        school.id,
        "enrollment",
        enrollment,
        chinese=True,
        encoding="utf-8-sig",
    )


# --------------------------------------------------------------------------
# A lone schedule file whose school has no profile
# --------------------------------------------------------------------------


def write_single_file(out: Samples) -> None:
    lone, rel = "ZS-099", "single-file/schedule.csv"
    # fmt: off
    schedule = table(
        "school_id days start end activity compulsory grades title",
        (lone, "Mon-Fri", "7:30", "8:00", "morning_reading", None, None, "早读"),
        (lone, "Mon-Fri", "8:00", "11:40", "lesson", None, None, "上午第1-4节"),
        (lone, "Mon-Fri", "13:30", "17:40", "lesson", None, None, "下午第5-8节"),
        (lone, "周末", "8:00", "11:30", "remedial", "N", "初三", "周末培优班",
         Plant("HOL004", "weekend remedial class: HOL004 needs no profile, so it still runs")),
    )
    # fmt: on
    # With a profile this would also break HRS001 and HRS002; without one those are
    # skipped and the report names them.  HOL004 needs no profile and still runs.
    out.csv(rel, lone, "schedule", schedule, chinese=False)
    out.expect(lone, "INP005", rel, 2, "school_id ZS-099 has no school.yaml profile")


# --------------------------------------------------------------------------
# An export as a school's office software makes it (exports.md)
# --------------------------------------------------------------------------

EXPORT_SCHOOL = School(
    folder="cg-002",
    id="CG-002",
    name="城关第二小学",
    level="primary",
    area="urban",
    catchment=("Z01",),
    classes=("1-1", "2-1", "3-1", "4-1", "5-1", "6-1"),
    site="cg002.example.edu",
)
EXPORT_TITLE = "城关第二小学2025-2026学年第一学期作息时间表"


def write_export(out: Samples) -> None:
    """``exports/cg-002``: a school folder whose schedule is a real-looking export: a
    merged title, a two-row seasonal header, time ranges in one cell, period names, a
    merged section column and a footnote."""
    school = EXPORT_SCHOOL
    folder = "exports/cg-002"
    lines = [
        "school:",
        f"  id: {school.id}",
        f"  name: {school.name}",
        f"  level: {school.level}",
        f"  area: {school.area}",
        "  district: 城关区",
        f"  classes: [{', '.join(school.classes)}]",
        f"  terms:\n    - {{name: {FALL_TERM[0]}, start: {FALL_TERM[1]}, end: {FALL_TERM[2]}}}",
        "  disclosure:",
        f"    schedule: {{published: true, url: https://{school.site}/zuoxi, date: 2025-08-28}}",
        f"    timetable: {{published: true, url: https://{school.site}/kebiao, date: 2025-08-28}}",
        f"    homework: {{published: true, url: https://{school.site}/zuoye}}",
    ]
    out.text(f"{folder}/school.yaml", "\n".join(lines) + "\n")
    rel = f"{folder}/作息时间表.xlsx"
    summer, winter = "夏季（5月1日—9月30日）", "冬季（10月1日—4月30日）"
    rows: list[tuple[Any, ...]] = [
        (EXPORT_TITLE, None, None, None),
        ("时段", "节次", "作息时间", None),
        (None, None, summer, winter),
        ("上午", "学生到校", "7:40", "8:10"),
        (None, "晨读", "8:00—8:20", "8:10—8:25"),
        (None, "第一节", "8:25—9:05", "8:30—9:10"),
        (None, "大课间（含眼保健操）", "9:05—9:35", "9:10—9:40"),
        (None, "第二节", "9:35—10:15", "9:40—10:20"),
        (None, "第三节", "10:25—11:05", "10:30—11:10"),
        (None, "第四节", "11:15—11:55", "11:20—12:00"),
        ("中午", "午餐、午休", "11:55—14:00", "12:00—13:50"),
        ("下午", "第五节", "14:00—14:40", "13:50—14:30"),
        (None, "第六节", "14:50—15:30", "14:40—15:20"),
        (None, "第七节", "15:40—16:20", "16:30—17:10"),
        (None, "放学", "16:20", "17:10"),
        (None, "课后服务（一至三年级）", "16:20—17:30", "17:10—18:00"),
        ("注：1.本表自2025年9月1日起执行，冬季作息自10月1日起执行。2.课后服务学生自愿参加。",
         None, None, None),
    ]
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "作息时间表"
    for row in rows:
        ws.append(list(row))
    for ref in ("A1:D1", "A2:A3", "B2:B3", "C2:D2", "A4:A10", "A12:A16", "A17:D17"):
        ws.merge_cells(ref)
    for cell in (*ws[2], *ws[3]):
        cell.font = Font(bold=True)
    ws["A1"].font = Font(bold=True, size=14)
    for letter, width in zip("ABCD", (8, 24, 26, 26), strict=True):
        ws.column_dimensions[letter].width = width
    book.properties.creator = "make_samples.py"
    book.properties.created = FROZEN
    buffer = io.BytesIO()
    book.save(buffer)
    out._path(rel).write_bytes(_freeze_zip(buffer.getvalue()))
    out.expect(school.id, "HRS001", rel, 4, "summer arrival at 07:40 (compulsory) before 08:00; "
               "the finding names 夏季")
    out.expect(school.id, "HRS002", rel, 14, "winter 第七节 ends 17:10, after 17:00; the finding "
               "names 冬季")


# --------------------------------------------------------------------------
# README
# --------------------------------------------------------------------------

SAMPLE_NOTES: tuple[tuple[str, str, str], ...] = (
    (
        "zhongshan/",
        "—",
        "District folder: `zones.yaml` (Z01–Z04, house-number ranges, an `except` carve-out) "
        "and `calendar.yaml` (a local rest day, 2025-10-10, inside the homework periods).",
    ),
    (
        "zhongshan/zs-001/",
        "ZS-001",
        "Urban primary, clean. YAML schedule in `{kind, rows}` form starting 08:00/lessons "
        "08:20, voluntary after-school service to 18:00, make-up days 2025-09-28 and "
        "2025-10-11 taught; homework CSV (Chinese headers, mixed class styles) for every class "
        "on every school day 2025-09-22..10-17, skipping the National Day holiday and the "
        "local rest day; grades 1–2 non-written only; reading minutes are not written; "
        "catalog workbooks only; enrollment by zone and by address (解放路199号 is the top of "
        "Z01's range), a migrant worker's child with a residence permit.",
    ),
    (
        "zhongshan/zs-002/",
        "ZS-002",
        "Urban nine-year school breaking every rule once. GBK `作息时间表.csv` with "
        "`7点20`, `８：００`, `周一至周五`, `2025年10月3日`; homework YAML missing the make-up "
        "Sunday; `教辅征订.csv`; enrollment YAML with a carve-out address "
        "(卫华住宅小区 on 中山路 → Z02) and an exempt 军人子女 living in Z04. `课程表.xlsx`: one "
        "sheet per class as office software exports it (title merged across, 大课间 and 午休 "
        "rows merged, a note below): 三(1)班 meets the plan (书法 counts as 语文); 六(1)班 lacks "
        "劳动 and has 2 PE lessons, and its 足球 is a school course listed in the notes; "
        "初一(1)班 has a 周六 column and 36 lessons (物理/生物 count as 科学).",
    ),
    (
        "zhongshan/zs-003/",
        "ZS-003",
        "Rural primary, clean: arrival and morning reading from 07:30 are allowed outside "
        "towns (HRS001–003 apply to urban schools), lessons from 08:20 (HRS004 applies "
        "everywhere). XLSX schedule and homework with native time, date and boolean cells; "
        "JSON materials; enrollment by village address.",
    ),
    (
        "zhongshan/zs-004/",
        "ZS-004",
        "Urban junior school, clean on its own, and at the limits: lessons at 08:00, "
        "compulsory day 08:00–17:00 (exactly 9 h), a voluntary 07:40 arrival, grade-7 written "
        "homework of exactly 90 minutes on some days. `招生名单.csv` is UTF-8 with BOM and "
        "shares one student with ZS-002.",
    ),
    (
        "exports/cg-002/",
        "CG-002",
        "A school folder whose `作息时间表.xlsx` is an export as office software makes it: a "
        "merged title row, a two-row header (`作息时间` over `夏季（5月1日—9月30日）` and "
        "`冬季（10月1日—4月30日）`), time ranges in one cell (`8:25—9:05`), period names "
        "(`第一节`, `大课间（含眼保健操）`, `午餐、午休`, `课后服务（一至三年级）`), a merged "
        "section column and a footnote; no day column, so every row runs 周一至周五 (listed as "
        "assumed). The report lists the title, the note and the assumption.",
    ),
    (
        "single-file/schedule.csv",
        "ZS-099",
        "A lone schedule whose `school_id` has no profile. It starts at 07:30, runs to 17:40 "
        "and has a weekend remedial class: the rules that need a profile (area, terms, "
        "classes) are skipped and the report says so; HOL004 needs none and still reports the "
        "weekend class.",
    ),
)


def write_readme(out: Samples) -> None:
    by_school: dict[str, list[Expected]] = {}
    for item in out.expected:
        by_school.setdefault(item.school, []).append(item)

    def codes(school: str, national: bool) -> str:
        found = sorted({e.code for e in by_school.get(school, []) if national or e.code not in NATIONAL_ONLY})
        return ", ".join(found) or "none"

    lines = [
        "# Samples",
        "",
        "Generated by `scripts/make_samples.py`; edit the script, not these files, and",
        "run it again (`.venv/bin/python scripts/make_samples.py`).",
        "",
        "    compliance check samples/zhongshan",
        "    compliance check samples/zhongshan --profile national-2021",
        "    compliance check samples/single-file/schedule.csv",
        "",
        "| sample | school | demonstrates | `default` | `national-2021` |",
        "|---|---|---|---|---|",
    ]
    for path, school, note in SAMPLE_NOTES:
        if school == "—":
            lines.append(f"| `{path}` | — | {note} | | |")
        else:
            lines.append(f"| `{path}` | {school} | {note} | {codes(school, False)} | {codes(school, True)} |")
    lines += [
        "",
        "ENR004 is reported once per student, at the first school's row (ZS-002), naming "
        "every school and file; it needs ZS-002 and ZS-004 in the same run (check the district "
        "folder).",
        "",
        "## Planted findings",
        "",
        "One line per finding put there on purpose. `line` is the 1-based line of",
        "the row (CSV, YAML, JSON) or the sheet row (XLSX); `—` marks findings about a",
        "class or a day rather than a row. Profiles: `both`, or `national-2021` only.",
        "",
        "| school | code | file | line | profiles | why |",
        "|---|---|---|---|---|---|",
    ]
    for item in sorted(out.expected, key=lambda e: (e.school, e.code, e.file, e.line or 0)):
        line = "—" if item.line is None else str(item.line)
        lines.append(
            f"| {item.school} | {item.code} | `{item.file}` | {line} | {item.profiles} | {item.why} |"
        )
    out.text("README.md", "\n".join(lines) + "\n")


# --------------------------------------------------------------------------


def main() -> None:
    check_calendar()
    if SAMPLES.exists():
        shutil.rmtree(SAMPLES)
    out = Samples(SAMPLES)
    write_district(out)
    write_zs001(out)
    write_zs002(out)
    write_zs003(out)
    write_zs004(out)
    write_single_file(out)
    write_export(out)
    write_readme(out)
    print(
        f"wrote {len(out.files)} files under {SAMPLES.relative_to(ROOT)}/, "
        f"{len(out.expected)} planted findings"
    )


if __name__ == "__main__":
    main()
