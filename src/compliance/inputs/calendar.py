"""School days: the official national calendar, local overrides and school terms.

A school day is a day inside one of the school's terms that is either a weekday
that is not a public holiday, or an official make-up working day (调休上班).

The official calendar of a year comes, first found first: from the years declared
under ``official:`` in the run's calendar files (``--calendar``, then ``calendar:``
in the settings), then in the district folders' ``calendar.yaml`` (nearest first),
then from the ``compliance_official_calendar`` hook, whose built-in implementation
below reads the maintained ``chinese_calendar`` package.  :class:`OfficialCalendar`
is that chain; every year it answers carries its :class:`CalendarSource`, the
run's evidence of where the year came from.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from typing import Any

from compliance.host.markers import hookimpl

#: the distribution that supplies the packaged calendar
PACKAGE = "chinesecalendar"


@dataclass(frozen=True)
class CalendarSource:
    """Where one year of the official calendar came from.

    :param kind: ``declared`` (an ``official:`` entry in a calendar file),
        ``package`` (the packaged ``chinesecalendar``) or ``plugin`` (another
        ``compliance_official_calendar`` implementation).
    :param name: the notice a declared year names as its ``source`` (else the file),
        the package and its version, or the plugin's name.
    :param file: the declaring file (declared years only), with ``line``.
    :param differs_from: for a declared year that is also packaged and differs: the
        package and version it overrides; ``differences`` lists the days.
    """

    kind: str
    name: str
    file: str | None = None
    line: int | None = None
    differs_from: str | None = None
    differences: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON data: ``kind``, ``source``, and ``file``/``line``/``differs_from``/
        ``differences`` where they apply."""
        out: dict[str, Any] = {"kind": self.kind, "source": self.name}
        if self.file is not None:
            out["file"] = self.file
            out["line"] = self.line
        if self.differs_from is not None:
            out["differs_from"] = self.differs_from
            out["differences"] = list(self.differences)
        return out

    def text(self, lang: str) -> str:
        """One line for people, e.g. ``chinesecalendar 1.11.0`` or
        ``国务院办公厅关于2027年…的通知 (calendar.yaml:3)``."""
        out = self.name
        if self.file is not None and self.file != self.name:
            out += f" ({self.file}{f':{self.line}' if self.line else ''})"
        if self.differs_from is not None:
            count = len(self.differences)
            out += (f"；与 {self.differs_from} 有 {count} 天不同，以声明为准" if lang == "zh"
                    else f"; differs from {self.differs_from} on {count} day(s), declared wins")
        return out


@dataclass(frozen=True)
class YearCalendar:
    """One year of the official calendar.

    :param holidays: dates inside officially announced public-holiday periods,
        with the holiday's name.
    :param workdays: official make-up working days (weekend days that are worked).
    :param source: where the year came from; a plugin may leave it ``None`` (the
        run then names the plugin).
    """

    year: int
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: frozenset[dt.date] = frozenset()
    source: CalendarSource | None = None

    def periods(self) -> list[tuple[str, dt.date, dt.date]]:
        """The holiday periods as ``(name, first, last)``: consecutive days of one name."""
        out: list[tuple[str, dt.date, dt.date]] = []
        for day in sorted(self.holidays):
            name = self.holidays[day]
            if out and out[-1][0] == name and out[-1][2] + dt.timedelta(days=1) == day:
                out[-1] = (name, out[-1][1], day)
            else:
                out.append((name, day, day))
        return out

    def differences(self, other: YearCalendar, lang: str = "en") -> list[str]:
        """The days on which ``other`` says something else, e.g.
        ``2026-02-23: holiday 春节 here, working day in chinesecalendar 1.11.0``.

        Holiday names are not compared (a declared ``春节`` and a packaged ``Spring
        Festival`` are the same holiday); only what kind of day each is.
        """
        out = []
        theirs_name = _name(other)
        for day in sorted(set(self.holidays) | set(other.holidays) | self.workdays
                          | other.workdays):
            mine, theirs = _kind_of(self, day), _kind_of(other, day)
            if mine[0] != theirs[0]:
                if lang == "zh":
                    out.append(f"{day.isoformat()}：声明为{_kind_text(mine, lang)}，"
                               f"{theirs_name} 为{_kind_text(theirs, lang)}")
                else:
                    out.append(f"{day.isoformat()}: {_kind_text(mine, lang)} here, "
                               f"{_kind_text(theirs, lang)} in {theirs_name}")
        return out


def _kind_of(year: YearCalendar, day: dt.date) -> tuple[str, str]:
    if day in year.holidays:
        return ("holiday", year.holidays[day])
    if day in year.workdays:
        return ("make_up", "")
    return ("rest", "") if day.isoweekday() >= 6 else ("working", "")


_KIND_TEXT = {
    "holiday": {"zh": "节假日「{name}」", "en": "holiday {name}"},
    "make_up": {"zh": "调休上班日", "en": "make-up working day"},
    "rest": {"zh": "周末休息日", "en": "weekend rest day"},
    "working": {"zh": "工作日", "en": "working day"},
}


def _kind_text(kind: tuple[str, str], lang: str) -> str:
    return _KIND_TEXT[kind[0]][lang].format(name=kind[1])


#: years declared in one calendar file, as :func:`compliance.inputs.official_years.parse_official`
#: gives them
DeclaredYears = Mapping[int, YearCalendar]


class OfficialCalendar:
    """The official calendar a run consults: declared years first, then the hook.

    Call it with a year for its :class:`YearCalendar` (``None`` when nothing covers
    it).  A declared year that the hook also knows is compared with it: the
    declared one wins and its source notes the days that differ.

    :param hook: the ``compliance_official_calendar`` lookup (see :func:`hook_lookup`).
    :param declared: declared years, most authoritative first.
    :param local_holidays: rest days the run's calendar files declare for every school.
    :param local_workdays: make-up school days the run's calendar files declare.
    """

    def __init__(self, hook: Callable[[int], YearCalendar | None],
                 declared: Sequence[DeclaredYears] = (),
                 local_holidays: Iterable[dt.date] = (),
                 local_workdays: Iterable[dt.date] = ()):
        self.hook = hook
        self.declared = list(declared)
        self.local_holidays = set(local_holidays)
        self.local_workdays = set(local_workdays)
        self._years: dict[int, YearCalendar | None] = {}
        self._hooked: dict[int, YearCalendar | None] = {}
        self._extended: dict[tuple[int, ...], OfficialCalendar] = {}

    def __call__(self, year: int) -> YearCalendar | None:
        if year not in self._years:
            self._years[year] = self._resolve(year)
        return self._years[year]

    def hooked(self, year: int) -> YearCalendar | None:
        """The year as the hook (plugins, then the package) gives it, ignoring declarations."""
        if year not in self._hooked:
            self._hooked[year] = self.hook(year)
        return self._hooked[year]

    def _resolve(self, year: int) -> YearCalendar | None:
        for years in self.declared:
            if year in years:
                declared = years[year]
                base = self.hooked(year)
                diff = declared.differences(base) if base is not None else []
                if diff and declared.source is not None and base is not None:
                    source = replace(declared.source, differs_from=_name(base),
                                     differences=tuple(diff))
                    return replace(declared, source=source)
                return declared
        return self.hooked(year)

    def extended(self, more: Sequence[DeclaredYears]) -> OfficialCalendar:
        """This calendar with ``more`` declared years consulted after its own (a
        district's ``calendar.yaml``); the hook's answers are shared."""
        if not more:
            return self
        key = tuple(id(m) for m in more)
        if key not in self._extended:
            child = OfficialCalendar(self.hook, [*self.declared, *more], self.local_holidays,
                                     self.local_workdays)
            child._hooked = self._hooked
            self._extended[key] = child
        return self._extended[key]


def _name(year: YearCalendar) -> str:
    return year.source.name if year.source is not None else "plugin"


def hook_lookup(hook_caller: Any) -> Callable[[int], YearCalendar | None]:
    """``year -> YearCalendar | None`` from the ``compliance_official_calendar`` hook,
    with each answer's source filled in.

    The hook is called through pluggy (wrappers and ``COMPLIANCE_TRACE_PLUGINS`` see
    it).  An answer without a source is from a plugin: the implementations are asked
    again in pluggy's order to name the one that answered (once per year and process).
    """

    def lookup(year: int) -> YearCalendar | None:
        got: YearCalendar | None = hook_caller(year=year)
        if got is None or got.source is not None:
            return got
        return _with_source(got, _answering_plugin(hook_caller, year))

    return lookup


def _answering_plugin(hook_caller: Any, year: int) -> str:
    for impl in reversed(hook_caller.get_hookimpls()):
        if getattr(impl, "hookwrapper", False) or getattr(impl, "wrapper", False):
            continue
        if impl.function(**{a: year for a in impl.argnames if a == "year"}) is not None:
            return str(impl.plugin_name)
    return "plugin"


def _with_source(year: YearCalendar, plugin: str) -> YearCalendar:
    if year.source is not None:
        return year
    return replace(year, source=CalendarSource("plugin", plugin))


def uncovered_source(lang: str) -> str:
    """How a year nothing covers is named in the evidence."""
    return "未覆盖（该年无官方日历）" if lang == "zh" else "not covered (no official calendar)"


class DayType(enum.Enum):
    SCHOOL_DAY = "school_day"
    PUBLIC_HOLIDAY = "public_holiday"
    LOCAL_HOLIDAY = "local_holiday"
    WEEKEND = "weekend"
    VACATION = "vacation"
    UNKNOWN = "unknown"  # the official calendar does not cover the year


class SchoolCalendar:
    """Classifies dates for one school: terms, local days and the official calendar.

    Precedence, most specific first: a public holiday, then vacation (outside
    every term), then a local rest day, then a weekend that is not a make-up day.
    A date in a term whose year the official calendar lacks is ``UNKNOWN``.
    """

    def __init__(
        self,
        official: Callable[[int], YearCalendar | None],
        terms: list[tuple[dt.date, dt.date]] | None = None,
        local_holidays: set[dt.date] | None = None,
        local_workdays: set[dt.date] | None = None,
    ):
        self._official = official
        self._years: dict[int, YearCalendar | None] = {}
        self.local_holidays = set(local_holidays or ()) | set(
            getattr(official, "local_holidays", ()))
        self.local_workdays = set(local_workdays or ()) | set(
            getattr(official, "local_workdays", ()))
        self.terms = terms

    def year(self, year: int) -> YearCalendar | None:
        if year not in self._years:
            self._years[year] = self._official(year)
        return self._years[year]

    def sources(self) -> dict[int, CalendarSource | None]:
        """Every year this calendar was asked about, with its source (``None``: not covered)."""
        return {year: cal.source if cal is not None else None
                for year, cal in sorted(self._years.items())}

    def covers(self, day: dt.date) -> bool:
        return self.year(day.year) is not None

    def in_term(self, day: dt.date) -> bool:
        if self.terms is None:
            return True
        return any(start <= day <= end for start, end in self.terms)

    def holiday_name(self, day: dt.date) -> str | None:
        official = self.year(day.year)
        return official.holidays.get(day) if official else None

    def day_type(self, day: dt.date) -> DayType:
        official = self.year(day.year)
        if official is not None and day in official.holidays:
            return DayType.PUBLIC_HOLIDAY
        if not self.in_term(day):
            return DayType.VACATION
        if official is None:
            return DayType.UNKNOWN
        if day in self.local_holidays:
            return DayType.LOCAL_HOLIDAY
        if day.isoweekday() >= 6 and day not in official.workdays and day not in self.local_workdays:
            return DayType.WEEKEND
        return DayType.SCHOOL_DAY

    def is_school_day(self, day: dt.date) -> bool:
        return self.day_type(day) is DayType.SCHOOL_DAY

    def is_make_up_day(self, day: dt.date) -> bool:
        official = self.year(day.year)
        return day.isoweekday() >= 6 and (
            day in self.local_workdays or (official is not None and day in official.workdays)
        )


HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@hookimpl(trylast=True)
def compliance_official_calendar(year: int) -> YearCalendar | None:
    """The official calendar from ``chinese_calendar`` (国务院办公厅 announcements)."""
    import chinese_calendar.constants as cc

    covered = {d.year for d in cc.holidays}
    if year not in covered:
        return None
    holidays = {d: str(name) for d, name in cc.holidays.items() if d.year == year}
    workdays = frozenset(d for d in cc.workdays if d.year == year)
    return YearCalendar(year, holidays, workdays, CalendarSource("package", package_name()))


def package_name() -> str:
    """The packaged calendar and its version, e.g. ``chinesecalendar 1.11.0``."""
    try:
        return f"{PACKAGE} {metadata.version(PACKAGE)}"
    except metadata.PackageNotFoundError:  # vendored or renamed: still say which
        return PACKAGE
