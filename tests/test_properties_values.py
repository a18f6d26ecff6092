"""Fuzzing every value parser: whatever a cell holds, a parser returns a value or raises
BadValue (never anything else), and the canonical form of any value parses back to
itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.inputs.builtin_kinds import ACTIVITIES
from compliance.inputs.values import (
    BadValue,
    Clock,
    Weekdays,
    enum_parser,
    parse_bool,
    parse_class,
    parse_date,
    parse_grade,
    parse_int,
    parse_number,
    parse_scope,
    parse_text,
    parse_time,
    parse_weekdays,
)

FUZZ = settings(max_examples=150, deadline=None)
ROUND = settings(max_examples=100, deadline=None)

# What a reader may hand a parser: text (CSV/YAML/JSON), native spreadsheet values.
CELLS = st.one_of(
    st.text(max_size=30),
    st.text(alphabet="0123456789:：-/.年月日点时分半周星期一二三四五六七八九十日天至到,、班级初()（）",
            max_size=14),
    st.integers(), st.floats(allow_nan=True, allow_infinity=True), st.booleans(), st.none(),
    st.dates(), st.times(), st.datetimes(),
)
PARSERS: dict[str, Callable[[Any], Any]] = {
    "time": parse_time, "date": parse_date, "weekdays": parse_weekdays, "bool": parse_bool,
    "grade": parse_grade, "class": parse_class, "scope": parse_scope, "int": parse_int,
    "number": parse_number, "text": parse_text, "activity": enum_parser(ACTIVITIES),
}


@pytest.mark.parametrize("name", sorted(PARSERS))
def test_a_parser_raises_only_bad_value_and_its_canonical_form_parses_back(name: str) -> None:
    parser = PARSERS[name]

    @FUZZ
    @given(CELLS)
    def run(cell: Any) -> None:
        try:
            value = parser(cell)
        except BadValue:
            return
        assert parser(str(value)) == value

    run()


@ROUND
@given(st.integers(0, 24 * 60))
def test_time_canonical_form_round_trips(minutes: int) -> None:
    clock = Clock(minutes)
    assert str(clock) == f"{minutes // 60:02d}:{minutes % 60:02d}"
    assert parse_time(str(clock)) == clock


@ROUND
@given(st.integers(0, 99), st.integers(0, 99))
def test_time_accepts_exactly_the_clock_times(hour: int, minute: int) -> None:
    valid = minute < 60 and (hour < 24 or (hour == 24 and minute == 0))
    text = f"{hour}:{minute:02d}"
    if valid:
        assert parse_time(text) == Clock.of(hour, minute)
    else:
        with pytest.raises(BadValue):
            parse_time(text)


@ROUND
@given(st.dates())
def test_date_canonical_form_round_trips(day: dt.date) -> None:
    assert parse_date(day.isoformat()) == day
    assert parse_date(f"{day.year}年{day.month}月{day.day}日") == day if day.year >= 1000 else True


@ROUND
@given(st.integers(1000, 9999), st.integers(1, 12), st.integers(29, 31))
def test_impossible_calendar_dates_are_bad_values(year: int, month: int, day: int) -> None:
    try:
        expected = dt.date(year, month, day)
    except ValueError:
        with pytest.raises(BadValue):
            parse_date(f"{year}-{month:02d}-{day:02d}")
    else:
        assert parse_date(f"{year}-{month:02d}-{day:02d}") == expected


@ROUND
@given(st.frozensets(st.integers(1, 7), min_size=1))
def test_weekday_spec_canonical_form_round_trips(days: frozenset[int]) -> None:
    spec = Weekdays(days)
    assert parse_weekdays(str(spec)) == days


@ROUND
@given(st.booleans())
def test_boolean_canonical_form_round_trips(value: bool) -> None:
    assert parse_bool(str(value)) is value
    assert parse_bool("是" if value else "否") is value


@ROUND
@given(st.integers(-5, 20))
def test_grades_are_one_to_nine(grade: int) -> None:
    if 1 <= grade <= 9:
        assert parse_grade(str(grade)) == grade == parse_grade(f"{grade}年级")
    else:
        with pytest.raises(BadValue):
            parse_grade(str(grade))


@ROUND
@given(st.integers(1, 9), st.integers(1, 99))
def test_class_canonical_form_round_trips(grade: int, number: int) -> None:
    canonical = parse_class(f"{grade}年级{number}班")
    assert canonical == f"{grade}-{number}"
    assert parse_class(canonical) == canonical


def test_non_finite_numbers_are_bad_values() -> None:
    for text in ("inf", "nan", "1e999", "-inf"):
        with pytest.raises(BadValue):
            parse_number(text)
    with pytest.raises(BadValue):
        parse_number(float("inf"))
