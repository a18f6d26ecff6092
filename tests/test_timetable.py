"""Timetables (课程表): grids read as a person reads them, weekend lessons (HOL004) and
periods of known time in the working-hours rules."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl

from compliance.host.engine import Engine, RunOptions
from compliance.inputs.timetable import SheetGrid, class_of, parse_sheet, subject_of, weekday_of
from compliance.outputs.html import HtmlReporter
from compliance.outputs.reporter import RenderOptions
from compliance.rules.timetable_lessons import FROM_SCHEDULE, lesson_entries
from tests.conftest import run, school_folder
from tests.timetable_support import GRADE3, week, workbook

WEEKEND = ("周一", "周二", "周三", "周四", "周五", "周六", "周日")


def lessons(folder: Path) -> list[tuple[str | None, int, int, str, int | None]]:
    engine = Engine(RunOptions(entry_points=False))
    loaded = engine.load([str(folder)])
    (submission,) = loaded.submissions.values()
    return [(r["class"], r["weekday"], r["period"], r["subject"], r.loc.line)
            for r in submission.records("timetable")]


def load(folder: Path) -> tuple[list[tuple[str | None, int | None, str, str]], list[object]]:
    """The files' notes as (sheet, line, why, text), and the input problems."""
    engine = Engine(RunOptions(entry_points=False))
    loaded = engine.load([str(folder)])
    notes = [(n.sheet, n.line, n.why, n.shown("zh")) for f in loaded.file_notes.values()
             for n in f.notes]
    return notes, loaded.problems


def test_header_cells_and_class_names() -> None:
    assert [weekday_of(v) for v in ("周一", "星期六", "Sun", "礼拜三", "1", "节次", None)] == [
        1, 6, 7, 3, None, None, None]
    assert [class_of(t) for t in ("三(2)班", "初一(2)班", "三年级(2)班课程表", "XX小学七年级3班课表",
                                  "3-2", "Sheet1", "全校课程表", "Class 3-2 timetable",
                                  "Grade 8, Class 1", "2025-2026 timetable", "class 10-1")] == [
        "3-2", "7-2", "3-2", "7-3", "3-2", None, None, "3-2", "8-1", None, None]
    assert [subject_of(v) for v in ("语文\n张老师", "体育（操场）", " 英 语 ", "自习", "/", None)] == [
        "语文", "体育", "英语", None, None, None]


def test_one_sheet_per_class_with_a_merged_title_and_merged_rows(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    workbook(folder / "课程表.xlsx", {"三(1)班": [("三年级(1)班课程表", week(GRADE3))],
                                      "三(2)班": [(None, week(GRADE3))]})
    got = lessons(folder)
    assert {c for c, *_ in got} == {"3-1", "3-2"}
    assert len(got) == 60
    # row 1 title, 2 header, 3-4 periods 1-2, 5 大课间, 6-7 periods 3-4, 8 午休, 9.. periods 5-7
    assert sorted({(p, line) for c, _, p, _, line in got if c == "3-1"}) == [
        (1, 3), (2, 4), (3, 6), (4, 7), (5, 9), (6, 10), (7, 11)]
    notes, problems = load(folder)
    assert problems == []
    assert ("三(1)班", 1, "preamble", "三年级(1)班课程表") in notes
    assert ("三(1)班", 5, "section", "大课间 10:00-10:20") in notes
    assert ("三(1)班", 8, "section", "午休") in notes
    assert ("Sheet2", None, "empty_sheet", "Sheet2") in notes


def test_grids_stacked_in_one_sheet_each_with_its_title(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    workbook(folder / "课表.xlsx", {"初一年级": [("初一(1)班", week(GRADE3)),
                                                ("初一(2)班", week(GRADE3))]})
    got = lessons(folder)
    assert sorted({c for c, *_ in got}) == ["7-1", "7-2"]
    second = [line for c, _, p, _, line in got if c == "7-2" and p == 1]
    assert set(second) == {15}  # title 13, header 14


def test_class_from_a_class_column(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    rows = week({"语文": 5, "数学": 5}, periods=2)
    labels = ["三(1)班", "", "三(2)班", ""]
    workbook(folder / "课程表.xlsx", {"全校": [(None, rows[:2] + rows[:2])]},
             class_column=labels)
    got = lessons(folder)
    assert sorted({(c, p, line) for c, _, p, _, line in got}) == [
        ("3-1", 1, 2), ("3-1", 2, 3), ("3-2", 1, 4), ("3-2", 2, 5)]


def test_an_unreadable_class_cell_is_inp001_and_its_lessons_are_not_taken(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    rows = week({"语文": 5, "数学": 5}, periods=2)
    workbook(folder / "课程表.xlsx", {"全校": [(None, rows[:2] + rows[:2])]},
             class_column=["三(1)班", "", "实验班", "三(2)班"])
    got = lessons(folder)
    assert sorted({(c, line) for c, *_, line in got}) == [("3-1", 2), ("3-1", 3), ("3-2", 5)]
    report = run([folder])
    (problem,) = [f for f in report.findings if f.code.startswith("INP")]
    assert (problem.code, problem.location.line, problem.location.column) == ("INP001", 4, "班级")
    assert "'实验班'" in problem.message


def test_periods_and_times_from_the_period_cell() -> None:
    grid = SheetGrid([
        (1, ["XX中学初二(3)班课程表"]),
        (2, ["节次", "时间", "星期一", "星期二", "星期三"]),
        (3, ["第一节", "7：50～8：35", "语文", "数学", "英语"]),
        (4, ["眼保健操", None, None, None, None]),
        (5, ["2", "8:45-9:30", "数学", None, "物理"]),
        (6, ["注：体育课在操场上。", None, None, None, None]),
    ], [(1, 1, 1, 5)], "Sheet1")
    got = parse_sheet(grid, "课程表.xlsx", "T-001")
    assert [(r["class"], r["period"], str(r["start"]), str(r["end"]), r["subject"], r.loc.column)
            for r in got.records][:3] == [("8-3", 1, "07:50", "08:35", "语文", "星期一"),
                                          ("8-3", 1, "07:50", "08:35", "数学", "星期二"),
                                          ("8-3", 1, "07:50", "08:35", "英语", "星期三")]
    assert [(r["period"], r["subject"]) for r in got.records][3:] == [(2, "数学"), (2, "物理")]
    assert [(n.line, n.why) for n in got.notes] == [(1, "preamble"), (4, "section"), (6, "note")]


def test_a_sheet_without_a_weekday_header_is_inp002(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.append(["三年级(2)班课程表"])
    ws.append(["节次", "A", "B", "C"])
    ws.append(["第1节", "语文", "数学", "英语"])
    book.save(folder / "课程表.xlsx")
    report = run([folder])
    (finding,) = [f for f in report.findings if f.code.startswith("INP")]
    assert finding.code == "INP002"
    assert "周一" in finding.message and "3 rows not checked" in finding.message


def test_a_gbk_csv_timetable_with_a_title_row(tmp_path: Path) -> None:
    text = ("三年级(2)班课程表,,,,,\r\n节次,周一,周二,周三,周四,周五\r\n"
            "第1节 8:30-9:10,语文,数学,语文,数学,语文\r\n午休,,,,,\r\n第2节,体育,体育,美术,音乐,科学\r\n")
    folder = school_folder(tmp_path, {"课程表.csv": text.encode("gbk")})
    got = lessons(folder)
    assert len(got) == 10 and {c for c, *_ in got} == {"3-2"}
    assert {(p, line) for _, _, p, _, line in got} == {(1, 3), (2, 5)}


def test_a_yaml_timetable_with_a_class_column(tmp_path: Path) -> None:
    text = ("- {班级: 三(2)班, 节次: '第1节 8:20-9:00', 周一: 语文, 周二: 数学, 周三: 语文, 周六: 数学}\n"
            "- {班级: 三(2)班, 节次: 第2节, 周一: 数学, 周二: 体育, 周三: 体育}\n")
    folder = school_folder(tmp_path, {"课程表.yaml": text})
    assert sorted(lessons(folder)) == [
        ("3-2", 1, 1, "语文", 1), ("3-2", 1, 2, "数学", 2), ("3-2", 2, 1, "数学", 1),
        ("3-2", 2, 2, "体育", 2), ("3-2", 3, 1, "语文", 1), ("3-2", 3, 2, "体育", 2),
        ("3-2", 6, 1, "数学", 1)]
    report = run([folder])
    assert {(f.code, f.location.line) for f in report.findings} >= {("HOL004", 1), ("CUR001", 1)}


def test_the_html_week_view_shows_each_classs_timetable(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    workbook(folder / "课程表.xlsx", {"三(2)班": [("三年级(2)班课程表", weekend_week())]},
             days=WEEKEND)
    report = run([folder], lang="zh")
    out = io.StringIO()
    HtmlReporter().render(report, out, RenderOptions(lang="zh"))
    page = out.getvalue()
    assert "<h3>课程表 3-2</h3>" in page
    assert "<th>1 <small>08:20–09:00</small></th>" in page
    assert 'outline:2px solid #c62828">数学 <b>HOL004</b></td>' in page


# -- the rules that read timetables ------------------------------------------------------


def weekend_week() -> list[tuple[str, list[str | None] | None]]:
    rows = week(GRADE3)
    out: list[tuple[str, list[str | None] | None]] = []
    for number, (label, subjects) in enumerate(rows):
        if subjects is None:
            out.append((label, None))
        else:
            saturday = "数学" if number in (0, 1, 3) else None
            out.append((label, [*subjects, saturday, None]))
    return out


def test_weekend_lessons_are_one_hol004_per_class_and_weekday(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    workbook(folder / "课程表.xlsx", {"三(2)班": [("三年级(2)班课程表", weekend_week())],
                                      "三(1)班": [("三年级(1)班课程表", week(GRADE3))]},
             days=WEEKEND)
    report = run([folder])
    (finding,) = [f for f in report.findings if f.code == "HOL004"]
    assert str(finding.location) == f"{folder}/课程表.xlsx[三(2)班]:3"
    assert finding.location.column == "周六"
    assert finding.subject["lessons"] == 3 and finding.subject["class"] == "3-2"
    assert finding.subject["days"] == "Sat"
    assert "Saturday (class 3-2, 3 lessons)" in finding.message


def test_a_clean_week_has_no_weekend_finding(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    workbook(folder / "课程表.xlsx", {"三(1)班": [("三年级(1)班课程表", week(GRADE3))]},
             days=WEEKEND)
    assert [f.code for f in run([folder]).findings] == []


def test_a_period_with_its_own_time_takes_part_in_the_hours_rules(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    rows = week(GRADE3)
    early = [("第1节 7:40-8:20", rows[0][1]), *rows[1:]]
    workbook(folder / "课程表.xlsx", {"三(1)班": [("三年级(1)班课程表", early)]})
    report = run([folder], profile="national-2021")
    assert sorted((f.code, f.location.line) for f in report.findings) == [
        ("HRS001", 3), ("HRS004", 3)]
    hrs = report.findings[0]
    assert hrs.subject["start"] == "07:40" and hrs.subject["grades"] == "3-1"
    # the same grid with 8:20 is clean
    clean = school_folder(tmp_path / "clean", {})
    workbook(clean / "课程表.xlsx", {"三(1)班": [("三年级(1)班课程表", week(GRADE3))]})
    assert run([clean], profile="national-2021").findings == []


def test_a_period_without_a_time_takes_the_nth_lesson_of_the_schedule(tmp_path: Path) -> None:
    schedule = ("days,start,end,activity,grades\n"
                "周一至周五,7:50,8:30,lesson,\n"
                "周一至周五,8:40,9:20,lesson,\n"
                "周一至周五,9:40,10:20,lesson,1;2\n"
                "周一至周五,9:50,10:30,lesson,3;4;5;6\n")
    folder = school_folder(tmp_path, {"schedule.csv": schedule})
    workbook(folder / "课程表.xlsx", {"三(1)班": [("三年级(1)班课程表", week(GRADE3, timed=False))]})
    engine = Engine(RunOptions(entry_points=False))
    (submission,) = engine.load([str(folder)]).submissions.values()
    entries = lesson_entries(submission)
    assert [(e["period"], str(e["start"]), str(e["end"]), e["time_from"]) for e in entries] == [
        (1, "07:50", "08:30", FROM_SCHEDULE), (2, "08:40", "09:20", FROM_SCHEDULE),
        (3, "09:50", "10:30", FROM_SCHEDULE)]
    # the schedule's own first lesson carries the finding, not each timetable cell again
    report = run([folder], profile="national-2021")
    assert sorted((f.code, f.location.file.endswith(".csv")) for f in report.findings) == [
        ("HRS001", True), ("HRS004", True)]
