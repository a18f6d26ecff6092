"""Official years declared in a calendar file (``official:`` in ``calendar.yaml``).

A bureau gives the tool a year's national holidays the day the State Council's
notice appears, before any package release::

    official:
      2027:
        source: 国务院办公厅关于2027年部分节假日安排的通知
        holidays:
          - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
        workdays: [2027-02-14]

A declared year must be whole: a period without a name or start (INP002), an
unreadable date, a period ending before it starts, a date outside the year,
overlapping periods, a make-up working day inside a holiday or on a weekday, or
an unknown key (INP001) is an input finding at its line, and the year is not used
(the next source, or INP007, applies) until it is fixed: a half-read year would
judge dates on a guess.

:func:`read_calendar_file` reads a whole calendar file given with ``--calendar``
or ``calendar:`` in the settings (its local ``holidays``/``workdays`` too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.inputs.calendar import CalendarSource, YearCalendar
from compliance.inputs.model import Location
from compliance.inputs.problems import InputProblem
from compliance.inputs.raw import LList, LMap, ReadError
from compliance.inputs.reasons import Msg
from compliance.inputs.values import BadValue, is_blank, parse_date, parse_text, split_list

YEAR_KEYS = ("source", "holidays", "workdays")
PERIOD_KEYS = ("name", "from", "to")

EXPECT_YEARS = Msg({"zh": "按年份排列的官方日历（如 `2027:` 下写 `source`、`holidays`、`workdays`）",
                    "en": "official years by year (`2027:` with `source`, `holidays`, "
                          "`workdays`)"})
EXPECT_YEAR = Msg({"zh": "四位数年份，如 2027", "en": "a year such as 2027"})
EXPECT_YEAR_BODY = Msg({"zh": "含 `source`、`holidays`、`workdays` 的映射",
                        "en": "a mapping with `source`, `holidays`, `workdays`"})
EXPECT_PERIODS = Msg({"zh": "假期列表，每项如 `{{name: 春节, from: 2027-02-05, to: 2027-02-12}}`",
                      "en": "a list of periods such as `{{name: 春节, from: 2027-02-05, "
                            "to: 2027-02-12}}`"})
EXPECT_PERIOD = Msg({"zh": "假期 `{{name, from, to}}`", "en": "a period `{{name, from, to}}`"})


def _msg(zh: str, en: str, **args: Any) -> Msg:
    return Msg({"zh": zh, "en": en}, **args)


def _not_used(year: int) -> Msg:
    return _msg("修正前不使用该文件声明的{year}年官方日历", "the {year} year declared here is "
                "not used until this is fixed", year=year)


@dataclass
class CalendarFile:
    """What one calendar file declares.

    :param official: the well-formed declared years.
    :param holidays: local rest days (``holidays:``), ``workdays``: local make-up days.
    :param problems: input findings-to-be for everything that could not be used.
    """

    path: str
    official: dict[int, YearCalendar] = field(default_factory=dict)
    holidays: set[dt.date] = field(default_factory=set)
    workdays: set[dt.date] = field(default_factory=set)
    problems: list[InputProblem] = field(default_factory=list)


class _Year:
    """Reads one declared year, recording each problem at its line."""

    def __init__(self, year: int, loc: Location, problems: list[InputProblem]):
        self.year = year
        self.loc = loc
        self.problems = problems
        self.ok = True

    def problem(self, code: str, line: int | None, column: str, reason: Msg,
                **args: Any) -> None:
        self.ok = False
        self.problems.append(InputProblem(
            code, Location(self.loc.file, line, column),
            Msg({"zh": "{what}；{then}", "en": "{what}; {then}"}, what=reason,
                then=_not_used(self.year)),
            None, {"column": column, "columns": column, "kind": "calendar", **args},
            {"year": self.year}))

    def date(self, raw: Any, line: int | None, column: str) -> dt.date | None:
        try:
            day = parse_date(raw)
        except BadValue as exc:
            self.problem("INP001", line, column, Msg("cell.unreadable", value=repr(str(raw)[:40]),
                                                    column=column, expected=exc.expected),
                         value=str(raw)[:40])
            return None
        if day.year != self.year:
            self.problem("INP001", line, column, _msg(
                "{day} 不在{year}年内", "{day} is not in {year}", day=day.isoformat(),
                year=self.year), value=day.isoformat())
            return None
        return day


def parse_official(data: LMap, loc: Location, problems: list[InputProblem]
                   ) -> dict[int, YearCalendar]:
    """The well-formed years under ``official:`` in ``data`` (empty when there is none).

    :param loc: the file, as findings should name it.
    :param problems: gets one input problem per thing that is wrong.
    """
    body = data.get("official")
    if body is None:
        return {}
    if not isinstance(body, LMap):
        problems.append(InputProblem(
            "INP001", Location(loc.file, data.line_of("official"), "official"),
            Msg("cell.unreadable", value=repr(str(body)[:40]), column="official",
                expected=EXPECT_YEARS), None, {"column": "official", "value": str(body)[:40]}))
        return {}
    out: dict[int, YearCalendar] = {}
    for key, spec in body.items():
        line = body.line_of(key)
        text = str(key).strip()
        if not (text.isdigit() and len(text) == 4):
            problems.append(InputProblem(
                "INP001", Location(loc.file, line, "official"),
                Msg("cell.unreadable", value=repr(text[:40]), column="official",
                    expected=EXPECT_YEAR), None, {"column": "official", "value": text[:40]}))
            continue
        year = _year(int(text), spec, line, loc, problems)
        if year is not None:
            out[year.year] = year
    return out


def _year(year: int, spec: Any, line: int | None, loc: Location,
          problems: list[InputProblem]) -> YearCalendar | None:
    reader = _Year(year, loc, problems)
    if not isinstance(spec, LMap):
        reader.problem("INP001", line, str(year), Msg(
            "cell.unreadable", value=repr(str(spec)[:40]), column=str(year),
            expected=EXPECT_YEAR_BODY), value=str(spec)[:40])
        return None
    for key in spec:
        if key not in YEAR_KEYS:
            reader.problem("INP001", spec.line_of(key), key, _msg(
                "未知的键 `{key}`，应为 {known} 之一", "unknown key `{key}`: expected one of {known}",
                key=key, known=", ".join(YEAR_KEYS)), value=key)
    periods = _periods(reader, spec)
    holidays: dict[dt.date, str] = {}
    for name, first, last, _line in periods:
        day = first
        while day <= last:
            holidays[day] = name
            day += dt.timedelta(days=1)
    workdays = _workdays(reader, spec, periods)
    if not reader.ok:
        return None
    source = "" if is_blank(spec.get("source")) else parse_text(spec["source"])
    return YearCalendar(year, holidays, frozenset(workdays), CalendarSource(
        "declared", source or loc.file, loc.file, line))


Period = tuple[str, dt.date, dt.date, int | None]


def _periods(reader: _Year, spec: LMap) -> list[Period]:
    raw = spec.get("holidays")
    if raw is None:
        return []
    if not isinstance(raw, LList):
        reader.problem("INP001", spec.line_of("holidays"), "holidays", Msg(
            "cell.unreadable", value=repr(str(raw)[:40]), column="holidays",
            expected=EXPECT_PERIODS), value=str(raw)[:40])
        return []
    periods: list[Period] = []
    for index, item in enumerate(raw):
        line = raw.line_of(index)
        if not isinstance(item, LMap):
            reader.problem("INP001", line, "holidays", Msg(
                "cell.unreadable", value=repr(str(item)[:40]), column="holidays",
                expected=EXPECT_PERIOD), value=str(item)[:40])
            continue
        period = _period(reader, item, line)
        if period is None:
            continue
        for other in periods:
            if period[1] <= other[2] and other[1] <= period[2]:
                reader.problem("INP001", line, "from", _msg(
                    "假期「{name}」（{first} 至 {last}）与第 {other_line} 行的「{other}」重叠",
                    "the period {name} ({first} to {last}) overlaps {other} on line "
                    "{other_line}", name=period[0], first=period[1].isoformat(),
                    last=period[2].isoformat(), other=other[0], other_line=other[3]),
                    value=period[1].isoformat())
                break
        else:
            periods.append(period)
    return periods


def _period(reader: _Year, item: LMap, line: int | None) -> Period | None:
    for key in item:
        if key not in PERIOD_KEYS:
            reader.problem("INP001", item.line_of(key), key, _msg(
                "未知的键 `{key}`，应为 {known} 之一", "unknown key `{key}`: expected one of {known}",
                key=key, known=", ".join(PERIOD_KEYS)), value=key)
    missing = [key for key in ("name", "from") if is_blank(item.get(key))]
    for key in missing:
        reader.problem("INP002", line, key, _msg(
            "假期缺少 `{key}`（每个假期都要写名称和起始日期）",
            "the period has no `{key}` (every period needs a name and a first day)", key=key))
    if missing:
        return None
    first = reader.date(item["from"], item.line_of("from"), "from")
    last = first if is_blank(item.get("to")) else reader.date(item["to"], item.line_of("to"),
                                                              "to")
    if first is None or last is None:
        return None
    if last < first:
        reader.problem("INP001", item.line_of("to"), "to", _msg(
            "结束日期 {last} 早于开始日期 {first}", "the last day {last} is before the first "
            "day {first}", last=last.isoformat(), first=first.isoformat()),
            value=last.isoformat())
        return None
    return parse_text(item["name"]), first, last, line


def _workdays(reader: _Year, spec: LMap, periods: list[Period]) -> set[dt.date]:
    raw = spec.get("workdays")
    if is_blank(raw):
        return set()
    items = list(raw) if isinstance(raw, LList) else split_list(raw)
    out: set[dt.date] = set()
    for index, item in enumerate(items):
        line = raw.line_of(index) if isinstance(raw, LList) else spec.line_of("workdays")
        day = reader.date(item, line, "workdays")
        if day is None:
            continue
        inside = next((p for p in periods if p[1] <= day <= p[2]), None)
        if inside is not None:
            reader.problem("INP001", line, "workdays", _msg(
                "调休上班日 {day} 在第 {other_line} 行的假期「{name}」之内",
                "the make-up working day {day} is inside the holiday {name} on line "
                "{other_line}", day=day.isoformat(), name=inside[0], other_line=inside[3]),
                value=day.isoformat())
        elif day.isoweekday() < 6:
            reader.problem("INP001", line, "workdays", _msg(
                "调休上班日 {day} 是周{weekday_zh}：调休上班日应为周六或周日",
                "the make-up working day {day} is a {weekday_en}: make-up days are "
                "Saturdays or Sundays", day=day.isoformat(),
                weekday_zh="一二三四五"[day.isoweekday() - 1],
                weekday_en=f"{day:%A}"), value=day.isoformat())
        else:
            out.add(day)
    return out


def read_calendar_file(path: str) -> CalendarFile:
    """A calendar file given with ``--calendar`` (or ``calendar:`` in the settings).

    :raises ReadError: the file cannot be read or parsed at all (the caller names it).
    """
    from compliance.inputs.yaml_reader import load_text

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise ReadError(_msg("无法读取：{error}", "cannot read: {error}",
                             error=exc.strerror or str(exc))) from None
    except UnicodeDecodeError:
        raise ReadError(_msg("不是 UTF-8 文本", "not UTF-8 text")) from None
    data = load_text(text)
    if data is None:
        return CalendarFile(path)
    if not isinstance(data, LMap):
        raise ReadError(_msg("顶层应为映射（`official:`、`holidays:`、`workdays:`）",
                             "expected a mapping (`official:`, `holidays:`, `workdays:`) at the "
                             "top"), 1)
    return calendar_from_mapping(data, path)


def calendar_from_mapping(data: LMap, shown: str) -> CalendarFile:
    """A calendar file's content from its mapping (also ``calendar:`` written inline in a
    settings file); ``shown`` names the file in findings."""
    from compliance.inputs.school_files import parse_local_days

    out = CalendarFile(shown)
    loc = Location(shown)
    out.official = parse_official(data, loc, out.problems)
    out.holidays, out.workdays = parse_local_days(data, loc, out.problems)
    return out
