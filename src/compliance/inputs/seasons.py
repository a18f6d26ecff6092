"""Seasonal schedules (夏季/冬季作息): a season's name and the days of the year it is in force.

A season's dates come from its column header (``夏季（5月1日—9月30日）``,
``(5.1-9.30)``, ``(10月8日起)``), else from ``school.yaml`` ``seasons:``, else it
applies all year.  A season given only a start runs until the day before another
season starts.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from typing import Any

from compliance.inputs.values import BadValue, normalize_text

MonthDay = tuple[int, int]
SEASON_NAMES = ("夏季", "冬季", "春季", "秋季", "夏令", "冬令")
_HEADER_RE = re.compile(
    r"^(夏季|冬季|春季|秋季|夏令|冬令)(?:作息)?(?:时间)?(?:作息时间)?\s*(?:[(（\[【](.*)[)）\]】])?$")
_MD_RE = re.compile(r"(\d{1,2})\s*(?:月|\.|/)\s*(\d{1,2})\s*日?")
_ISO_MD_RE = re.compile(r"^(\d{1,2})-(\d{1,2})$")


@dataclass(frozen=True, slots=True)
class Season:
    """A named season: ``start``/``end`` as (month, day), both ``None`` = all year."""

    name: str
    start: MonthDay | None = None
    end: MonthDay | None = None

    def covers(self, day: dt.date) -> bool:
        """Whether ``day`` falls in this season (a season may run over the new year)."""
        if self.start is None:
            return True
        md = (day.month, day.day)
        end = self.end or (12, 31)
        if self.start <= end:
            return self.start <= md <= end
        return md >= self.start or md <= end

    @property
    def span(self) -> str:
        """``05-01..09-30`` (or empty when all year), for the report's subject."""
        if self.start is None:
            return ""
        end = self.end or (12, 31)
        return f"{self.start[0]:02d}-{self.start[1]:02d}..{end[0]:02d}-{end[1]:02d}"

    def __str__(self) -> str:
        return self.name


def season_of_header(text: str) -> Season | None:
    """The season a column header names (``夏季（5月1日—9月30日）``), or ``None``."""
    cleaned = unicodedata.normalize("NFKC", str(text)).strip().replace(" ", "")
    match = _HEADER_RE.match(cleaned)
    if match is None:
        return None
    name, inside = match.group(1), match.group(2) or ""
    days = [(int(m), int(d)) for m, d in _MD_RE.findall(inside)]
    days = [md for md in days if _valid(md)]
    if not days:
        return Season(name)
    if len(days) == 1:
        return Season(name, days[0], None)
    return Season(name, days[0], days[1])


def _valid(md: MonthDay) -> bool:
    try:
        dt.date(2024, md[0], md[1])  # a leap year: 02-29 is a day
    except ValueError:
        return False
    return True


def parse_month_day(value: Any) -> MonthDay:
    """``05-01``, ``5月1日``, ``5.1`` as (month, day)."""
    if isinstance(value, dt.date):
        return (value.month, value.day)
    text = normalize_text(value)
    match = _ISO_MD_RE.match(text) or _MD_RE.fullmatch(text)
    if match is None or not _valid((int(match.group(1)), int(match.group(2)))):
        raise BadValue("a month and day such as 05-01", value)
    return (int(match.group(1)), int(match.group(2)))


def resolve(seasons: list[Season], profile: dict[str, tuple[MonthDay | None, MonthDay | None]]
            ) -> tuple[list[Season], list[str]]:
    """Each season with its dates: from its header, else the school's ``seasons:``; a
    season with only a start ends the day before the next season starts.

    :returns: the seasons, and the names of those that apply all year (no dates anywhere).
    """
    dated: list[Season] = []
    for season in seasons:
        if season.start is None and season.name in profile:
            start, end = profile[season.name]
            season = Season(season.name, start, end)
        dated.append(season)
    starts = sorted({s.start for s in dated if s.start is not None})
    out: list[Season] = []
    for season in dated:
        if season.start is not None and season.end is None and len(starts) > 1:
            later = [s for s in starts if s > season.start] or starts[:1]
            nxt = dt.date(2023, *later[0]) - dt.timedelta(days=1)  # not a leap year
            season = Season(season.name, season.start, (nxt.month, nxt.day))
        out.append(season)
    return out, [s.name for s in out if s.start is None]


def parse_season(value: Any) -> Season:
    """A ``season`` cell: a :class:`Season` as shaping made it, or a season's name."""
    if isinstance(value, Season):
        return value
    season = season_of_header(str(value))
    if season is None:
        raise BadValue("a season such as 夏季 or 冬季", value)
    return season
