"""Parsers for every value form in the submission contract.

Each parser takes what a reader found in a cell (a string, or a native value
from a spreadsheet) and returns the canonical value, or raises
:class:`BadValue` naming what was expected.  Every canonical value parses back
to itself, so ``parse(str(parse(x))) == parse(x)``.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Callable
from typing import Any

from compliance.inputs.reasons import Msg, pair


class BadValue(ValueError):
    """A cell that cannot be read as the value its column wants.

    :param expected: what the column wants: a :class:`~compliance.inputs.reasons.Msg`
        (shown in the report's language) or a plain ``str`` (a plugin's, shown as is).
    """

    def __init__(self, expected: str | Msg, value: Any):
        super().__init__(expected, value)
        self.expected = expected
        self.value = value

    def __str__(self) -> str:  # made only when shown: parsers raise this on hot paths
        return f"expected {self.expected}, got {self.value!r}"


EXPECT_TIME = Msg("expect.time")
EXPECT_DATE = Msg("expect.date")
EXPECT_WEEKDAYS = Msg("expect.weekdays")
EXPECT_BOOL = Msg("expect.bool")
EXPECT_GRADE = Msg("expect.grade")
EXPECT_CLASS = Msg("expect.class")
EXPECT_SCOPE = Msg("expect.scope")
EXPECT_WHOLE_NUMBER = Msg("expect.whole_number")
EXPECT_NUMBER = Msg("expect.number")


def normalize_text(value: Any) -> str:
    """Full-width to half-width (NFKC), surrounding white space removed."""
    if value.__class__ is str and value.isascii():  # NFKC leaves ASCII as it is
        return value.strip()
    return unicodedata.normalize("NFKC", str(value)).strip()


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


# --- time -------------------------------------------------------------------


class Clock(int):
    """Minutes after midnight that prints as ``HH:MM`` (00:00 to 24:00)."""

    __slots__ = ()

    def __str__(self) -> str:
        return f"{self // 60:02d}:{self % 60:02d}"

    __repr__ = __str__

    @classmethod
    def of(cls, hour: int, minute: int = 0) -> Clock:
        return cls(hour * 60 + minute)


_TIME_RE = re.compile(r"^(\d{1,2})(?::(\d{1,2}))?(?::(\d{1,2}))?$")
_CN_TIME_RE = re.compile(r"^(\d{1,2})[点時时](?:(\d{1,2})分?|半)?$")


def parse_time(value: Any) -> Clock:
    """``8:00``, ``08:00:00``, ``８：００``, ``8点``, ``8点30``, ``8点半``; spreadsheet time cells."""
    if isinstance(value, dt.datetime):
        value = value.time()
    if isinstance(value, dt.time):
        return Clock.of(value.hour, value.minute)
    if isinstance(value, dt.timedelta) and dt.timedelta(0) <= value <= dt.timedelta(days=1):
        # an XLSX duration cell (``[h]:mm``) read as the time of day it spells
        return Clock(round(value.total_seconds() / 60))
    if isinstance(value, float) and 0 <= value <= 1:  # Excel fraction of a day
        minutes = round(value * 24 * 60)
        return Clock(minutes)
    text = normalize_text(value).replace("：", ":")
    hour = minute = None
    match = _TIME_RE.match(text)
    if match and (match.group(2) is not None or len(text) <= 2) and not match.group(3):
        hour, minute = int(match.group(1)), int(match.group(2) or 0)
    elif match and match.group(3) is not None:
        if int(match.group(3)) >= 60:
            raise BadValue(EXPECT_TIME, value)
        hour, minute = int(match.group(1)), int(match.group(2))
    else:
        cn = _CN_TIME_RE.match(text)
        if cn:
            hour = int(cn.group(1))
            minute = 30 if text.endswith("半") else int(cn.group(2) or 0)
    if hour is None or minute is None or minute >= 60 or hour > 24 or (hour == 24 and minute):
        raise BadValue(EXPECT_TIME, value)
    return Clock.of(hour, minute)


# --- date -------------------------------------------------------------------

_DATE_RE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
_CN_DATE_RE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$")


def parse_date(value: Any) -> dt.date:
    """``2025-10-03``, ``2025/10/3``, ``2025.10.3``, ``2025年10月3日``; spreadsheet date cells."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = normalize_text(value)
    match = _DATE_RE.match(text) or _CN_DATE_RE.match(text)
    if match and not (text[:4].isdigit() and "T" in text):
        try:
            return dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            pass
    raise BadValue(EXPECT_DATE, value)


# --- weekday spec -----------------------------------------------------------

WEEKDAY_NAMES: dict[str, int] = {
    "mon": 1, "monday": 1, "tue": 2, "tues": 2, "tuesday": 2, "wed": 3, "wednesday": 3,
    "thu": 4, "thur": 4, "thurs": 4, "thursday": 4, "fri": 5, "friday": 5,
    "sat": 6, "saturday": 6, "sun": 7, "sunday": 7,
}
_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "日": 7, "天": 7, "七": 7}
WEEKDAY_ZH = {1: "周一", 2: "周二", 3: "周三", 4: "周四", 5: "周五", 6: "周六", 7: "周日"}
WEEKDAY_EN = {1: "Mon", 2: "Tue", 3: "Wed", 4: "Thu", 5: "Fri", 6: "Sat", 7: "Sun"}


class Weekdays(frozenset[int]):
    """A set of ISO weekdays that prints as a canonical spec such as ``Mon-Fri``."""

    def __str__(self) -> str:
        return format_weekdays(self, "en")

    def __repr__(self) -> str:
        return f"Weekdays({self})"


def format_weekdays(days: frozenset[int], lang: str = "en") -> str:
    names = WEEKDAY_ZH if lang == "zh" else WEEKDAY_EN
    ordered = sorted(days)
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        if j - i >= 2:
            sep = "至" if lang == "zh" else "-"
            parts.append(f"{names[ordered[i]]}{sep}{names[ordered[j]]}")
        else:
            parts.extend(names[d] for d in ordered[i : j + 1])
        i = j + 1
    return ("、" if lang == "zh" else ",").join(parts)


def _one_weekday(token: str) -> int:
    token = token.strip().lower()
    if token.isdigit() and 1 <= int(token) <= 7:
        return int(token)
    if token in WEEKDAY_NAMES:
        return WEEKDAY_NAMES[token]
    for prefix in ("星期", "礼拜", "周"):
        if token.startswith(prefix) and token[len(prefix) :] in _CN_DIGITS:
            return _CN_DIGITS[token[len(prefix) :]]
    raise KeyError(token)


def parse_weekdays(value: Any) -> Weekdays:
    """``Mon``, ``Mon-Fri``, ``Mon,Wed``, ``1-5``, ``周一``, ``周一至周五``, ``星期六``,
    ``工作日`` (Mon-Fri), ``周末`` (Sat, Sun)."""
    text = normalize_text(value)
    if not text:
        raise BadValue(EXPECT_WEEKDAYS, value)
    days: set[int] = set()
    try:
        for part in re.split(r"[,，、;；/ ]+", text):
            if not part:
                continue
            if part in ("工作日", "weekdays", "Weekdays"):
                days.update(range(1, 6))
                continue
            if part in ("周末", "双休日", "weekend", "Weekend"):
                days.update((6, 7))
                continue
            if part in ("每天", "daily", "Daily"):
                days.update(range(1, 8))
                continue
            bounds = re.split(r"\s*(?:至|到|~|-|–|—)\s*", part)
            if len(bounds) == 2:
                lo, hi = _one_weekday(bounds[0]), _one_weekday(bounds[1])
                if lo > hi:
                    raise KeyError(part)
                days.update(range(lo, hi + 1))
            elif len(bounds) == 1:
                days.add(_one_weekday(part))
            else:
                raise KeyError(part)
    except KeyError:
        raise BadValue(EXPECT_WEEKDAYS, value) from None
    if not days:
        raise BadValue(EXPECT_WEEKDAYS, value)
    return Weekdays(days)


# --- boolean ----------------------------------------------------------------

_TRUE = {"true", "yes", "y", "1", "是", "t", "对", "√"}
_FALSE = {"false", "no", "n", "0", "否", "f", "不", "×"}


def parse_bool(value: Any) -> bool:
    """``true/false``, ``yes/no``, ``1/0``, ``是/否``, ``Y/N``."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = normalize_text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise BadValue(EXPECT_BOOL, value)


# --- grade and class --------------------------------------------------------

_CN_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_JUNIOR = {"初一": 7, "初二": 8, "初三": 9, "七年级": 7, "八年级": 8, "九年级": 9}


def _grade_number(token: str) -> int | None:
    token = token.strip()
    if token in _JUNIOR:
        return _JUNIOR[token]
    token = token.removesuffix("年级").removesuffix("年")
    if token.isdigit():
        return int(token)
    if token in _CN_NUM:
        return _CN_NUM[token]
    return None


def parse_grade(value: Any) -> int:
    """``1``–``9``, ``一年级``…``九年级``, ``初一/初二/初三`` (= 7/8/9)."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        grade: int | None = value
    else:
        grade = _grade_number(normalize_text(value))
    if grade is None or not 1 <= grade <= 9:
        raise BadValue(EXPECT_GRADE, value)
    return grade


_CLASS_RES = (
    re.compile(r"^(\d)\s*-\s*(\d{1,2})$"),
    re.compile(r"^(\d|[一二三四五六七八九]|初[一二三])\s*年?级?\s*[(（]?\s*(\d{1,2})\s*[)）]?\s*班$"),
    re.compile(r"^(初[一二三])\s*[(（]?\s*(\d{1,2})\s*[)）]?\s*班?$"),
)


def parse_class(value: Any) -> str:
    """``3-2``, ``3年级2班``, ``三(2)班`` → ``3-2``."""
    text = normalize_text(value)
    for pattern in _CLASS_RES:
        match = pattern.match(text)
        if match:
            grade = _grade_number(match.group(1))
            number = int(match.group(2))
            if grade is not None and 1 <= grade <= 9 and number >= 1:
                return f"{grade}-{number}"
    raise BadValue(EXPECT_CLASS, value)


# --- lists ------------------------------------------------------------------

_LIST_SPLIT = re.compile(r"[;；、，,\s]+")


def split_list(value: Any) -> list[Any]:
    """Items of a list cell: ``5;6``, ``五年级、六年级``, ``3-1;3-2``; a YAML list as is."""
    if isinstance(value, list | tuple):
        return [v for v in value if not is_blank(v)]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return [value]
    text = str(value).strip().strip("[]")
    return [item for item in _LIST_SPLIT.split(text) if item]


class Scope:
    """The grades and classes a schedule row applies to; empty means the whole school."""

    __slots__ = ("classes", "grades")

    def __init__(self, grades: frozenset[int] = frozenset(), classes: frozenset[str] = frozenset()):
        self.grades = grades
        self.classes = classes

    @property
    def whole_school(self) -> bool:
        return not self.grades and not self.classes

    def covers_grade(self, grade: int) -> bool:
        return (
            self.whole_school
            or grade in self.grades
            or any(c.startswith(f"{grade}-") for c in self.classes)
        )

    def __eq__(self, other: object) -> bool:
        return (
            isinstance(other, Scope)
            and self.grades == other.grades
            and self.classes == other.classes
        )

    def __hash__(self) -> int:
        return hash((self.grades, self.classes))

    def __str__(self) -> str:
        items = [str(g) for g in sorted(self.grades)] + sorted(self.classes)
        return ";".join(items)

    def __repr__(self) -> str:
        return f"Scope({self})"


_BAND_NUM = r"(?:[1-9]|[一二三四五六七八九])"
_BAND_RES = (
    # 一至三年级, 1-3年级, 三~六年级, 三至六年级, 1—3年级
    re.compile(rf"^({_BAND_NUM})\s*(?:至|到|~|～|-|—|–)\s*({_BAND_NUM})\s*年级$"),
    # 一二年级, 三四年级, 五六年级 (two or more adjacent grades named together)
    re.compile(r"^([一二三四五六七八九]{2,})年级$"),
)
SCHOOL_SECTIONS = {"小学部": range(1, 7), "小学": range(1, 7), "初中部": range(7, 10),
                   "初中": range(7, 10)}


def parse_band(value: Any) -> frozenset[int] | None:
    """A compact grade band (``一至三年级``, ``1-3年级``, ``一二年级``, ``三~六年级``, ``小学部``,
    ``初中部``) or a single grade (``初一``, ``七年级``) as its grades; ``None`` if it is none."""
    text = normalize_text(value).replace(" ", "")
    if text in SCHOOL_SECTIONS:
        return frozenset(SCHOOL_SECTIONS[text])
    match = _BAND_RES[0].match(text)
    if match:
        low, high = _grade_number(match.group(1)), _grade_number(match.group(2))
        if low is not None and high is not None and 1 <= low <= high <= 9:
            return frozenset(range(low, high + 1))
        return None
    match = _BAND_RES[1].match(text)
    if match:
        return frozenset(_CN_NUM[c] for c in match.group(1))
    if text.endswith("年级") or text in _JUNIOR:
        grade = _grade_number(text)
        return frozenset({grade}) if grade is not None and 1 <= grade <= 9 else None
    return None


def parse_scope(value: Any) -> Scope:
    """Grades or classes (``5;6``, ``五年级、六年级``, ``3-1;3-2``, a band such as ``一至三年级``
    or ``小学部``); empty = whole school."""
    grades: set[int] = set()
    classes: set[str] = set()
    if isinstance(value, Scope):
        return value
    band = parse_band(value) if isinstance(value, str) else None
    if band is not None:
        return Scope(band, frozenset())
    for item in split_list(value):
        if isinstance(item, str) and (band := parse_band(item)) is not None and len(band) > 1:
            grades.update(band)
            continue
        try:
            classes.add(parse_class(item))
        except BadValue:
            try:
                grades.add(parse_grade(item))
            except BadValue:
                raise BadValue(EXPECT_SCOPE, value) from None
    return Scope(frozenset(grades), frozenset(classes))


# --- numbers, text, enums ---------------------------------------------------


def parse_int(value: Any) -> int:
    """A whole number ≥ 0; ``30``, ``30分钟``, ``30.0``."""
    if isinstance(value, bool):
        raise BadValue(EXPECT_WHOLE_NUMBER, value)
    if isinstance(value, int):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        text = normalize_text(value).removesuffix("分钟").removesuffix("分").removesuffix("min")
        text = text.strip()
        try:
            # "30.0" is 30; through int, not float, so long numbers keep every digit.
            number = int(text.split(".")[0]) if re.fullmatch(r"\d+\.0+", text) else int(text)
        except ValueError:
            raise BadValue(EXPECT_WHOLE_NUMBER, value) from None
    if number < 0:
        raise BadValue(EXPECT_WHOLE_NUMBER, value)
    return number


def parse_number(value: Any) -> float:
    """A number ≥ 0 (a price, a quantity)."""
    if isinstance(value, bool):
        raise BadValue(EXPECT_NUMBER, value)
    if isinstance(value, int | float):
        try:
            number = float(value)  # a spreadsheet cell: checked like text below
        except OverflowError:
            raise BadValue(EXPECT_NUMBER, value) from None
    else:
        text = normalize_text(value).removesuffix("元").lstrip("¥￥").strip()
        try:
            number = float(text)
        except (ValueError, OverflowError):
            raise BadValue(EXPECT_NUMBER, value) from None
    if not math.isfinite(number) or number < 0:  # inf, nan, 1e999: no price or quantity
        raise BadValue(EXPECT_NUMBER, value)
    return number


def parse_text(value: Any) -> str:
    """Free text, full-width normalised."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return normalize_text(value)


def parse_id(value: Any) -> str:
    """An identifier compared after trimming and upper-casing (student ids, zone codes)."""
    # the usual form: printable ASCII without spaces has no white space to remove
    if value.__class__ is str and value.isascii() and value.isprintable() and " " not in value:
        return value.upper()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = _SPACE_RE.sub("", normalize_text(value))
    # format characters (category Cf: U+200B, U+FEFF, U+2060, bidi marks) are invisible:
    # two ids that differ only by them are one id (else ENR004 could be evaded)
    return "".join(c for c in text if c.isascii() or unicodedata.category(c) != "Cf").upper()


_SPACE_RE = re.compile(r"\s+")


def enum_parser(choices: dict[str, tuple[str, ...]]) -> Callable[[Any], str]:
    """A parser for a closed set of canonical names, each with its aliases (Chinese names)."""
    lookup: dict[str, str] = {}
    for canonical, aliases in choices.items():
        lookup[canonical.lower()] = canonical
        for alias in aliases:
            lookup[normalize_text(alias).lower()] = canonical
    listed = [f"`{c}`" + (f" (`{'`/`'.join(a)}`)" if a else "") for c, a in choices.items()]
    expected = Msg("expect.one_of", choices=pair("、".join(listed), ", ".join(listed)))

    def parse(value: Any) -> str:
        key = normalize_text(value).lower().replace(" ", "_").replace("-", "_")
        if key in lookup:
            return lookup[key]
        raise BadValue(expected, value)

    parse.__doc__ = str(expected)
    parse.choices = dict(choices)  # type: ignore[attr-defined]  # for docs and templates
    return parse
