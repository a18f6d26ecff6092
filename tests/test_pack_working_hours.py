"""HRS — 早八晚五: violating, compliant and edge cases for every code."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import codes, run, school_folder

HEAD = "days,start,end,activity,compulsory,grades\n"
COMPLIANT = HEAD + (
    "周一至周五,8:00,8:20,morning_reading,,\n"
    "周一至周五,8:20,11:40,lesson,,\n"
    "周一至周五,14:00,16:30,lesson,,\n"
    "周一至周五,16:30,18:00,after_school_service,,\n"
)


def check(tmp_path: Path, csv: str, **school: object) -> list[str]:
    return codes(run([school_folder(tmp_path, {"schedule.csv": csv}, school)]))


def test_compliant_urban_day_has_no_finding(tmp_path: Path) -> None:
    assert check(tmp_path, COMPLIANT) == []


def test_compulsory_morning_reading_before_eight_is_hrs001(tmp_path: Path) -> None:
    assert check(tmp_path, HEAD + "周一至周五,7:20,8:00,morning_reading,,\n") == ["HRS001"]


def test_voluntary_arrival_before_eight_is_fine(tmp_path: Path) -> None:
    assert check(tmp_path, HEAD + "周一至周五,7:20,8:00,arrival,否,\n") == []


def test_voluntary_after_school_service_until_six_is_no_hrs002(tmp_path: Path) -> None:
    assert check(tmp_path, HEAD + "周一至周五,16:30,18:00,after_school_service,,\n") == []


def test_compulsory_self_study_until_half_past_five_is_hrs002(tmp_path: Path) -> None:
    assert check(tmp_path, HEAD + "周一至周五,16:30,17:30,self_study,,\n") == ["HRS002"]


def test_after_school_service_made_compulsory_counts(tmp_path: Path) -> None:
    assert check(tmp_path, HEAD + "周一至周五,16:30,18:00,after_school_service,是,\n") == ["HRS002"]


def test_exactly_eight_to_five_is_compliant(tmp_path: Path) -> None:
    assert check(tmp_path, HEAD + "周一至周五,8:00,17:00,lesson,,\n") == []


def test_rural_school_gets_no_hrs_finding(tmp_path: Path) -> None:
    csv = HEAD + "周一至周五,7:00,8:00,morning_reading,,\n周一至周五,16:30,18:00,self_study,,\n"
    assert check(tmp_path, csv, area="rural") == []


def test_long_compulsory_day_is_hrs003_once_per_grade_and_day_group(tmp_path: Path) -> None:
    csv = HEAD + "周一至周五,8:00,12:00,lesson,,6\n周一至周五,13:00,17:00,lesson,,6\n"
    assert check(tmp_path, csv) == []  # exactly 9 hours
    csv += "周五,17:00,17:10,assembly,,6\n"
    report = run([school_folder(tmp_path / "b", {"schedule.csv": csv})])
    hrs003 = [f for f in report.findings if f.code == "HRS003"]
    assert len(hrs003) == 1 and hrs003[0].subject["grade"] == 6 and hrs003[0].subject["days"] == "Fri"


def test_dated_event_on_a_school_day_extends_that_day(tmp_path: Path) -> None:
    csv = ("days,date,start,end,activity\n"
           "周一至周五,,8:00,16:30,lesson\n"
           ",2025-10-15,16:30,17:00,assembly\n")
    report = run([school_folder(tmp_path, {"schedule.csv": csv})], select=["HRS003"])
    assert codes(report) == []
    csv = csv.replace("8:00,16:30", "7:30,16:30")
    report = run([school_folder(tmp_path / "b", {"schedule.csv": csv})], select=["HRS003"])
    dated = [f for f in report.findings if f.subject.get("date") == "2025-10-15"]
    assert len(dated) == 6  # one per grade of the school


def test_hrs004_needs_the_national_profile(tmp_path: Path) -> None:
    csv = HEAD + "周一至周五,8:00,8:40,lesson,,\n"
    folder = school_folder(tmp_path, {"schedule.csv": csv})
    assert codes(run([folder])) == []
    report = run([folder], profile="national-2021")
    assert codes(report) == ["HRS004"]
    assert report.findings[0].severity == "warning"
    assert report.findings[0].subject["limit"] == "08:20"


def test_hrs004_applies_to_rural_schools_too(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"schedule.csv": HEAD + "周一至周五,8:00,8:40,lesson,,\n"},
                           {"area": "rural"})
    assert codes(run([folder], profile="national-2021")) == ["HRS004"]


def test_hrs004_junior_grades_may_start_at_eight(tmp_path: Path) -> None:
    school = {"level": "nine_year", "classes": ["6-1", "7-1"]}
    ok = school_folder(tmp_path, {"schedule.csv": HEAD + "周一至周五,8:00,8:40,lesson,,7\n"}, school)
    assert codes(run([ok], profile="national-2021")) == []
    bad = school_folder(tmp_path / "b", {"schedule.csv": HEAD + "周一至周五,8:00,8:40,lesson,,\n"}, school)
    report = run([bad], profile="national-2021")
    assert codes(report) == ["HRS004"] and report.findings[0].subject["grades"] == [6]


def test_parameters_come_from_a_user_profile(tmp_path: Path) -> None:
    profile = tmp_path / "late.yaml"
    profile.write_text("name: late\nparameters:\n  HRS002: {latest_end: '17:30'}\n", encoding="utf-8")
    folder = school_folder(tmp_path, {"schedule.csv": HEAD + "周一至周五,16:30,17:30,self_study,,\n"})
    assert codes(run([folder], profile=str(profile))) == []
