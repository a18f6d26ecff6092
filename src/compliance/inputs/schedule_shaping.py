"""A schedule export made plain: time ranges in one cell, activities from period names,
days assumed for a daily timetable, seasons and grade bands as one entry each.

:class:`ScheduleShaper` is the schedule kind's :class:`~compliance.inputs.shaping.KindShaper`:
it gets the shaped columns and rows of a ``作息时间表`` and gives back rows with the
schedule's own fields (``days``/``date``, ``start``, ``end``, ``activity``,
``title``, ``grades``, ``compulsory``, ``season``), one per entry, for the
normaliser to parse as it parses any schedule.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from compliance.inputs.periods import PERIOD_NAMES, PeriodName, activity_of
from compliance.inputs.raw import RawRow
from compliance.inputs.reasons import Msg
from compliance.inputs.seasons import SEASON_NAMES, Season, resolve, season_of_header
from compliance.inputs.shaping import Column, Note, ShapeContext, header_keys
from compliance.inputs.values import BadValue, Scope, parse_band, parse_date, parse_time

if TYPE_CHECKING:
    from compliance.inputs.kinds import DocumentKind

#: a column holding start and end together
RANGE_HEADERS = ("time", "时间", "作息时间", "起止时间", "时间安排", "时间段")
#: the period column (``节次``) and the content columns an activity may be named in
PERIOD_HEADERS = ("period", "节次", "课节")
CONTENT_HEADERS = ("内容", "项目", "活动", "安排")
#: the whole-week default of a daily timetable with no day column
DAILY = "周一至周五"
#: separators between a range's two times (exports.md), the dot form handled apart
_RANGE_SPLIT = re.compile(r"\s*(?:-|—|–|~|～|〜|至|到|－|―|‐|‑)+\s*")
_DOT_RANGE = re.compile(r"^(\d{1,2})\.(\d{2})\s*(?:-|—|–|~|～|至|到)\s*(\d{1,2})\.(\d{2})$")
_KEYS = {k: name for name, keys in (("range", RANGE_HEADERS), ("period", PERIOD_HEADERS),
                                     ("content", CONTENT_HEADERS))
         for k in [h.lower() for h in keys]}
PLAIN_FIELDS = ("school_id", "days", "date", "compulsory", "grades", "title")


@dataclass
class _Slot:
    """The time columns of one season and grade band: a range column, or start and end."""

    season: Season | None
    band: frozenset[int] | None
    band_text: str = ""
    range_col: int | None = None
    start_col: int | None = None
    end_col: int | None = None


def _role(column: Column) -> str | None:
    for text in (column.sub, column.group):
        for key in header_keys(text) if text else ():
            if key in _KEYS:
                return _KEYS[key]
    return None


def split_range(value: Any) -> tuple[Any, Any] | None:
    """A range cell's two times (``7:50—8:30``, ``7.50-8.30``), each still to parse; a
    single time as ``(t, None)``; ``None`` for a blank cell."""
    if value is None:
        return None
    if isinstance(value, dt.time | dt.datetime | dt.timedelta | float | int) and not isinstance(
            value, bool):
        return (value, None)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    if not text:
        return None
    dot = _DOT_RANGE.match(text)
    if dot:
        return (f"{dot.group(1)}:{dot.group(2)}", f"{dot.group(3)}:{dot.group(4)}")
    parts = [p for p in _RANGE_SPLIT.split(text) if p]
    if len(parts) == 2 and not _RANGE_SPLIT.fullmatch(text):
        return (parts[0], parts[1])
    if len(parts) == 1 and not _RANGE_SPLIT.search(text):
        return (parts[0], None)
    return (text, text)  # neither one time nor two: the parser names what is wrong


class ScheduleShaper:
    """The schedule's reshaping (see the module docstring).

    :param period_names: more names per activity (``{"lesson": ("走班课",)}``), for a
        plugin's schedule-like kind; the kind's own ``activity`` choices and their
        aliases are period names too.
    """

    def __init__(self, period_names: dict[str, tuple[str, ...]] | None = None):
        self.period_names = {normalize(n): a for a, names in (period_names or {}).items()
                             for n in names}

    @staticmethod
    def header_forms() -> list[tuple[str, str, str]]:
        """The export columns this shaper reads, for the reference: name, headers, meaning."""
        def listed(items: Iterable[str]) -> str:
            return "、".join(f"`{h}`" for h in items)

        return [
            ("time range", listed(RANGE_HEADERS),
             "`start` and `end` in one cell: `7:50-8:30`, `7:50—8:30`, `7:50–8:30`, `7:50~8:30`, "
             "`7：50～8：30`, `7:50至8:30`, `7:50到8:30`, `7.50-8.30`; one time (`17:30`) is an "
             "instant, for arrival, dismissal and the bells only"),
            ("period", listed(PERIOD_HEADERS),
             "the activity, from a period name (table below); a bare `1`–`10` is a lesson"),
            ("content", listed(CONTENT_HEADERS),
             "the activity when the period cell names none; otherwise the entry's `title`"),
            ("season", listed(SEASON_NAMES) + ", with `作息`/`时间` and dates in brackets: "
             "`夏季（5月1日—9月30日）`, `(5.1-9.30)`, `(10月8日起)`",
             "that season's time range; an empty cell: not in that season"),
            ("grade band", listed(["一至三年级", "1-3年级", "四至六年级", "一二年级", "三~六年级",
                                   "小学部", "初中部", "初一", "七年级"]),
             "times for those grades only; combines with seasons in a two-row header"),
        ]

    @staticmethod
    def vocabulary() -> list[tuple[str, str]]:
        """The period-name table, for the reference."""
        lessons = "`第1节`…`第10节`, `第一节`…`第十节` (also `第一节课`, `上午第一节`, `下午第2节`), "
        return [(activity, (lessons if activity == "lesson" else "")
                 + ", ".join(f"`{n}`" for n in names)) for activity, names in PERIOD_NAMES.items()]

    def names(self, column: Column) -> set[str]:
        role = _role(column)
        if role == "range":
            return {"start", "end"}
        if role == "period":
            return {"activity"}
        if role == "content":
            return {"title"}
        for text in (column.group, column.sub):
            if text and (season_of_header(text) is not None or parse_band(text) is not None):
                return {"start", "end"}
        return set()

    def _namer(self, kind: DocumentKind) -> Callable[[Any, bool], PeriodName | None]:
        """What names an activity in this kind: the period table, this shaper's extra
        names, then the kind's own ``activity`` parser (its choices and aliases)."""
        spec = kind.field("activity")
        parser = spec.parser if spec is not None else None
        extra = self.period_names

        def named(value: Any, bare_numbers: bool) -> PeriodName | None:
            got = activity_of(value, bare_numbers=bare_numbers)
            if got is not None or _blank(value):
                return got
            if extra and (hit := extra.get(normalize(value))) is not None:
                return PeriodName(hit)
            if parser is not None:
                try:
                    return PeriodName(str(parser(value)))
                except Exception:  # not an activity: BadValue, or a plugin parser's own
                    return None
            return None

        return named

    def reshape(self, kind: DocumentKind, columns: list[Column], rows: Iterable[RawRow],
                context: ShapeContext) -> tuple[list[str], Iterable[RawRow]] | None:
        named: dict[str, int] = {}
        slots: dict[tuple[str, str], _Slot] = {}
        periods: list[int] = []
        contents: list[int] = []
        activity_col: int | None = None
        for column in columns:
            role = _role(column)
            season = band = None
            band_text = ""
            for text in (column.group, column.sub):
                if text and season is None:
                    season = season_of_header(text)
                if text and band is None and (b := parse_band(text)) is not None:
                    band, band_text = b, text
            spec = None
            for text in (column.sub, column.group, column.text):
                for key in header_keys(text) if text else ():
                    spec = kind.by_header.get(key)
                    if spec is not None:
                        break
                if spec is not None:
                    break
            field = spec.name if spec is not None else None
            if role == "period":
                periods.append(column.index)
                continue
            if role == "content":
                contents.append(column.index)
                continue
            if field == "activity":
                activity_col = column.index
                continue
            if role == "range" or field in ("start", "end") or season or band:
                slot_key = (season.name if season else "", band_text)
                slot = slots.setdefault(slot_key, _Slot(season, band, band_text))
                if field == "start":
                    slot.start_col = column.index
                elif field == "end":
                    slot.end_col = column.index
                else:
                    slot.range_col = column.index
                continue
            if field in PLAIN_FIELDS and field not in named:
                named[field] = column.index
        plain = (not any(s.season or s.band or s.range_col is not None for s in slots.values())
                 and activity_col is not None and ("days" in named or "date" in named)
                 and not periods)
        if plain:
            return None  # a contract-shaped table: normalised as it is
        if activity_col is None and not periods and not contents:
            return None  # no activity anywhere: INP002 names the column, as before
        seasons = [s.season for s in slots.values() if s.season is not None]
        resolved, all_year = resolve(list({s.name: s for s in seasons}.values()), context.seasons)
        by_name = {s.name: s for s in resolved}
        for name in all_year:
            context.notes.append(Note(context.header_line, context.sheet,
                                      Msg("note.season_all_year", season=name), "assumed"))
        daily = "days" not in named and "date" not in named
        if daily:
            context.notes.append(Note(context.header_line, context.sheet,
                                      Msg("note.daily", days=DAILY), "assumed"))
        headers = ["school_id", "days", "date", "start", "end", "activity", "compulsory",
                   "grades", "title", "season"]
        plan = _Plan(headers, named, list(slots.values()), by_name, periods, contents,
                     activity_col, daily, context, {c.index: c.cell_key for c in columns},
                     self._namer(kind))
        return headers, plan.rows(rows)


@dataclass
class _Plan:
    headers: list[str]
    named: dict[str, int]
    slots: list[_Slot]
    seasons: dict[str, Season]
    periods: list[int]
    contents: list[int]
    activity_col: int | None
    daily: bool
    context: ShapeContext
    keys: dict[int, str]
    namer: Callable[[Any, bool], PeriodName | None]

    def rows(self, rows: Iterable[RawRow]) -> Iterator[RawRow]:
        for raw in rows:
            yield from self._entries(raw, raw.cells)

    def _cell(self, cells: dict[str, Any], index: int | None) -> Any:
        return cells.get(self.keys[index]) if index is not None else None

    def _entries(self, raw: RawRow, cells: dict[str, Any]) -> Iterator[RawRow]:
        base: dict[str, Any] = {name: self._cell(cells, i) for name, i in self.named.items()}
        if self.daily:
            base["days"] = DAILY
        # the activity: its own column, else the first period/content cell naming one
        grades_from_name: frozenset[int] = frozenset()
        if self.activity_col is not None:
            base["activity"] = self._cell(cells, self.activity_col)
            if self.contents and _blank(base.get("title")):
                base["title"] = self._cell(cells, self.contents[0])
        else:
            sources = [(i, True) for i in self.periods] + [(i, False) for i in self.contents]
            found = None
            for index, is_period in sources:
                got = self.namer(self._cell(cells, index), is_period)
                if got is not None:
                    found = (index, got)
                    break
            written = [self._cell(cells, i) for i, _ in sources]
            if found is not None:
                index, got = found
                base["activity"] = got.activity
                grades_from_name = got.grades
                others = [self._cell(cells, i) for i, _ in sources if i != index]
                title = next((o for o in others if not _blank(o)), None)
                base["title"] = title if title is not None else self._cell(cells, index)
                if got.instant:
                    base["title"] = self._cell(cells, index)
            else:
                # none names an activity: the cell as written goes to the parser, which
                # reports it with the names accepted
                base["activity"] = next((w for w in written if not _blank(w)), None)
                base["title"] = next((w for w in written[1:] if not _blank(w)), None)
        if grades_from_name and _blank(base.get("grades")):
            base["grades"] = Scope(grades_from_name, frozenset())
        slots = self.slots or [_Slot(None, None)]
        made = 0
        for slot in slots:
            values = dict(base)
            if slot.range_col is not None:
                got_range = split_range(self._cell(cells, slot.range_col))
                if got_range is None and (slot.start_col is None and slot.end_col is None):
                    if len(slots) > 1:
                        continue  # an empty cell: not in this season or band
                    values["start"] = values["end"] = None
                elif got_range is not None:
                    start, end = got_range
                    values["start"] = start
                    values["end"] = start if end is None else end
            if slot.start_col is not None:
                values["start"] = self._cell(cells, slot.start_col)
            if slot.end_col is not None:
                values["end"] = self._cell(cells, slot.end_col)
            if len(slots) > 1 and _blank(values.get("start")) and _blank(values.get("end")):
                continue
            if slot.band is not None:
                values["grades"] = Scope(slot.band, frozenset())
            if slot.season is not None:
                season = self.seasons.get(slot.season.name, slot.season)
                values["season"] = season
                day = _date_of(values.get("date"))
                if day is not None and not season.covers(day):
                    self.context.notes.append(Note(
                        raw.line, self.context.sheet,
                        Msg("note.out_of_season", season=season.name, span=season.span,
                            date=day.isoformat()), "assumed"))
                    made += 1
                    continue
            made += 1
            yield RawRow(raw.line, {h: values.get(h) for h in self.headers if h in values},
                         raw.problem)
        if made == 0:
            # every season and band empty: the row's times are missing, reported as such
            values = dict(base)
            values["start"] = values["end"] = None
            yield RawRow(raw.line, {h: values.get(h) for h in self.headers if h in values},
                         raw.problem)


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def normalize(value: Any) -> str:
    return unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "")


def _date_of(value: Any) -> dt.date | None:
    if _blank(value):
        return None
    try:
        return parse_date(value)
    except BadValue:
        return None


def single_time(value: Any) -> bool:
    """Whether a range cell holds one time only (an instant such as ``17:30``)."""
    got = split_range(value)
    if got is None or got[1] is not None:
        return False
    try:
        parse_time(got[0])
    except BadValue:
        return False
    return True
