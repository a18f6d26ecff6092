"""HOL — no holiday or rest-day classes (节假日补课).

Clauses: LOCAL-HOLIDAY 严格查处学校、教师占用节假日和休息时间为学生集体补课;
COUNTY-REMEDIAL 有效遏制违规补课; and the statute MINORS-33, binding in every profile.
A "voluntary" remedial class is still a collective class: the ``compulsory`` flag
does not matter here.  Dates in a year the official calendar lacks give INP007.
"""

from __future__ import annotations

from collections.abc import Iterator

from compliance.host.markers import hookimpl
from compliance.inputs.calendar import DayType
from compliance.inputs.model import Record
from compliance.inputs.reasons import Msg
from compliance.inputs.values import Weekdays
from compliance.rules.context import SchoolContext
from compliance.rules.finding import Finding
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml("holiday-classes")


def _args(ctx: SchoolContext, entry: Record) -> dict[str, str]:
    return {"activity_name": ctx.label("activity", entry["activity"])}


def _subject(entry: Record, **extra: object) -> dict[str, object]:
    grades = entry["grades"]
    return {
        "date": entry["date"],
        "days": entry["days"],
        "activity": entry["activity"],
        "start": entry["start"],
        "end": entry["end"],
        "grades": grades if grades and not grades.whole_school else None,
        **extra,
    }


@pack.check("HOL001", "HOL002", "HOL003")
def dated_classes(ctx: SchoolContext) -> Iterator[Finding]:
    counted = set(ctx.params("HOL001").get("activities", []))
    calendar = ctx.calendar
    unknown: dict[tuple[str, int], list[Record]] = {}
    for entry in ctx.records("schedule"):
        date = entry["date"]
        if date is None or entry["activity"] not in counted:
            continue
        kind = calendar.day_type(date)
        if kind is DayType.PUBLIC_HOLIDAY or kind is DayType.LOCAL_HOLIDAY:
            name = calendar.holiday_name(date) if kind is DayType.PUBLIC_HOLIDAY else "local"
            yield ctx.finding("HOL001", entry, column="date",
                              subject=_subject(entry, holiday=name),
                              holiday_name=ctx.label("holiday", name or "local"), **_args(ctx, entry))
        elif kind is DayType.WEEKEND:
            weekday = str(date.isoweekday())
            yield ctx.finding("HOL002", entry, column="date", subject=_subject(entry),
                              weekday_name=ctx.label("weekday", weekday), **_args(ctx, entry))
        elif kind is DayType.VACATION:
            yield ctx.finding("HOL003", entry, column="date", subject=_subject(entry),
                              **_args(ctx, entry))
        elif kind is DayType.UNKNOWN:
            unknown.setdefault((entry.loc.file, date.year), []).append(entry)
    for (_file, year), rows in unknown.items():
        dates = sorted(r["date"] for r in rows)
        yield ctx.finding(
            "INP007", rows[0], column="date",
            subject={"year": year, "rows": len(rows), "first": dates[0], "last": dates[-1]},
            reason=Msg("calendar.dated_entry" if len(rows) == 1 else "calendar.dated_entries",
                       rows=len(rows), year=year),
        )


@pack.check("HOL004")
def weekend_recurring(ctx: SchoolContext) -> Iterator[Finding]:
    counted = set(ctx.params("HOL004").get("activities", []))
    for entry in ctx.records("schedule"):
        days = entry["days"]
        if days is None or entry["activity"] not in counted or not days & {6, 7}:
            continue
        yield ctx.finding("HOL004", entry, column="days", subject=_subject(entry),
                          when=ctx.weekdays_text(days), **_args(ctx, entry))


@pack.check("HOL004")
def weekend_timetable(ctx: SchoolContext) -> Iterator[Finding]:
    """Timetable lessons in a 周六/周日 column: one finding per class and weekday, at the
    first such cell, with the number of lessons that day."""
    if "lesson" not in set(ctx.params("HOL004").get("activities", [])):
        return
    days: dict[tuple[str, int], list[Record]] = {}
    for lesson in ctx.records("timetable"):
        if lesson["weekday"] in (6, 7):
            days.setdefault((lesson["class"] or "", lesson["weekday"]), []).append(lesson)
    for (cls, weekday), lessons in sorted(days.items()):
        first = min(lessons, key=lambda r: (r.loc.file, r.loc.sheet or "", r.loc.line or 0))
        day = ctx.label("weekday", str(weekday))
        who = (f"{cls}班" if ctx.lang == "zh" else f"class {cls}") if cls else (
            "全校" if ctx.lang == "zh" else "the whole school")
        count = (f"{len(lessons)}节" if ctx.lang == "zh" else
                 f"{len(lessons)} lesson{'s' if len(lessons) > 1 else ''}")
        yield ctx.finding(
            "HOL004", first.loc,
            subject={"class": cls or None, "weekday": weekday, "days": Weekdays([weekday]),
                     "activity": "lesson", "lessons": len(lessons),
                     "subjects": sorted({r["subject"] for r in lessons})},
            activity_name=ctx.label("activity", "lesson"),
            when=f"{day}（{who}，{count}）" if ctx.lang == "zh" else f"{day} ({who}, {count})")


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    return [pack]
