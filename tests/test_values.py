"""Every value form of the submission contract, and the canonical forms."""

from __future__ import annotations

import datetime as dt

import pytest

from compliance.inputs.values import (
    BadValue,
    parse_bool,
    parse_class,
    parse_date,
    parse_grade,
    parse_scope,
    parse_time,
    parse_weekdays,
    split_list,
)


@pytest.mark.parametrize("text,expected", [
    ("8:00", "08:00"), ("08:00", "08:00"), ("08:00:00", "08:00"), ("８：００", "08:00"),
    ("8点", "08:00"), ("8点30", "08:30"), ("8:30", "08:30"), ("7点半", "07:30"),
    ("24:00", "24:00"), ("0:00", "00:00"), (dt.time(7, 20), "07:20"),
])
def test_time_forms(text: object, expected: str) -> None:
    assert str(parse_time(text)) == expected


@pytest.mark.parametrize("text", ["25:00", "8:60", "24:01", "830", "早上", "", "8:00:61"])
def test_bad_times_are_refused(text: str) -> None:
    with pytest.raises(BadValue):
        parse_time(text)


@pytest.mark.parametrize("text", ["2025-10-03", "2025/10/3", "2025.10.3", "2025年10月3日",
                                  "２０２５－１０－０３", dt.datetime(2025, 10, 3, 0, 0)])
def test_date_forms(text: object) -> None:
    assert parse_date(text) == dt.date(2025, 10, 3)


@pytest.mark.parametrize("text", ["2025-02-30", "2025-13-01", "10/3/2025", "昨天"])
def test_bad_dates_are_refused(text: str) -> None:
    with pytest.raises(BadValue):
        parse_date(text)


@pytest.mark.parametrize("text,expected", [
    ("Mon", {1}), ("Mon-Fri", {1, 2, 3, 4, 5}), ("Mon,Wed", {1, 3}), ("1-5", {1, 2, 3, 4, 5}),
    ("周一", {1}), ("周一至周五", {1, 2, 3, 4, 5}), ("星期六", {6}), ("工作日", {1, 2, 3, 4, 5}),
    ("周末", {6, 7}), ("周一、周三", {1, 3}),
])
def test_weekday_specs(text: str, expected: set[int]) -> None:
    assert set(parse_weekdays(text)) == expected


@pytest.mark.parametrize("text", ["Fri-Mon", "8", "周八", "someday"])
def test_bad_weekday_specs_are_refused(text: str) -> None:
    with pytest.raises(BadValue):
        parse_weekdays(text)


@pytest.mark.parametrize("text,expected", [
    ("true", True), ("false", False), ("yes", True), ("no", False), ("1", True), ("0", False),
    ("是", True), ("否", False), ("Y", True), ("N", False),
])
def test_booleans(text: str, expected: bool) -> None:
    assert parse_bool(text) is expected


@pytest.mark.parametrize("text,expected", [
    ("1", 1), ("9", 9), ("一年级", 1), ("九年级", 9), ("初一", 7), ("初二", 8), ("初三", 9), (3.0, 3),
])
def test_grades(text: object, expected: int) -> None:
    assert parse_grade(text) == expected


@pytest.mark.parametrize("text", ["0", "10", "高一", "x"])
def test_bad_grades_are_refused(text: str) -> None:
    with pytest.raises(BadValue):
        parse_grade(text)


@pytest.mark.parametrize("text", ["3-2", "3年级2班", "三(2)班", "三（2）班"])
def test_classes(text: str) -> None:
    assert parse_class(text) == "3-2"


def test_list_cells_split_on_every_separator() -> None:
    assert split_list("5;6") == ["5", "6"]
    assert split_list("五年级、六年级") == ["五年级", "六年级"]
    assert split_list("3-1，3-2") == ["3-1", "3-2"]
    assert split_list("3-1 3-2") == ["3-1", "3-2"]


def test_scope_holds_grades_and_classes() -> None:
    scope = parse_scope("五年级、六年级")
    assert scope.grades == {5, 6} and scope.covers_grade(5) and not scope.covers_grade(4)
    classes = parse_scope("3-1;3-2")
    assert classes.classes == {"3-1", "3-2"} and classes.covers_grade(3)


@pytest.mark.parametrize("parser,value", [
    (parse_time, "8点30"), (parse_date, "2025年10月3日"), (parse_weekdays, "周一至周五"),
    (parse_class, "三(2)班"), (parse_scope, "3-1;五年级"),
])
def test_canonical_forms_parse_back_to_themselves(parser: object, value: str) -> None:
    once = parser(value)  # type: ignore[operator]
    assert parser(str(once)) == once  # type: ignore[operator]
