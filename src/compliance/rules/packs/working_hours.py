"""HRS — working hours, "早八晚五".

Clause (LOCAL-HOURS): 城市中小学继续坚持"早八晚五"作息时间 — urban schools keep the
eight-to-five day.  HRS004 adds the national morning lesson start (SLEEP-2021),
set by the ``national-2021`` profile, for every area.  Only compulsory activities
count for HRS001–HRS003 (see ``compulsory`` in the submission contract).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.host.markers import hookimpl
from compliance.inputs import columnar
from compliance.inputs.columnar import RecordTable, Table
from compliance.inputs.model import Record
from compliance.inputs.values import Clock, Weekdays, parse_time
from compliance.rules.context import SchoolContext, param_for_grade
from compliance.rules.finding import Finding
from compliance.rules.pack import RulePack
from compliance.rules.timetable_lessons import FROM_TIMETABLE, lesson_entries

pack = RulePack.from_yaml("working-hours")


def timetable_lessons(ctx: SchoolContext, *, all_timetable: bool = False) -> list[Record]:
    """The timetable's periods of known time as lesson entries (``timetable_lessons.py``).

    A period whose time was taken from the schedule (the n-th lesson) repeats a schedule
    row that is judged itself, so it is left out unless ``all_timetable`` (the length of
    a day, where it changes nothing but belongs to the class's day).
    """
    return [e for e in lesson_entries(ctx.submission)
            if all_timetable or e["time_from"] == FROM_TIMETABLE]


def tables(ctx: SchoolContext) -> list[Table]:
    """The schedule's tables, and the timetable's periods with their own times as one more."""
    lessons = timetable_lessons(ctx)
    return [*ctx.tables("schedule"), *([RecordTable("schedule", lessons)] if lessons else [])]


def entries(ctx: SchoolContext, *, all_timetable: bool = False) -> list[Record]:
    """The schedule's rows and the timetable's periods of known time, as lesson entries."""
    return [*ctx.records("schedule"), *timetable_lessons(ctx, all_timetable=all_timetable)]


def _applies(ctx: SchoolContext, code: str) -> bool:
    return ctx.school is not None and ctx.school.area in ctx.params(code).get("areas", [])


def when(ctx: SchoolContext, entry: Record) -> str:
    """The day(s) a schedule row happens on, for messages."""
    days = entry["days"]
    return ctx.weekdays_text(days) if days is not None else entry["date"].isoformat()


def _subject(ctx: SchoolContext, entry: Record, **extra: Any) -> dict[str, Any]:
    subject: dict[str, Any] = {
        "activity": entry["activity"],
        "days": entry["days"],
        "date": entry["date"],
        "start": entry["start"],
        "end": entry["end"],
        "grades": entry["grades"] if entry["grades"] and not entry["grades"].whole_school else None,
    }
    subject.update(extra)
    return subject


def _limit(ctx: SchoolContext, entry: Record, value: Any, later: bool) -> tuple[Clock, list[int]] | None:
    """The strictest limit the row breaks, and the grades for which it breaks it."""
    if value is None:
        return None
    broken: list[int] = []
    worst: Clock | None = None
    for grade in ctx.grades_of(entry["grades"]):
        raw = param_for_grade(value, grade)
        if raw is None:
            continue
        limit = parse_time(raw)
        bad = entry["end"] > limit if later else entry["start"] < limit
        if bad:
            broken.append(grade)
            if worst is None or (limit < worst if later else limit > worst):
                worst = limit
    return (worst, broken) if worst is not None else None


@pack.check("HRS001", "HRS002")
def outside_eight_to_five(ctx: SchoolContext) -> Iterator[Finding]:
    """Compulsory rows starting before / ending after the limit of any grade they cover.

    Column-wise: a row breaks HRS001 when its start is before the *latest* earliest-start
    of the grades it covers (that grade's limit is then the strictest one broken), and
    HRS002 when its end is after the *earliest* latest-end; both limits are worked out
    once per distinct grade scope, and the comparison runs over whole columns.
    Records are made only for the rows that break a limit.
    """
    early, late = _applies(ctx, "HRS001"), _applies(ctx, "HRS002")
    if not (early or late):
        return
    first = ctx.params("HRS001").get("earliest_start") if early else None
    last = ctx.params("HRS002").get("latest_end") if late else None
    for table in tables(ctx):
        if not len(table):
            continue
        compulsory = table.column("compulsory")
        scopes = Distinct(table.column("grades"))
        hits: dict[int, dict[str, Clock]] = {}
        for code, value, column, later in (("HRS001", first, "start", False),
                                           ("HRS002", last, "end", True)):
            if value is None:
                continue
            limits = [strictest(ctx, scope, value, later) for scope in scopes.distinct]
            for i in broken_rows(table.column(column), compulsory, scopes.codes, limits, later):
                hits.setdefault(i, {})[code] = limits[scopes.codes[i]]  # type: ignore[assignment]
        positions = sorted(hits)
        for i, entry in zip(positions, table.records(positions), strict=True):
            args = {"activity_name": ctx.label("activity", entry["activity"]),
                    "when": when(ctx, entry)}
            for code, column in (("HRS001", "start"), ("HRS002", "end")):
                if code in hits[i]:
                    yield ctx.finding(code, entry, column=column,
                                      subject=_subject(ctx, entry, limit=hits[i][code]), **args)


class Distinct:
    """A column as codes into its distinct values (each value's rules asked once)."""

    __slots__ = ("codes", "distinct")

    def __init__(self, values: list[Any]):
        index: dict[Any, int] = {}
        self.codes = [index.setdefault(v, len(index)) for v in values]
        self.distinct = list(index)


def strictest(ctx: SchoolContext, scope: Any, value: Any, later: bool) -> Clock | None:
    """The limit a row of ``scope`` is held to: the strictest over the grades it covers."""
    limits = [parse_time(raw) for grade in ctx.grades_of(scope)
              if (raw := param_for_grade(value, grade)) is not None]
    if not limits:
        return None
    return min(limits) if later else max(limits)


#: from this many rows on, the comparison runs in pyarrow (below, importing it costs more)
ARROW_ROWS = 4096


def broken_rows(times: list[Any], compulsory: list[Any] | None, codes: list[int],
                limits: list[Clock | None], later: bool) -> list[int]:
    """Positions of the rows (compulsory ones, if given) whose time is past their limit.

    One comparison over the whole column (pyarrow's for long columns); a scope with no
    limit never breaks.
    """
    if all(limit is None for limit in limits):
        return []
    if len(times) < ARROW_ROWS or not columnar.available():
        flags = compulsory if compulsory is not None else [True] * len(times)
        return [i for i, (time, code, flag) in enumerate(zip(times, codes, flags, strict=True))
                if flag and time is not None and (limit := limits[code]) is not None
                and (time > limit if later else time < limit)]
    import pyarrow as pa
    import pyarrow.compute as pc

    per_row = pc.take(pa.array(limits, pa.int32()), pa.array(codes, pa.int32()))
    column = pa.array(times, pa.int32())
    bad = pc.greater(column, per_row) if later else pc.less(column, per_row)
    if compulsory is not None:
        bad = pc.and_(bad, pa.array(compulsory, pa.bool_()))
    return pc.indices_nonzero(pc.fill_null(bad, False)).to_pylist()  # type: ignore[no-any-return]


@pack.check("HRS003")
def day_too_long(ctx: SchoolContext) -> Iterator[Finding]:
    if not _applies(ctx, "HRS003") or ctx.school is None:
        return
    limit_hours = float(ctx.params("HRS003").get("max_day_hours") or 0)
    if limit_hours <= 0:
        return
    compulsory = [e for e in entries(ctx, all_timetable=True) if e["compulsory"]]
    recurring = [e for e in compulsory if e["days"] is not None]
    dated = [e for e in compulsory if e["date"] is not None]
    # A seasonal schedule is judged one season at a time (exports.md): each season's
    # rows with the rows that hold in every season.
    seasons = sorted({e["season"] for e in recurring if e["season"] is not None}, key=str)
    for grade in ctx.school.grades:
        def mine(rows: list[Record], grade: int = grade) -> list[Record]:
            return [e for e in rows if e["grades"] is None or e["grades"].covers_grade(grade)]

        passes: list[Any] = list(seasons) or [None]
        for season in passes:
            in_season = [e for e in recurring if e["season"] is None or e["season"] == season]
            yield from _long_days(ctx, grade, limit_hours, mine(in_season), mine(dated), season,
                                  seasons)


def _long_days(ctx: SchoolContext, grade: int, limit_hours: float, mine_recurring: list[Record],
               mine_dated: list[Record], season: Any, seasons: list[Any]) -> Iterator[Finding]:
    """HRS003 for one grade over one season's recurring rows and the dated rows in it."""
    # Recurring days: group weekdays with the same long span into one finding.
    spans: dict[tuple[int, int, int], list[int]] = {}
    last_row: dict[tuple[int, int, int], Record] = {}
    for weekday in range(1, 8):
        day = [e for e in mine_recurring if weekday in e["days"]]
        if not day:
            continue
        start, end = min(e["start"] for e in day), max(e["end"] for e in day)
        if end - start > limit_hours * 60:
            culprit = max(day, key=lambda e: (e["end"], -(e.loc.line or 0)))
            key = (start, end, id(culprit))
            spans.setdefault(key, []).append(weekday)
            last_row[key] = culprit
    for key, weekdays in spans.items():
        start, end, _ = key
        yield _long_day(ctx, last_row[key], grade, Clock(start), Clock(end), limit_hours,
                        ctx.weekdays_text(frozenset(weekdays)), days=Weekdays(weekdays),
                        season=season)
    for date in sorted({e["date"] for e in mine_dated}):
        # a dated day is judged once, with the season in force on it (or, in none,
        # with the rows that hold in every season, on the first pass)
        in_force = next((s for s in seasons if s.covers(date)), None)
        if in_force != season and not (in_force is None and season is (seasons or [None])[0]):
            continue
        recurring = mine_recurring if in_force is not None else [
            e for e in mine_recurring if e["season"] is None]
        day = [e for e in mine_dated if e["date"] == date]
        if ctx.calendar.is_school_day(date):  # recurring rows run on school days only
            day += [e for e in recurring if date.isoweekday() in e["days"]]
        start, end = min(e["start"] for e in day), max(e["end"] for e in day)
        if end - start > limit_hours * 60:
            culprit = max((e for e in day if e["date"] == date), key=lambda e: e["end"])
            yield _long_day(ctx, culprit, grade, Clock(start), Clock(end), limit_hours,
                            date.isoformat(), date=date, season=in_force)


def _long_day(ctx: SchoolContext, row: Record, grade: int, start: Clock, end: Clock,
              limit: float, when_text: str, **extra: Any) -> Finding:
    hours = round((end - start) / 60, 2)
    if extra.get("season") is None:
        extra.pop("season", None)
    return ctx.finding(
        "HRS003", row, column="end",
        subject={"grade": grade, **extra, "start": start, "end": end, "hours": hours,
                 "limit": int(limit) if float(limit).is_integer() else limit},
        when=when_text,
    )


@pack.check("HRS004")
def lesson_too_early(ctx: SchoolContext) -> Iterator[Finding]:
    """Lessons before the earliest lesson start of a grade they cover, column-wise as
    HRS001; the grades broken are listed per distinct (scope, start)."""
    if not _applies(ctx, "HRS004"):
        return
    value = ctx.params("HRS004").get("earliest_lesson")
    if value is None:
        return
    for table in tables(ctx):
        if not len(table):
            continue
        lessons = [a == "lesson" for a in table.column("activity")]
        scopes = Distinct(table.column("grades"))
        limits = [strictest(ctx, scope, value, later=False) for scope in scopes.distinct]
        positions = broken_rows(table.column("start"), lessons, scopes.codes, limits, later=False)
        for entry in table.records(positions):
            hit = _limit(ctx, entry, value, later=False)  # only rows that break a limit
            assert hit is not None
            limit, grades = hit
            yield ctx.finding("HRS004", entry, column="start",
                              subject=_subject(ctx, entry, limit=limit, grades=grades),
                              when=when(ctx, entry), grade_text=_grades_text(ctx, grades))


def _grades_text(ctx: SchoolContext, grades: list[int]) -> str:
    if ctx.lang == "zh":
        return "、".join(f"{g}年级" for g in grades)
    return "grade " + ", ".join(str(g) for g in grades) if len(grades) == 1 else (
        "grades " + ", ".join(str(g) for g in grades))


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    return [pack]
