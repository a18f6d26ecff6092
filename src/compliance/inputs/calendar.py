"""School days: the official national calendar, local overrides and school terms.

A school day is a day inside one of the school's terms that is either a weekday
that is not a public holiday, or an official make-up working day (调休上班).
The official calendar comes from the ``compliance_official_calendar`` hook; the
built-in implementation below reads the maintained ``chinese_calendar`` package.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field

from compliance.host.markers import hookimpl


@dataclass(frozen=True)
class YearCalendar:
    """One year of the official calendar.

    :param holidays: dates inside officially announced public-holiday periods,
        with the holiday's name.
    :param workdays: official make-up working days (weekend days that are worked).
    """

    year: int
    holidays: dict[dt.date, str] = field(default_factory=dict)
    workdays: frozenset[dt.date] = frozenset()


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
        self.terms = terms
        self.local_holidays = local_holidays or set()
        self.local_workdays = local_workdays or set()

    def year(self, year: int) -> YearCalendar | None:
        if year not in self._years:
            self._years[year] = self._official(year)
        return self._years[year]

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
    return YearCalendar(year, holidays, workdays)
