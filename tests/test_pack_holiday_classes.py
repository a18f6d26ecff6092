"""HOL — 节假日补课: the official calendar, make-up working days, terms and INP007."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import codes, run, school_folder

HEAD = "date,days,start,end,activity,compulsory\n"


def check(tmp_path: Path, rows: str, **school: object) -> list[str]:
    return codes(run([school_folder(tmp_path, {"schedule.csv": HEAD + rows}, school)]))


def test_make_up_sunday_2025_09_28_is_a_school_day(tmp_path: Path) -> None:
    assert check(tmp_path, "2025-09-28,,8:20,11:40,lesson,\n") == []


def test_make_up_saturday_2026_02_14_is_a_school_day(tmp_path: Path) -> None:
    assert check(tmp_path, "2026-02-14,,8:20,11:40,lesson,\n",
                 terms=[{"name": "寒假前", "start": "2026-02-01", "end": "2026-07-03"}]) == []


def test_wednesday_2025_10_08_is_inside_the_national_day_holiday(tmp_path: Path) -> None:
    report = run([school_folder(tmp_path, {"schedule.csv": HEAD + "2025-10-08,,8:20,11:40,lesson,\n"})])
    assert codes(report) == ["HOL001"]
    assert report.findings[0].subject["holiday"] == "National Day"


def test_voluntary_remedial_class_on_a_holiday_still_counts(tmp_path: Path) -> None:
    assert check(tmp_path, "2025-10-03,,9:00,11:00,remedial,否\n") == ["HOL001"]


def test_plain_saturday_is_hol002(tmp_path: Path) -> None:
    assert check(tmp_path, "2025-10-18,,8:30,11:30,exam,\n") == ["HOL002"]


def test_activities_that_are_not_classes_are_not_counted(tmp_path: Path) -> None:
    assert check(tmp_path, "2025-10-18,,8:30,11:30,field_trip,\n") == []


def test_a_class_in_the_summer_vacation_is_hol003(tmp_path: Path) -> None:
    assert check(tmp_path, "2025-08-20,,8:30,11:30,lesson,\n") == ["HOL003"]


def test_recurring_saturday_lesson_is_hol004(tmp_path: Path) -> None:
    assert check(tmp_path, ",周六,8:30,11:30,lesson,\n") == ["HOL004"]
    assert check(tmp_path / "b", ",周一至周五,8:30,11:30,lesson,\n") == []


def test_a_date_in_a_year_the_calendar_lacks_is_inp007_not_a_pass(tmp_path: Path) -> None:
    school = {"terms": [{"name": "2027春", "start": "2027-02-15", "end": "2027-07-01"}]}
    report = run([school_folder(tmp_path, {"schedule.csv": HEAD + "2027-05-01,,8:30,11:30,lesson,\n"
                                           "2027-05-08,,8:30,11:30,lesson,\n"}, school)])
    assert codes(report) == ["INP007"]
    assert report.findings[0].subject["rows"] == 2
    assert report.exit_status("error") == 2


def test_a_local_make_up_day_from_calendar_yaml_is_a_school_day(tmp_path: Path) -> None:
    (tmp_path / "calendar.yaml").write_text("workdays: [2025-10-18]\n")
    school_folder(tmp_path, {"schedule.csv": HEAD + "2025-10-18,,8:30,11:30,exam,\n"})
    assert codes(run([tmp_path])) == []


def test_findings_cite_the_local_clause_and_minors_33(tmp_path: Path) -> None:
    report = run([school_folder(tmp_path, {"schedule.csv": HEAD + "2025-10-18,,8:30,11:30,exam,\n"})],
                 lang="zh")
    citation = report.findings[0].citation
    assert "MINORS-33" in citation and "集体补课" in citation
