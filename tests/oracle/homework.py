"""Today's per-record HWK checks, kept as the test oracle of the column-wise ones in
``compliance.rules.packs.homework`` (``tests/test_vectorised_rules.py``)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from compliance.inputs.calendar import DayType
from compliance.inputs.model import Document, Record
from compliance.rules.context import SchoolContext
from compliance.rules.finding import Finding
from compliance.rules.packs.homework import (
    Period,
    _cannot_judge,
    _file_loc,
    _limit,
    _minutes,
    grade_of,
    is_written,
    number,
)


def covered_period(ctx: SchoolContext) -> Period | None:
    """The school's homework period (first to last entry date), or ``None`` without entries."""
    dates = [r["date"] for r in ctx.records("homework") if r["date"] is not None]
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
        if doc.rows():
            dates = [r["date"] for r in doc.rows() if r["date"] is not None]
            out.append((doc, min(dates) if dates else None, max(dates) if dates else None))
    return out


def unpublished(ctx: SchoolContext) -> Iterator[Finding]:
    for entry in ctx.records("homework"):
        if entry["published"] is False:
            yield ctx.finding("HWK004", entry, column="published",
                              subject={"class": entry["class"], "date": entry["date"],
                                       "subject": entry["subject"]})


def missing_days(ctx: SchoolContext) -> Iterator[Finding]:
    period = covered_period(ctx)
    if period is None:
        return
    spans = _spans(ctx)
    yield from _cannot_judge(ctx, period, spans)
    if ctx.school is None:
        return
    published: set[tuple[str, dt.date]] = {
        (r["class"], r["date"]) for r in ctx.records("homework") if r["published"] is not False
    }
    for day in period.school_days:
        for cls in ctx.school.classes:
            if (cls, day) not in published:
                yield ctx.finding("HWK003", _file_loc(spans, day),
                                  subject={"class": cls, "date": day,
                                           "first": period.first, "last": period.last})


def written_in_banned_grade(ctx: SchoolContext) -> Iterator[Finding]:
    banned = {int(g) for g in ctx.params("HWK005").get("no_written_grades") or []}
    if not banned:
        return
    for entry in ctx.records("homework"):
        grade = grade_of(entry["class"])
        if grade in banned and is_written(entry):
            yield ctx.finding("HWK005", entry, column="written",
                              subject={"class": entry["class"], "grade": grade,
                                       "date": entry["date"], "subject": entry["subject"],
                                       "minutes": entry["minutes"]})


def _written_by_class_day(ctx: SchoolContext) -> dict[str, dict[dt.date, list[Record]]]:
    out: dict[str, dict[dt.date, list[Record]]] = {}
    for entry in ctx.records("homework"):
        if is_written(entry):
            out.setdefault(entry["class"], {}).setdefault(entry["date"], []).append(entry)
    return out


def average_over_limit(ctx: SchoolContext) -> Iterator[Finding]:
    value = ctx.params("HWK006").get("max_avg_minutes")
    period = covered_period(ctx) if value is not None else None
    if period is None or not period.school_days:
        return
    school_days = set(period.school_days)
    for cls, days in sorted(_written_by_class_day(ctx).items()):
        grade = grade_of(cls)
        limit = _limit(value, grade)
        if limit is None:
            continue
        # Minutes on school days over the number of school days: a day without
        # written homework counts as 0, an entry dated on a rest day is not averaged.
        total = sum(_minutes(rows) for day, rows in days.items() if day in school_days)
        average = number(round(total / len(period.school_days), 2))
        if average > limit:
            yield ctx.finding("HWK006", _file_loc(_spans(ctx), period.first),
                              subject={"class": cls, "grade": grade, "average": average,
                                       "limit": limit, "days": len(period.school_days),
                                       "first": period.first, "last": period.last})


def day_over_limit(ctx: SchoolContext) -> Iterator[Finding]:
    value = ctx.params("HWK007").get("max_day_minutes")
    if value is None:
        return
    for cls, days in sorted(_written_by_class_day(ctx).items()):
        grade = grade_of(cls)
        limit = _limit(value, grade)
        if limit is None:
            continue
        for day, rows in sorted(days.items()):
            minutes = _minutes(rows)
            if minutes > limit:
                yield ctx.finding("HWK007", rows[0], column="minutes",
                                  subject={"class": cls, "grade": grade, "date": day,
                                           "minutes": minutes, "limit": limit})


#: check name in the pack -> its oracle
ORACLES = {"unpublished": unpublished, "missing_days": missing_days,
           "written_in_banned_grade": written_in_banned_grade,
           "average_over_limit": average_over_limit, "day_over_limit": day_over_limit}
