"""Timetable periods as the schedule rules see them: ``lesson`` entries with days and times.

A timetable row (one period of one class's grid) is one lesson entry on the weekdays
that have a lesson in it.  Its time is the period cell's own (``第1节 8:00-8:40``),
else the n-th ``lesson`` of the school's schedule on that weekday that applies to the
class's grade (one entry per season when the schedule has seasons), else unknown —
and a period of unknown time takes part in no time rule.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from compliance.inputs.model import Location, Record, Submission
from compliance.inputs.values import Clock, Scope, Weekdays

#: how an entry's time is known: from the period cell, or from the school's schedule
FROM_TIMETABLE = "timetable"
FROM_SCHEDULE = "schedule"


@dataclass
class PeriodRow:
    """One period of one class's grid: its lessons by weekday and the time its cell gives."""

    loc: Location
    class_: str | None
    grade: int | None
    period: int
    start: Clock | None
    end: Clock | None
    lessons: dict[int, Record] = field(default_factory=dict)


def period_rows(records: Iterable[Record]) -> list[PeriodRow]:
    """The timetable's lesson records grouped into period rows, in file order."""
    rows: dict[tuple[Any, ...], PeriodRow] = {}
    for record in records:
        loc = record.loc
        key = (loc.file, loc.sheet, loc.line, record["class"])
        row = rows.get(key)
        if row is None:
            row = rows[key] = PeriodRow(loc, record["class"], record["grade"], record["period"],
                                        record["start"], record["end"])
        row.lessons.setdefault(record["weekday"], record)
    return list(rows.values())


def schedule_lessons(schedule: Iterable[Record], weekday: int,
                     grade: int | None) -> dict[Any, list[tuple[Clock, Clock]]]:
    """The school's recurring lessons on ``weekday`` for ``grade``, in order, by season."""
    by_season: dict[Any, set[tuple[Clock, Clock]]] = {}
    for entry in schedule:
        days = entry["days"]
        if entry["activity"] != "lesson" or days is None or weekday not in days:
            continue
        scope = entry["grades"]
        if grade is not None and scope is not None and not scope.covers_grade(grade):
            continue
        if entry["start"] is None or entry["end"] is None:
            continue
        by_season.setdefault(entry.get("season"), set()).add((entry["start"], entry["end"]))
    return {season: sorted(times) for season, times in by_season.items()}


def lesson_entries(submission: Submission) -> list[Record]:
    """Every timetable period of known time as a ``schedule``-like lesson entry.

    Values: ``activity`` (``lesson``), ``days``, ``date`` (``None``), ``start``, ``end``,
    ``compulsory`` (true), ``grades`` (the class, or the whole school), ``title`` (the
    subjects), ``class``, ``period``, ``season`` (when the time came from a seasonal
    schedule) and ``time_from`` (:data:`FROM_TIMETABLE` or :data:`FROM_SCHEDULE`).
    """
    schedule = list(submission.records("schedule"))
    out: list[Record] = []
    for row in period_rows(submission.records("timetable")):
        scope = Scope(classes=frozenset({row.class_})) if row.class_ else Scope()
        if row.start is not None and row.end is not None:
            out.append(_entry(row, scope, row.lessons, row.start, row.end, None, FROM_TIMETABLE,
                              submission.school_id))
            continue
        groups: dict[tuple[Any, Clock, Clock], dict[int, Record]] = {}
        for weekday, lesson in sorted(row.lessons.items()):
            for season, times in schedule_lessons(schedule, weekday, row.grade).items():
                if 1 <= row.period <= len(times):
                    start, end = times[row.period - 1]
                    groups.setdefault((season, start, end), {})[weekday] = lesson
        for (season, start, end), lessons in groups.items():
            out.append(_entry(row, scope, lessons, start, end, season, FROM_SCHEDULE,
                              submission.school_id))
    return out


def _entry(row: PeriodRow, scope: Scope, lessons: dict[int, Record], start: Clock, end: Clock,
           season: Any, source: str, school_id: str | None) -> Record:
    first = lessons[min(lessons)]
    values = {
        "activity": "lesson",
        "days": Weekdays(lessons),
        "date": None,
        "start": start,
        "end": end,
        "compulsory": True,
        "grades": scope,
        "title": "、".join(dict.fromkeys(r["subject"] for _, r in sorted(lessons.items()))),
        "class": row.class_,
        "period": row.period,
        "time_from": source,
    }
    if season is not None:
        values["season"] = season
    return Record("schedule", values, first.loc, school_id)
