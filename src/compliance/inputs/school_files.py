"""The mapping documents: ``school.yaml`` (学校), ``zones.yaml`` (学区), ``calendar.yaml`` (校历)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from compliance.inputs.model import Disclosure, District, Location, School, Term, Zone
from compliance.inputs.problems import InputProblem
from compliance.inputs.raw import LList, LMap
from compliance.inputs.reasons import Msg
from compliance.inputs.seasons import parse_month_day
from compliance.inputs.values import (
    BadValue,
    enum_parser,
    is_blank,
    parse_bool,
    parse_class,
    parse_date,
    parse_id,
    parse_int,
    parse_text,
    split_list,
)

parse_level = enum_parser({
    "primary": ("小学",),
    "junior": ("初中", "初级中学"),
    "nine_year": ("九年一贯制", "九年一贯制学校", "nine-year"),
})
parse_area = enum_parser({"urban": ("城市", "城区", "城镇"), "rural": ("农村", "乡村")})
DISCLOSURE_ITEMS = ("schedule", "timetable", "homework")
EXPECT_TERM = Msg("expect.term")
EXPECT_TERMS = Msg("expect.terms")
EXPECT_TERM_END = Msg("expect.term_end")
EXPECT_ZONE = Msg("expect.zone")
EXPECT_STREET = Msg("expect.street")
EXPECT_SEASON = Msg({"zh": "季节的起止日期，如 `夏季: {from: 05-01, to: 09-30}`",
                     "en": "a season's dates such as `夏季: {from: 05-01, to: 09-30}`"})


class _Reader:
    """Reads keys of one mapping, turning bad values into INP001 problems."""

    def __init__(self, loc: Location, problems: list[InputProblem], school_id: str | None):
        self.loc = loc
        self.problems = problems
        self.school_id = school_id
        self.ok = True

    def at(self, mapping: Any, key: str | None = None) -> Location:
        line = None
        if isinstance(mapping, LMap):
            line = mapping.line_of(key) if key else mapping.line
        elif isinstance(mapping, LList):
            line = mapping.line
        return Location(self.loc.file, line, key, self.loc.sheet)

    def value(self, mapping: LMap, key: str, parser: Callable[[Any], Any], *,
              required: bool = False, default: Any = None) -> Any:
        raw = mapping.get(key)
        if is_blank(raw):
            if required:
                self.problems.append(InputProblem(
                    "INP002", self.at(mapping, None).with_column(key),
                    Msg("key.missing", key=key), self.school_id,
                    {"columns": key, "kind": "school"}, {"columns": [key]}))
                self.ok = False
            return default
        try:
            return parser(raw)
        except BadValue as exc:
            self.bad(mapping, key, raw, exc.expected)
            return default

    def bad(self, mapping: Any, key: str, raw: Any, expected: str | Msg) -> None:
        self.problems.append(InputProblem(
            "INP001", self.at(mapping, key),
            Msg("cell.unreadable", value=repr(str(raw)[:40]), column=key, expected=expected),
            self.school_id, {"column": key, "value": str(raw)[:40]}))

    def items(self, mapping: LMap, key: str, parser: Callable[[Any], Any]) -> list[Any]:
        raw = mapping.get(key)
        if is_blank(raw):
            return []
        out = []
        for item in split_list(raw):
            try:
                out.append(parser(item))
            except BadValue as exc:
                self.bad(mapping, key, item, exc.expected)
        return out


def parse_school(data: LMap, loc: Location, problems: list[InputProblem]) -> School | None:
    """A School from a ``school.yaml`` mapping (the ``school:`` key, or the mapping itself)."""
    inner = data.get("school")
    body: LMap = inner if isinstance(inner, LMap) else data
    raw_id = body.get("id") or body.get("school_id")
    reader = _Reader(loc, problems, None if is_blank(raw_id) else parse_id(raw_id))
    school_id = reader.value(body, "id" if "id" in body else "school_id", parse_id, required=True)
    if school_id is None:
        return None
    terms: list[Term] = []
    raw_terms = body.get("terms")
    if isinstance(raw_terms, LList):
        for index, term in enumerate(raw_terms):
            if not isinstance(term, LMap):
                reader.bad(raw_terms, "terms", term, EXPECT_TERM)
                continue
            start = reader.value(term, "start", parse_date, required=True)
            end = reader.value(term, "end", parse_date, required=True)
            if start and end:
                if end < start:
                    reader.bad(term, "end", end, EXPECT_TERM_END)
                    continue
                terms.append(Term(str(term.get("name") or f"term {index + 1}"), start, end))
    elif raw_terms is not None:
        reader.bad(body, "terms", raw_terms, EXPECT_TERMS)
    disclosure: dict[str, Disclosure] = {}
    disclosure_lines: dict[str, int | None] = {}
    raw_disc = body.get("disclosure")
    if isinstance(raw_disc, LMap):
        for item in DISCLOSURE_ITEMS:
            disclosure_lines[item] = raw_disc.line_of(item) if item in raw_disc else (
                body.line_of("disclosure"))
            entry = raw_disc.get(item)
            if isinstance(entry, LMap):
                disclosure[item] = Disclosure(
                    published=reader.value(entry, "published", parse_bool, default=False),
                    url=None if is_blank(entry.get("url")) else str(entry.get("url")),
                    date=reader.value(entry, "date", parse_date),
                )
            elif entry is not None:
                disclosure[item] = Disclosure(
                    published=bool(reader.value(raw_disc, item, parse_bool, default=False)))
    seasons: dict[str, tuple[Any, Any]] = {}
    raw_seasons = body.get("seasons")
    if isinstance(raw_seasons, LMap):
        for name, span in raw_seasons.items():
            if not isinstance(span, LMap):
                reader.bad(raw_seasons, str(name), span, EXPECT_SEASON)
                continue
            start = reader.value(span, "from", parse_month_day, required=True)
            end = reader.value(span, "to", parse_month_day)
            if start is not None:
                seasons[str(name).strip()] = (start, end)
    elif raw_seasons is not None:
        reader.bad(body, "seasons", raw_seasons, EXPECT_SEASON)
    school = School(
        id=school_id,
        name=str(body.get("name") or school_id),
        loc=Location(loc.file, body.line_of("id") if "id" in body else body.line),
        level=reader.value(body, "level", parse_level, default="primary"),
        area=reader.value(body, "area", parse_area, default="urban"),
        boarding=reader.value(body, "boarding", parse_bool, default=False),
        district=None if is_blank(body.get("district")) else parse_text(body["district"]),
        catchment=reader.items(body, "catchment", parse_id),
        classes=reader.items(body, "classes", parse_class),
        terms=terms,
        disclosure=disclosure,
        disclosure_lines=disclosure_lines,
        seasons=seasons,
    )
    return school


def parse_zones(data: LMap, loc: Location, problems: list[InputProblem]) -> dict[str, Zone]:
    inner = data.get("zones")
    body: LMap = inner if isinstance(inner, LMap) else data
    reader = _Reader(loc, problems, None)
    zones: dict[str, Zone] = {}
    for code, spec in body.items():
        if code == "kind":
            continue
        if not isinstance(spec, LMap):
            reader.bad(body, code, spec, EXPECT_ZONE)
            continue
        streets: list[tuple[str, int | None, int | None]] = []
        raw_streets = spec.get("streets")
        for item in raw_streets if isinstance(raw_streets, LList) else []:
            if isinstance(item, LMap) and not is_blank(item.get("street")):
                lo = reader.value(item, "from", parse_int)
                hi = reader.value(item, "to", parse_int)
                streets.append((parse_text(item["street"]), lo, hi))
            elif isinstance(item, str):
                streets.append((parse_text(item), None, None))
            else:
                reader.bad(raw_streets, "streets", item, EXPECT_STREET)
        zone_code = parse_id(code)
        zones[zone_code] = Zone(
            code=zone_code,
            name=str(spec.get("name") or code),
            communities=reader.items(spec, "communities", parse_text),
            streets=streets,
            excepts=reader.items(spec, "except", parse_text),
            loc=Location(loc.file, body.line_of(code)),
        )
    return zones


def parse_calendar(data: LMap, loc: Location, problems: list[InputProblem],
                   district: District) -> None:
    """A district's ``calendar.yaml``: local rest and make-up days, and official years."""
    from compliance.inputs.official_years import parse_official

    holidays, workdays = parse_local_days(data, loc, problems)
    district.holidays |= holidays
    district.workdays |= workdays
    district.official.update(parse_official(data, loc, problems))


def parse_local_days(data: LMap, loc: Location, problems: list[InputProblem],
                     ) -> tuple[set[dt.date], set[dt.date]]:
    """The local rest days (``holidays``) and make-up school days (``workdays``)."""
    reader = _Reader(loc, problems, None)
    return (set(reader.items(data, "holidays", parse_date)),
            set(reader.items(data, "workdays", parse_date)))


def is_date(value: Any) -> bool:
    return isinstance(value, dt.date)
