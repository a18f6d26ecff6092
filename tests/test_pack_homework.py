"""HWK: 三公开 disclosures, missing and unpublished entries, national written-homework limits."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from compliance.rules.finding import Finding
from tests.packs_support import PACKS, check, codes, fixture

SCHOOL = (PACKS / "district" / "school.yaml").read_text(encoding="utf-8")


def log(first: str, last: str, classes: dict[str, int], *, skip: tuple[str, ...] = (),
        written: bool = True, extra: str = "") -> str:
    """A homework YAML: every class, every day first..last (weekends and holidays
    included: the checks must ignore what is not a school day), minus ``skip``."""
    day, end = dt.date.fromisoformat(first), dt.date.fromisoformat(last)
    lines = []
    while day <= end:
        if day.isoformat() not in skip:
            for cls, minutes in classes.items():
                lines.append(f"- {{date: {day}, class: {cls}, subject: 数学, minutes: {minutes}, "
                             f"written: {str(written).lower()}}}")
        day += dt.timedelta(days=1)
    return "\n".join(lines) + "\n" + extra


def school_yaml(classes: str, **replace: str) -> str:
    text = SCHOOL.replace("classes: [2-1, 3-1, 7-1]", f"classes: [{classes}]")
    for old, new in replace.items():
        text = text.replace(old, new)
    return text


def hwk(tmp_path: Path, homework: str, profile: str = "default", classes: str = "3-1",
        **files: str) -> list[Finding]:
    docs = {"homework.yaml": homework, "school.yaml": school_yaml(classes), **files}
    return [f for f in check(tmp_path, docs, profile) if f.code.startswith(("HWK", "INP"))]


def test_violating_fixture_under_national_2021(tmp_path: Path) -> None:
    found = check(tmp_path, {"homework.yaml": fixture("homework", "violating.yaml")}, "national-2021")
    got = sorted((f.code, f.location.line, f.subject.get("class"), f.subject.get("date"))
                 for f in found if f.code.startswith("HWK"))
    assert got == [
        ("HWK003", None, "3-1", "2025-09-24"),
        ("HWK003", None, "7-1", "2025-09-22"),
        ("HWK004", 4, "7-1", "2025-09-22"),
        ("HWK005", 5, "2-1", "2025-09-23"),
        ("HWK006", None, "3-1", None),
        ("HWK007", 3, "3-1", "2025-09-22"),
        ("HWK007", 6, "3-1", "2025-09-23"),
        ("HWK007", 11, "3-1", "2025-09-25"),
        ("HWK007", 12, "7-1", "2025-09-25"),
        ("HWK007", 14, "3-1", "2025-09-26"),
    ]


def test_violating_fixture_under_default_has_no_numeric_limits(tmp_path: Path) -> None:
    found = check(tmp_path, {"homework.yaml": fixture("homework", "violating.yaml")})
    assert codes(found, "HWK") == ["HWK003", "HWK003", "HWK004"]


def test_compliant_fixture_is_clean_under_both_profiles(tmp_path: Path) -> None:
    for profile in ("default", "national-2021"):
        (tmp_path / profile).mkdir()
        found = check(tmp_path / profile, {"homework.yaml": fixture("homework", "compliant.yaml")},
                      profile)
        assert found == [], profile


def test_missing_entry_on_a_public_holiday_is_no_finding(tmp_path: Path) -> None:
    assert hwk(tmp_path, log("2025-09-29", "2025-10-09", {"3-1": 20}, skip=("2025-10-03",))) == []


def test_missing_entry_on_a_make_up_sunday_is_hwk003(tmp_path: Path) -> None:
    found = hwk(tmp_path, log("2025-09-26", "2025-09-30", {"3-1": 20}, skip=("2025-09-28",)))
    assert [(f.code, f.subject["date"], f.location.line) for f in found] == [
        ("HWK003", "2025-09-28", None)]
    assert found[0].location.file.endswith("homework.yaml")


def test_local_holiday_from_calendar_yaml_is_not_a_school_day(tmp_path: Path) -> None:
    assert hwk(tmp_path, log("2025-10-09", "2025-10-13", {"3-1": 20}, skip=("2025-10-10",))) == []


def test_without_the_local_calendar_that_day_is_a_school_day(tmp_path: Path) -> None:
    from tests.packs_support import district, run

    root = district(tmp_path, {"t-001": {
        "homework.yaml": log("2025-10-09", "2025-10-13", {"3-1": 20}, skip=("2025-10-10",)),
        "school.yaml": school_yaml("3-1")}}, calendar=False)
    assert [f.subject["date"] for f in run(root).findings if f.code == "HWK003"] == ["2025-10-10"]


def test_a_published_none_entry_counts(tmp_path: Path) -> None:
    extra = "- {date: 2025-09-24, class: 3-1, subject: 无, minutes: 0}\n"
    assert hwk(tmp_path, log("2025-09-22", "2025-09-26", {"3-1": 20}, skip=("2025-09-24",),
                             extra=extra)) == []


def test_an_unpublished_entry_alone_leaves_the_day_missing(tmp_path: Path) -> None:
    extra = "- {date: 2025-09-24, class: 3-1, subject: 语文, minutes: 20, published: false}\n"
    found = hwk(tmp_path, log("2025-09-22", "2025-09-26", {"3-1": 20}, skip=("2025-09-24",),
                              extra=extra))
    assert sorted(f.code for f in found) == ["HWK003", "HWK004"]
    assert next(f for f in found if f.code == "HWK004").location.column == "published"


def test_a_class_without_any_entry_misses_every_school_day(tmp_path: Path) -> None:
    found = hwk(tmp_path, log("2025-09-22", "2025-09-26", {"3-1": 20}), classes="3-1, 3-2")
    assert [f.subject["class"] for f in found] == ["3-2"] * 5


def test_disclosure_findings_point_at_the_school_yaml_keys(tmp_path: Path) -> None:
    profile = school_yaml("3-1").replace(
        "schedule:  {published: true, url: https://t001.example.edu/zuoxi}",
        "schedule:  {published: false}").replace(
        "timetable: {published: true, url: https://t001.example.edu/kebiao}",
        "timetable: 否")
    # a profile and nothing else is also an INP002 ("handed in nothing besides its profile")
    found = [f for f in check(tmp_path, {"school.yaml": profile}) if f.code.startswith("HWK")]
    assert sorted((f.code, f.location.line, f.location.column) for f in found) == [
        ("HWK001", 12, "disclosure.schedule"), ("HWK002", 13, "disclosure.timetable")]


def test_no_disclosure_at_all_is_two_findings_at_the_school(tmp_path: Path) -> None:
    profile = school_yaml("3-1").split("  disclosure:")[0]
    found = [f for f in check(tmp_path, {"school.yaml": profile}) if f.code.startswith("HWK")]
    assert sorted((f.code, f.location.line) for f in found) == [("HWK001", 2), ("HWK002", 2)]


def test_grade_2_written_homework_is_hwk005_only_under_national_2021(tmp_path: Path) -> None:
    homework = log("2025-09-22", "2025-09-26", {"2-1": 10})
    (tmp_path / "default").mkdir()
    (tmp_path / "national").mkdir()
    assert hwk(tmp_path / "default", homework, classes="2-1") == []
    found = hwk(tmp_path / "national", homework, "national-2021", classes="2-1")
    assert codes(found) == ["HWK005"] * 5


def test_grade_2_non_written_homework_is_fine(tmp_path: Path) -> None:
    assert hwk(tmp_path, log("2025-09-22", "2025-09-26", {"2-1": 10}, written=False),
               "national-2021", classes="2-1") == []


def test_grade_3_averaging_61_minutes_is_hwk006(tmp_path: Path) -> None:
    found = hwk(tmp_path, log("2025-09-22", "2025-09-26", {"3-1": 61}), "national-2021")
    assert codes(found) == ["HWK006"] + ["HWK007"] * 5
    average = next(f for f in found if f.code == "HWK006")
    assert (average.subject["average"], average.subject["limit"], average.subject["days"]) == (61, 60, 5)


def test_grade_3_averaging_59_with_one_day_at_75_is_only_hwk007(tmp_path: Path) -> None:
    # 4 x 55 + 75 = 295 over 5 school days = 59.
    homework = log("2025-09-22", "2025-09-25", {"3-1": 55}) + (
        "- {date: 2025-09-26, class: 3-1, subject: 数学, minutes: 75}\n")
    found = hwk(tmp_path, homework, "national-2021")
    assert [(f.code, f.subject["date"], f.severity) for f in found] == [
        ("HWK007", "2025-09-26", "warning")]


def test_weekend_entries_are_not_averaged_but_are_judged_per_day(tmp_path: Path) -> None:
    # 2025-09-27 is a plain Saturday: 100 minutes that day, 50 on each of 5 school days.
    homework = log("2025-09-22", "2025-09-26", {"3-1": 50}) + (
        "- {date: 2025-09-27, class: 3-1, subject: 数学, minutes: 100}\n")
    found = hwk(tmp_path, homework, "national-2021")
    assert [(f.code, f.subject["date"]) for f in found] == [("HWK007", "2025-09-27")]


def test_nine_year_school_uses_the_band_of_each_grade(tmp_path: Path) -> None:
    found = hwk(tmp_path, log("2025-09-22", "2025-09-26", {"3-1": 80, "7-1": 80}),
                "national-2021", classes="3-1, 7-1")
    assert {f.subject["class"] for f in found} == {"3-1"}
    assert {f.subject["limit"] for f in found} == {60}


def test_junior_grade_over_90_is_hwk006(tmp_path: Path) -> None:
    found = hwk(tmp_path, log("2025-09-22", "2025-09-26", {"7-1": 91}), "national-2021",
                classes="7-1")
    assert sorted({f.code for f in found}) == ["HWK006", "HWK007"]


def test_days_in_a_year_the_calendar_lacks_give_inp007_not_a_pass(tmp_path: Path) -> None:
    profile = school_yaml("3-1", **{"start: 2025-09-01, end: 2026-01-16":
                                    "start: 2035-09-01, end: 2036-01-16"})
    found = hwk(tmp_path, log("2035-09-24", "2035-09-26", {"3-1": 20}, skip=("2035-09-25",)),
                **{"school.yaml": profile})
    assert [(f.code, f.subject["year"], f.subject["days"]) for f in found] == [("INP007", 2035, 3)]
    assert "2035" in found[0].message


def test_without_a_homework_file_only_the_disclosures_are_judged(tmp_path: Path) -> None:
    assert codes(check(tmp_path, {"school.yaml": school_yaml("3-1")}), "HWK") == []


def test_hwk_messages_exist_in_chinese(tmp_path: Path) -> None:
    found = check(tmp_path, {"homework.yaml": log("2025-09-26", "2025-09-30", {"3-1": 20},
                                                   skip=("2025-09-28",)),
                             "school.yaml": school_yaml("3-1")}, lang="zh")
    assert [f.message for f in found] == ["3-1班2025-09-28（上课日）没有公示作业（无作业也须公示“无”）"]


def test_a_file_without_a_written_column_counts_as_written(tmp_path: Path) -> None:
    homework = "".join(f"- {{date: 2025-09-2{d}, class: 3-1, subject: 数学, minutes: 61}}\n"
                       for d in range(2, 7))
    assert "HWK006" in codes(hwk(tmp_path, homework, "national-2021"))


def test_only_hwk001_to_hwk003_need_a_school_profile() -> None:
    from compliance.host.engine import Engine, RunOptions

    rules = Engine(RunOptions(entry_points=False)).registry.rules
    assert {c for c, m in rules.items() if c.startswith("HWK") and m.needs_profile} == {
        "HWK001", "HWK002", "HWK003"}


def test_a_loose_homework_file_is_judged_by_the_rules_that_need_no_profile(tmp_path: Path) -> None:
    from tests.packs_support import run

    loose = tmp_path / "homework.csv"
    loose.write_text("school_id,date,class,subject,minutes,published\n"
                     "X-9,2025-09-22,2-1,数学,10,false\n", encoding="utf-8")
    report = run(loose, "national-2021")
    assert sorted(f.code for f in report.findings) == ["HWK004", "HWK005", "INP005"]
    assert {"HWK001", "HWK002", "HWK003"} <= set(report.skipped[0].codes)


def test_hwk003_points_at_the_homework_file_covering_the_day(tmp_path: Path) -> None:
    found = hwk(tmp_path, log("2025-09-22", "2025-09-24", {"3-1": 20}),
                **{"作业公示.yaml": log("2025-09-25", "2025-09-29", {"3-1": 20},
                                       skip=("2025-09-26",))})
    assert [(f.subject["date"], Path(f.location.file).name) for f in found] == [
        ("2025-09-26", "作业公示.yaml")]
