"""HWK — published schedules and homework loads, "三公开".

Clauses: LOCAL-DISCLOSURE 学校作息时间表、课程表、班级每日课外作业量要公开公示;
LOCAL-HOMEWORK 减少作业量,制定量化方案; HOMEWORK-2021 (national-2021 only) — no
written homework in grades 1–2, on average at most 60 minutes a day in grades 3–6
and 90 in grades 7–9.

The *covered period* of a school is the first to the last date of any entry in
the school's homework documents (all files together).  Only school days inside
it are judged for missing entries (HWK003) and divide the written minutes for
the average (HWK006); school days come from the same calendar as the HOL pack.
A day in the period whose year the official calendar lacks cannot be judged:
it gives one INP007 per homework file and year, never a silent pass.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field

from compliance.host.markers import hookimpl
from compliance.inputs.calendar import DayType
from compliance.inputs.columnar import Table
from compliance.inputs.model import Document, Location, Record
from compliance.inputs.reasons import Msg
from compliance.rules.context import SchoolContext, param_for_grade
from compliance.rules.finding import Finding
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml("homework")

DISCLOSED = (("HWK001", "schedule"), ("HWK002", "timetable"))


def grade_of(cls: str) -> int:
    """The grade of a ``G-N`` class."""
    return int(cls.split("-")[0])


def is_written(entry: Record) -> bool:
    """Whether an entry is written homework that takes time (a "none" entry never is)."""
    # ``written`` defaults to true, also when a file has no such column at all.
    return bool(entry.get("written", True)) and not entry["none"] and (entry["minutes"] or 0) > 0


@dataclass
class Period:
    """The dates a school's homework documents cover, classified by its calendar."""

    first: dt.date
    last: dt.date
    school_days: list[dt.date] = field(default_factory=list)
    unknown: list[dt.date] = field(default_factory=list)


def covered_period(ctx: SchoolContext) -> Period | None:
    """The school's homework period (first to last entry date), or ``None`` without entries."""
    dates = [d for table in ctx.tables("homework") for d in table.column("date") if d is not None]
    if not dates:
        return None
    period = Period(min(dates), max(dates))
    day = period.first
    while day <= period.last:
        kind = ctx.calendar.day_type(day)
        if kind is DayType.SCHOOL_DAY:
            period.school_days.append(day)
        elif kind is DayType.UNKNOWN:
            period.unknown.append(day)
        day += dt.timedelta(days=1)
    return period


def _spans(ctx: SchoolContext) -> list[tuple[Document, dt.date | None, dt.date | None]]:
    """Each homework document with rows, and the first and last date it covers."""
    out = []
    for doc in ctx.submission.documents_of("homework"):
        column = (doc.table.column("date") if doc.table is not None
                  else [r["date"] for r in doc.records])
        if column:
            dates = [d for d in column if d is not None]
            out.append((doc, min(dates) if dates else None, max(dates) if dates else None))
    return out


def _file_loc(spans: list[tuple[Document, dt.date | None, dt.date | None]], day: dt.date) -> Location:
    """The homework document whose dates span ``day`` (the first one otherwise)."""
    doc = next((d for d, first, last in spans
                if first is not None and last is not None and first <= day <= last),
               spans[0][0])
    return Location(doc.loc.file, None, None, doc.loc.sheet)


@pack.check("HWK001", "HWK002")
def disclosure(ctx: SchoolContext) -> Iterator[Finding]:
    school = ctx.school
    if school is None:
        return
    for code, item in DISCLOSED:
        published = school.disclosure.get(item)
        if published is not None and published.published:
            continue
        line = school.disclosure_lines.get(item) or school.loc.line
        yield ctx.finding(code, Location(school.loc.file, line, f"disclosure.{item}"),
                          subject={"item": item, "published": False,
                                   "declared": published is not None})


@pack.check("HWK004")
def unpublished(ctx: SchoolContext) -> Iterator[Finding]:
    for table in ctx.tables("homework"):
        for entry in table.records(table.where("published", lambda v: v is False)):
            yield ctx.finding("HWK004", entry, column="published",
                              subject={"class": entry["class"], "date": entry["date"],
                                       "subject": entry["subject"]})


@pack.check("HWK003")
def missing_days(ctx: SchoolContext) -> Iterator[Finding]:
    period = covered_period(ctx)
    if period is None:
        return
    spans = _spans(ctx)
    yield from _cannot_judge(ctx, period, spans)
    if ctx.school is None:
        return
    published: set[tuple[str, dt.date]] = {
        (cls, date) for table in ctx.tables("homework")
        for cls, date, shown in zip(table.column("class"), table.column("date"),
                                    table.column("published"), strict=True)
        if shown is not False
    }
    for day in period.school_days:
        for cls in ctx.school.classes:
            if (cls, day) not in published:
                yield ctx.finding("HWK003", _file_loc(spans, day),
                                  subject={"class": cls, "date": day,
                                           "first": period.first, "last": period.last})


def _cannot_judge(ctx: SchoolContext, period: Period,
                  spans: list[tuple[Document, dt.date | None, dt.date | None]]) -> Iterator[Finding]:
    by_year: dict[tuple[str, int], list[dt.date]] = {}
    for day in period.unknown:
        by_year.setdefault((_file_loc(spans, day).file, day.year), []).append(day)
    for (_file, year), days in by_year.items():
        reason = Msg("calendar.homework_days", days=len(days), year=year)
        yield ctx.finding("INP007", _file_loc(spans, days[0]),
                          subject={"year": year, "days": len(days), "first": days[0],
                                   "last": days[-1]},
                          reason=reason)


@pack.check("HWK005")
def written_in_banned_grade(ctx: SchoolContext) -> Iterator[Finding]:
    banned = {int(g) for g in ctx.params("HWK005").get("no_written_grades") or []}
    if not banned:
        return
    for table in ctx.tables("homework"):
        classes = table.column("class")
        in_banned = {cls for cls in set(classes) if grade_of(cls) in banned}
        written = _written_mask(table)
        hits = [i for i, cls in enumerate(classes) if cls in in_banned and written[i]]
        for entry in table.records(hits):
            grade = grade_of(entry["class"])
            yield ctx.finding("HWK005", entry, column="written",
                              subject={"class": entry["class"], "grade": grade,
                                       "date": entry["date"], "subject": entry["subject"],
                                       "minutes": entry["minutes"]})


def _written_mask(table: Table) -> list[bool]:
    """:func:`is_written` for every row of ``table``, from its columns."""
    return [bool(True if w is None else w) and not none and (m or 0) > 0
            for w, none, m in zip(table.column("written"), table.column("none"),
                                  table.column("minutes"), strict=True)]


#: a written entry: (table number, position in it, minutes)
Entry = tuple[int, int, int]


def _written_by_class_day(ctx: SchoolContext) -> tuple[list[Table], dict[str, dict[dt.date, list[Entry]]]]:
    """The written entries per class and day, in document order, as positions."""
    tables = ctx.tables("homework")
    out: dict[str, dict[dt.date, list[Entry]]] = {}
    for number_, table in enumerate(tables):
        written = _written_mask(table)
        for i, (cls, date, minutes) in enumerate(zip(table.column("class"), table.column("date"),
                                                     table.column("minutes"), strict=True)):
            if written[i]:
                out.setdefault(cls, {}).setdefault(date, []).append((number_, i, int(minutes)))
    return tables, out


def number(value: object) -> int | float:
    """A parameter or result as a number: ``"60"`` → 60, ``71.25`` stays, ``61.0`` → 61."""
    result = float(str(value))
    return int(result) if result.is_integer() else result


def _limit(value: object, grade: int) -> int | float | None:
    raw = param_for_grade(value, grade)
    return None if raw is None else number(raw)


def _minutes(rows: list[Record]) -> int:
    return sum(int(r["minutes"]) for r in rows)


def _entry_minutes(rows: list[Entry]) -> int:
    return sum(minutes for _, _, minutes in rows)


@pack.check("HWK006")
def average_over_limit(ctx: SchoolContext) -> Iterator[Finding]:
    value = ctx.params("HWK006").get("max_avg_minutes")
    period = covered_period(ctx) if value is not None else None
    if period is None or not period.school_days:
        return
    school_days = set(period.school_days)
    for cls, days in sorted(_written_by_class_day(ctx)[1].items()):
        grade = grade_of(cls)
        limit = _limit(value, grade)
        if limit is None:
            continue
        # Minutes on school days over the number of school days: a day without
        # written homework counts as 0, an entry dated on a rest day is not averaged.
        total = sum(_entry_minutes(rows) for day, rows in days.items() if day in school_days)
        average = number(round(total / len(period.school_days), 2))
        if average > limit:
            yield ctx.finding("HWK006", _file_loc(_spans(ctx), period.first),
                              subject={"class": cls, "grade": grade, "average": average,
                                       "limit": limit, "days": len(period.school_days),
                                       "first": period.first, "last": period.last})


@pack.check("HWK007")
def day_over_limit(ctx: SchoolContext) -> Iterator[Finding]:
    value = ctx.params("HWK007").get("max_day_minutes")
    if value is None:
        return
    tables, written = _written_by_class_day(ctx)
    for cls, days in sorted(written.items()):
        grade = grade_of(cls)
        limit = _limit(value, grade)
        if limit is None:
            continue
        for day, rows in sorted(days.items()):
            minutes = _entry_minutes(rows)
            if minutes > limit:
                table, position, _ = rows[0]  # a record only for the first entry of the day
                yield ctx.finding("HWK007", tables[table].records([position])[0], column="minutes",
                                  subject={"class": cls, "grade": grade, "date": day,
                                           "minutes": minutes, "limit": limit})


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    return [pack]
