"""Exports as schools make them (exports.md): a title above the table, a two-row header,
time ranges in one cell, period names, seasons, grade bands, notes and sections — each
built the way office software writes it, each read as a person reads it."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.inputs.periods import activity_of
from compliance.outputs.json import report_dict
from compliance.outputs.report import Report
from tests.conftest import run, school_folder
from tests.office_files import write_gbk_csv, write_xlsx

TITLE = "XX小学2025-2026学年第一学期作息时间表"


def findings(report: Report, prefix: str = "") -> list[tuple[str, int | None, str | None]]:
    return [(f.code, f.location.line, f.location.column) for f in report.findings
            if f.code.startswith(prefix)]


def notes(report: Report, path_end: str) -> list[dict[str, Any]]:
    files = report_dict(report)["files"]
    got = [f for f in files if f["path"].endswith(path_end)]
    assert got, files
    return list(got[0]["notes"])


def title(report: Report, path_end: str) -> str | None:
    files = report_dict(report)["files"]
    return next(f["title"] for f in files if f["path"].endswith(path_end))


def whys(report: Report, path_end: str) -> list[tuple[int | None, str]]:
    return [(n["line"], n["why"]) for n in notes(report, path_end)]


# -- the CLI examples of the issue ---------------------------------------------------


def test_title_row_above_chinese_headers_with_an_unknown_file_name(tmp_path: Path) -> None:
    # a merged title row; the file name says nothing, so the kind is told from the header
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "2025秋季学期.xlsx", {"Sheet1": [
        [TITLE, None, None, None, None],
        ["星期", "开始时间", "结束时间", "活动类型", "内容"],
        ["周一至周五", "7:30", "8:00", "早读", "晨读"],
        ["周一至周五", "8:20", "11:40", "上课", "上午课程"],
    ]}, merges={"Sheet1": ["A1:E1"]})
    report = run([folder])
    assert findings(report) == [("HRS001", 3, "start")]
    assert title(report, "2025秋季学期.xlsx") == TITLE
    assert whys(report, "2025秋季学期.xlsx") == [(1, "preamble")]


def test_range_in_one_cell_with_period_and_content_columns(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {"作息时间表": [
        ["节次", "时间", "内容"],
        ["早读", "7:50—8:20", "语文早读"],
        ["第一节", "8:30—9:10", "语文"],
        ["第七节", "16:30—17:40", "数学"],
    ]})
    report = run([folder], select=["HRS001", "HRS002"])
    assert findings(report) == [("HRS001", 2, "start"), ("HRS002", 4, "end")]
    assert "Mon-Fri" in report.findings[0].message
    assert whys(report, "作息时间表.xlsx") == [(1, "assumed")]


def test_seasonal_columns_give_one_entry_per_season_and_name_it(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        ["时段", "节次", "夏季（5月1日—9月30日）", "冬季（10月1日—4月30日）"],
        ["上午", "第一节", "7:50-8:30", "8:10-8:50"],
        [None, "第二节", "8:40-9:20", "9:00-9:40"],
        ["下午", "第六节", "16:30-17:10", "16:00-16:40"],
    ]}, merges={"Sheet1": ["A2:A3"]})
    report = run([folder], lang="zh", select=["HRS001", "HRS002"])
    got = [(f.code, f.location.line, f.subject.get("season")) for f in report.findings]
    assert got == [("HRS001", 2, "夏季"), ("HRS002", 4, "夏季")]
    assert all("夏季" in f.message for f in report.findings)


def test_a_footnote_under_a_correct_table_is_a_note_not_four_errors(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        ["星期", "开始时间", "结束时间", "活动类型"],
        ["周一至周五", "8:20", "11:40", "上课"],
        ["注：1.本表自2025年9月1日起执行；2.课后服务自愿参加。", None, None, None],
    ]}, merges={"Sheet1": ["A3:D3"]})
    report = run([folder])
    assert findings(report) == []
    assert notes(report, "作息时间表.xlsx") == [
        {"line": 3, "sheet": "Sheet1", "why": "note",
         "text": "注：1.本表自2025年9月1日起执行；2.课后服务自愿参加。"}]


def test_missing_columns_are_named_as_a_school_writes_them(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"作息时间表.csv": "星期,备注\n周一至周五,无\n"})
    zh = run([folder], lang="zh").findings
    en = run([folder], lang="en").findings
    assert [f.code for f in zh] == ["INP002"]
    assert "`开始时间（或 时间）`、`结束时间（或 时间）`、`活动类型（或 节次）`" in zh[0].message
    assert "`start (开始时间, or a range column 时间)`" in en[0].message


def test_an_unreadable_cell_names_the_chinese_header_in_zh(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {
        "作息时间表.csv": "星期,开始时间,结束时间,活动类型\n周一至周五,25:00,11:40,上课\n"})
    assert "`开始时间` 中的 '25:00' 无法识别" in run([folder], lang="zh").findings[0].message
    assert "in `start (开始时间)`" in run([folder], lang="en").findings[0].message


# -- table shape ----------------------------------------------------------------------


def test_gbk_csv_with_crlf_and_a_title_line(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_gbk_csv(folder / "作息时间表.csv", [
        [TITLE, "", ""],
        ["", "", ""],
        ["节次", "时间", "内容"],
        ["到校", "7:40", ""],
        ["第一节", "8:20~9:00", "语文"],
        ["第八节", "16:50~17:30", "自习"],
        ["放学", "17:30", ""],
        ["制表人：王老师", "", ""],
    ])
    report = run([folder], select=["HRS001", "HRS002"])
    assert findings(report) == [("HRS001", 4, "start"), ("HRS002", 6, "end")]
    assert title(report, "作息时间表.csv") == TITLE
    assert whys(report, "作息时间表.csv") == [(1, "preamble"), (8, "note"), (3, "assumed")]


def test_header_with_a_trailing_bracketed_note(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"作息时间表.csv":
        "星期,开始时间（时:分）,结束时间（时:分）,活动类型\n周一至周五,8:20,11:40,上课\n"})
    report = run([folder])
    assert findings(report) == []


def test_two_row_header_group_over_seasons(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        [TITLE, None, None, None],
        ["时段", "节次", "作息时间", None],
        [None, None, "夏季", "冬季"],
        ["上午", "第一节", "8:20-9:00", "7:40-8:20"],
    ]}, merges={"Sheet1": ["A1:D1", "A2:A3", "B2:B3", "C2:D2"]})
    report = run([folder])
    assert [(f.code, f.location.line, f.subject.get("season")) for f in report.findings] == [
        ("HRS001", 4, "冬季")]
    assert whys(report, "作息时间表.xlsx")[:1] == [(1, "preamble")]


def test_season_by_grade_band_in_a_two_row_header(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        ["节次", "夏季", None, "冬季", None],
        [None, "一至三年级", "四至六年级", "一至三年级", "四至六年级"],
        ["第一节", "8:20-9:00", "8:20-9:00", "8:30-9:10", "8:30-9:10"],
        ["课后服务", "16:00-17:00", "16:00-17:30", "15:50-16:50", "15:50-17:20"],
        ["第七节", None, "16:20-17:10", None, None],
    ]}, merges={"Sheet1": ["A1:A2", "B1:C1", "D1:E1"]})
    report = run([folder])
    got = [(f.code, f.location.line, f.subject.get("season"), f.subject.get("grades"))
           for f in report.findings]
    # only the 4-6 summer lesson ends after 17:00; after-school service is voluntary
    assert got == [("HRS002", 5, "夏季", "4;5;6")]


def test_csv_two_row_header_group_cell_over_blank_cells(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_gbk_csv(folder / "作息时间表.csv", [
        ["节次", "夏季", "", "冬季", ""],
        ["", "开始时间", "结束时间", "开始时间", "结束时间"],
        ["第一节", "8:20", "9:00", "7:50", "8:30"],
    ])
    report = run([folder])
    assert [(f.code, f.subject.get("season")) for f in report.findings] == [("HRS001", "冬季")]


def test_merged_cells_fill_their_range_and_sections_are_listed(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        ["星期", "开始时间", "结束时间", "活动类型", "内容"],
        ["上午", None, None, None, None],
        ["周一至周五", "8:20", "9:00", "上课", "第一节"],
        [None, "9:10", "9:50", "上课", "第二节"],
        ["午休", None, None, None, None],
        [None, "14:00", "18:00", "上课", "第五节"],
    ]}, merges={"Sheet1": ["A2:E2", "A3:A4", "A6:A6"]})
    report = run([folder])
    # 周一至周五 fills line 4; line 6's day is blank and says so
    assert findings(report) == [("INP004", 6, None)]
    assert whys(report, "作息时间表.xlsx") == [(2, "section"), (5, "section")]


def test_instruction_and_empty_sheets_are_passed_over_and_listed(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "报送.xlsx", {
        "填表说明": [["1. 时间填写为 8:00 形式"], ["2. 活动类型从下拉列表选择"]],
        "2025秋季作息时间表": [["星期", "开始时间", "结束时间", "活动类型"],
                              ["周六", "8:00", "11:00", "上课"]],
        "Sheet3": [],
    })
    report = run([folder])
    assert findings(report) == [("HOL004", 2, "days")]
    assert report.findings[0].location.sheet == "2025秋季作息时间表"
    assert [(n["sheet"], n["why"]) for n in notes(report, "报送.xlsx")] == [
        ("填表说明", "instructions_sheet"), ("Sheet3", "empty_sheet")]


def test_a_sheet_whose_kind_cannot_be_told_is_inp003(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {
        "作息": [["星期", "开始时间", "结束时间", "活动类型"], ["周一至周五", "8:20", "11:40", "上课"]],
        "统计": [["项目", "数量"], ["班级", 6]],
    })
    report = run([folder])
    assert [(f.code, f.location.sheet) for f in report.findings] == [("INP003", "统计")]


def test_a_second_table_below_the_notes_has_its_own_title(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        ["夏季作息时间表", None, None, None],
        ["星期", "开始时间", "结束时间", "活动类型"],
        ["周一至周五", "8:20", "11:40", "上课"],
        ["注：自5月1日起执行", None, None, None],
        [None, None, None, None],
        ["周末补课安排", None, None, None],
        ["星期", "开始时间", "结束时间", "活动类型"],
        ["周六", "8:20", "11:40", "补课"],
    ]}, merges={"Sheet1": ["A1:D1", "A6:D6"]})
    report = run([folder])
    assert findings(report) == [("HOL004", 8, "days")]
    assert whys(report, "作息时间表.xlsx") == [(1, "preamble"), (4, "note"), (6, "preamble")]
    assert title(report, "作息时间表.xlsx") == "夏季作息时间表"


def test_xlsx_time_and_datetime_cells_and_a_range_of_time_cells(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        ["日期", "开始时间", "结束时间", "活动类型"],
        [dt.datetime(2025, 10, 1, 0, 0), dt.time(8, 0), dt.datetime(2025, 10, 1, 11, 30), "补课"],
    ]}, formats={"Sheet1": {"A2": 'm"月"d"日"', "B2": "h:mm", "C2": "yyyy-mm-dd h:mm"}})
    report = run([folder])
    assert findings(report) == [("HOL001", 2, "date")]


def test_a_realistic_export_with_no_violation_is_clean_and_exit_0(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {"作息时间表": [
        [TITLE, None, None, None],
        ["时段", "节次", "夏季（5月1日—9月30日）", "冬季（10月1日—4月30日）"],
        ["上午", "学生到校", "8:00", "8:10"],
        [None, "第一节", "8:20—9:00", "8:30—9:10"],
        [None, "大课间（含眼保健操）", "9:50—10:20", "10:00—10:30"],
        [None, "第二节", "10:30—11:10", "10:40—11:20"],
        ["中午", "午餐、午休", "11:40—13:30", "11:50—13:30"],
        ["下午", "第三节", "14:00—14:40", "13:50—14:30"],
        [None, "放学", "16:30", "16:20"],
        [None, "课后服务（一至三年级）", "16:30—17:30", "16:20—17:20"],
        ["注：1.本表自2025年9月1日起执行。2.课后服务学生自愿参加。", None, None, None],
    ]}, merges={"作息时间表": ["A1:D1", "A3:A6", "A8:A10", "A11:D11"]})
    result = CliRunner().invoke(app, ["check", str(folder), "--format", "json", "--lang", "zh",
                                      "--no-entry-points"])
    data = json.loads(result.stdout)
    assert data["findings"] == [] and result.exit_code == 0, result.stdout
    files = {f["path"].rsplit("/", 1)[-1]: f for f in data["files"]}
    assert files["作息时间表.xlsx"]["title"] == TITLE
    assert [n["why"] for n in files["作息时间表.xlsx"]["notes"]] == ["preamble", "note", "assumed"]


# -- schedules -----------------------------------------------------------------------


@pytest.mark.parametrize("cell", ["7:50-8:30", "7:50—8:30", "7:50–8:30", "7:50~8:30",
                                  "7：50～8：30", "7:50至8:30", "7:50到8:30", "7.50-8.30",
                                  "7点50-8点30"])
def test_every_range_separator(tmp_path: Path, cell: str) -> None:
    folder = school_folder(tmp_path, {"作息时间表.csv": f"节次,时间\n第一节,{cell}\n"})
    report = run([folder])
    assert [(f.code, f.subject.get("start"), f.subject.get("end")) for f in report.findings] == [
        ("HRS001", "07:50", "08:30")]


def test_a_range_ending_before_it_starts_is_inp004(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"作息时间表.csv": "节次,时间\n第一节,9:00-8:20\n"})
    assert findings(run([folder])) == [("INP004", 2, None)]


def test_a_single_time_is_an_instant_only_for_arrival_dismissal_and_bells(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"作息时间表.csv":
        "节次,时间\n到校,8:00\n预备铃,8:15\n第一节,8:20\n放学,16:30\n"})
    report = run([folder])
    assert findings(report) == [("INP004", 4, None)]
    assert "8:00-8:40" in run([folder], lang="zh").findings[0].message


PERIODS = [
    ("第1节", "lesson"), ("第10节", "lesson"), ("第一节", "lesson"), ("第十节", "lesson"),
    ("第一节课", "lesson"), ("上午第一节", "lesson"), ("下午第2节", "lesson"), ("上课", "lesson"),
    ("综合实践活动", "lesson"), ("综合素质实践活动", "lesson"),
    ("早读", "morning_reading"), ("晨读", "morning_reading"), ("早自习", "morning_reading"),
    ("大课间", "exercise"), ("课间操", "exercise"), ("眼保健操", "exercise"),
    ("广播操", "exercise"), ("跑操", "exercise"), ("阳光体育", "exercise"),
    ("大课间（含眼保健操）", "exercise"),
    ("课间", "break"), ("课间休息", "break"), ("预铃", "break"), ("预备铃", "break"), ("预备", "break"),
    ("午餐", "lunch"), ("午饭", "lunch"), ("午休", "lunch"), ("午睡", "lunch"),
    ("午间休息", "lunch"), ("午餐、午休", "lunch"), ("午餐/午休", "lunch"),
    ("到校", "arrival"), ("入校", "arrival"), ("进校", "arrival"), ("学生到校", "arrival"),
    ("到校时间", "arrival"), ("放学", "dismissal"), ("离校", "dismissal"), ("学生离校", "dismissal"),
    ("课后服务", "after_school_service"), ("课后延时服务", "after_school_service"),
    ("延时服务", "after_school_service"), ("课后托管", "after_school_service"),
    ("课后服务（一至三年级）", "after_school_service"),
    ("自习", "self_study"), ("晚自习", "self_study"), ("午自习", "self_study"),
    ("升旗", "assembly"), ("升旗仪式", "assembly"), ("班会", "assembly"), ("晨会", "assembly"),
    ("集会", "assembly"), ("社团", "club"), ("社团活动", "club"), ("兴趣小组", "club"),
    ("考试", "exam"), ("测验", "exam"), ("月考", "exam"), ("期中考试", "exam"), ("期末考试", "exam"),
    ("补课", "remedial"), (" 学生 到校 ", "arrival"),
]


@pytest.mark.parametrize(("name", "activity"), PERIODS)
def test_period_names(name: str, activity: str) -> None:
    got = activity_of(name)
    assert got is not None and got.activity == activity


@pytest.mark.parametrize("name", ["第十一节", "第0节", "语文", "午餐、上课", "11", "说明会", ""])
def test_not_period_names(name: str) -> None:
    assert activity_of(name, bare_numbers=True) is None


def test_a_bare_period_number_is_a_lesson_in_a_period_column(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"作息时间表.csv": "节次,时间,内容\n1,7:40-8:20,语文\n"})
    report = run([folder])
    assert [(f.code, f.subject.get("activity")) for f in report.findings] == [("HRS001", "lesson")]


def test_a_row_naming_no_activity_is_inp001_listing_the_names(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"作息时间表.csv": "节次,时间,内容\n第一节,8:20-9:00,语文\n"
                                                          "语文,9:10-9:50,数学\n"})
    report = run([folder], lang="zh")
    assert findings(report) == [("INP001", 3, "activity")]
    assert "`第一节…第十节`" in report.findings[0].message and "`午餐`" in report.findings[0].message


def test_class_scope_in_a_period_name_sets_the_grades(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"作息时间表.csv":
        "节次,时间\n补课（一至三年级）,16:30-17:30\n"})
    report = run([folder])
    assert [(f.code, f.subject.get("grades")) for f in report.findings] == [("HRS002", "1;2;3")]


def test_date_and_weekday_that_agree_make_a_dated_row(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"作息时间表.csv":
        "日期,星期,开始时间,结束时间,活动类型\n2025-10-01,周三,8:00,11:00,补课\n"
        "2025-10-11,周一,8:00,11:00,补课\n"})
    report = run([folder])
    assert findings(report) == [("HOL001", 2, "date"), ("INP004", 3, None)]


def test_seasons_from_school_yaml_and_dated_rows_against_the_season_in_force(
        tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {}, school={"seasons": {
        "夏季": {"from": "05-01", "to": "09-30"}, "冬季": {"from": "10-01", "to": "04-30"}}})
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        ["日期", "节次", "夏季", "冬季"],
        ["2025-09-29", "第一节", "7:50-8:30", "8:20-9:00"],   # summer in force: 7:50 early
        ["2025-10-09", "第一节", "8:20-9:00", "7:50-8:30"],   # winter in force: 7:50 early
        ["2025-10-10", "第一节", "7:40-8:20", "8:20-9:00"],   # summer not in force: passed
    ]})
    report = run([folder])
    assert [(f.code, f.location.line, f.subject.get("season")) for f in report.findings] == [
        ("HRS001", 2, "夏季"), ("HRS001", 3, "冬季")]
    assumed = [n for n in notes(report, "作息时间表.xlsx") if n["why"] == "assumed"]
    assert [n["line"] for n in assumed] == [2, 3, 4]  # each out-of-season entry passed over
    assert "冬季" in assumed[0]["text"] and "2025-09-29" in assumed[0]["text"]


def test_a_season_with_only_a_start_runs_until_the_next_one(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        ["日期", "节次", "夏季(5.1起)", "冬季(11月1日起)"],
        ["2025-10-20", "第一节", "7:50-8:30", "8:20-9:00"],  # summer runs to 10-31
        ["2025-11-03", "第一节", "7:50-8:30", "8:20-9:00"],  # winter from 11-01
    ]})
    report = run([folder])
    assert [(f.code, f.subject.get("season")) for f in report.findings] == [("HRS001", "夏季")]


def test_a_season_without_dates_applies_all_year_and_the_notes_say_so(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"作息时间表.csv": "节次,夏季,冬季\n第一节,8:20-9:00,8:30-9:10\n"})
    report = run([folder], lang="en")
    texts = [n["text"] for n in notes(report, "作息时间表.csv") if n["why"] == "assumed"]
    assert any("夏季" in t and "all year" in t for t in texts)
    assert any("冬季" in t for t in texts)


def test_hrs003_judges_each_season_on_its_own(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    # summer 8:00-16:40 and winter 8:40-17:10 are each under 9 hours; mixed they would
    # make 8:00-17:10, which no season's day is
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        ["节次", "夏季", "冬季"],
        ["早读", "8:00-8:20", "8:40-9:00"],
        ["第八节", "16:00-16:40", "16:30-17:10"],
    ]})
    assert run([folder], select=["HRS003"]).findings == []
    write_xlsx(folder / "作息时间表.xlsx", {"Sheet1": [
        ["节次", "夏季", "冬季"],
        ["早读", "8:00-8:20", "8:20-8:40"],
        ["第八节", "16:20-17:00", "16:50-17:30"],
    ]})
    report = run([folder], select=["HRS003"])
    got = sorted({(f.code, f.subject.get("season")) for f in report.findings})
    assert got == [("HRS003", "冬季")]
    assert all("冬季" in f.message for f in report.findings)


# -- the report says what was passed over -----------------------------------------------


@pytest.mark.parametrize("fmt", ["text", "rich", "html"])
def test_reports_say_how_many_rows_were_passed_over_and_why(tmp_path: Path, fmt: str) -> None:
    folder = school_folder(tmp_path, {})
    write_xlsx(folder / "作息时间表.xlsx", {
        "填表说明": [["说明一"], ["说明二"]],
        "作息": [[TITLE, None, None, None],
                 ["星期", "开始时间", "结束时间", "活动类型"],
                 ["周一至周五", "8:20", "11:40", "上课"],
                 ["注：本表自9月1日起执行", None, None, None]],
    }, merges={"作息": ["A1:D1"]})
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(app, ["check", str(folder), "--format", fmt, "--lang", "zh",
                                      "--output", str(out), "--no-entry-points"])
    assert result.exit_code == 0, result.output
    text = "".join(out.read_text(encoding="utf-8").split())  # rich wraps long lines
    assert "未作为数据读取的行" in text
    assert f"《{TITLE}》" in text
    assert "4行未作为数据读取" in text and "2填表说明工作表" in text and "1注释" in text


# -- value forms ------------------------------------------------------------------------


@pytest.mark.parametrize(("header", "name", "start", "end"), [
    ("夏季（5月1日—9月30日）", "夏季", (5, 1), (9, 30)),
    ("冬季(10.1-4.30)", "冬季", (10, 1), (4, 30)),
    ("夏季作息时间(5.1-9.30)", "夏季", (5, 1), (9, 30)),
    ("冬令时间（10月8日起）", "冬令", (10, 8), None),
    ("秋季", "秋季", None, None),
    ("春季作息", "春季", None, None),
])
def test_season_headers(header: str, name: str, start: Any, end: Any) -> None:
    from compliance.inputs.seasons import season_of_header

    season = season_of_header(header)
    assert season is not None and (season.name, season.start, season.end) == (name, start, end)


@pytest.mark.parametrize("header", ["季节", "夏天", "开始时间", "夏季补课安排表"])
def test_not_season_headers(header: str) -> None:
    from compliance.inputs.seasons import season_of_header

    assert season_of_header(header) is None


def test_a_season_running_over_the_new_year() -> None:
    from compliance.inputs.seasons import Season

    winter = Season("冬季", (10, 1), (4, 30))
    assert winter.covers(dt.date(2025, 12, 31)) and winter.covers(dt.date(2026, 1, 5))
    assert not winter.covers(dt.date(2026, 5, 1))


@pytest.mark.parametrize(("cell", "grades"), [
    ("一二年级", {1, 2}), ("三四年级", {3, 4}), ("五六年级", {5, 6}), ("三~六年级", {3, 4, 5, 6}),
    ("三至六年级", {3, 4, 5, 6}), ("1-3年级", {1, 2, 3}), ("小学部", set(range(1, 7))),
    ("初中部", {7, 8, 9}), ("初一", {7}), ("七年级", {7}), ("一至三年级、五年级", {1, 2, 3, 5}),
])
def test_compact_grade_bands(cell: str, grades: set[int]) -> None:
    from compliance.inputs.values import parse_scope

    assert set(parse_scope(cell).grades) == grades


def test_title_two_row_header_and_notes_together_in_gbk_csv(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    write_gbk_csv(folder / "作息时间表.csv", [
        [TITLE, "", "", ""],
        ["节次", "夏季", "", "冬季"],
        ["", "一至三年级", "四至六年级", "一至六年级"],
        ["第一节", "8:20-9:00", "8:20-9:00", "7:50-8:30"],
        ["注：冬季作息自10月1日起执行", "", "", ""],
        ["审核：李主任", "", "", ""],
    ])
    report = run([folder])
    assert [(f.code, f.location.line, f.subject.get("season")) for f in report.findings] == [
        ("HRS001", 4, "冬季")]
    assert title(report, "作息时间表.csv") == TITLE
    assert [w for w in whys(report, "作息时间表.csv") if w[1] != "assumed"] == [
        (1, "preamble"), (5, "note"), (6, "note")]


def test_a_data_row_of_text_is_never_a_sub_header(tmp_path: Path) -> None:
    # a materials table in a file whose name tells nothing: 三年级 under 年级 is data
    folder = school_folder(tmp_path, {"征订.csv": "年级,学科,书名,类别\n三年级,语文,同步练习,练习册\n"
                                                   "一年级,数学,口算天天练,练习册\n"})
    report = run([folder])
    assert sorted({f.code for f in report.findings}) == ["WBK001", "WBK003"]


def test_a_plugin_kind_adds_period_names_through_its_shaper_and_choices(tmp_path: Path) -> None:
    from compliance.inputs.builtin_kinds import SCHEDULE
    from compliance.inputs.csv_reader import CsvReader
    from compliance.inputs.kinds import DocumentKind, Field
    from compliance.inputs.schedule_shaping import ScheduleShaper
    from compliance.inputs.shaping import shape
    from compliance.inputs.values import enum_parser

    fields = [f if f.name != "activity" else Field("activity", enum_parser(
        {"lesson": ("上课",), "field_trip": ("研学旅行",)}), ("活动类型",), required=True)
        for f in SCHEDULE.fields]
    kind = DocumentKind("trips", fields, stems=("研学安排",), one_of=SCHEDULE.one_of,
                        shaper=ScheduleShaper({"lesson": ("走班课",)}))
    path = write_gbk_csv(tmp_path / "研学安排.csv", [
        ["节次", "时间"], ["走班课", "8:00-8:40"], ["研学旅行", "9:00-11:00"], ["游园", "13:00-14:00"]])
    table, = CsvReader().read(path)
    segment, = shape(table, {"trips": kind}, "trips").segments
    assert [r.cells["activity"] for r in segment.table.rows] == ["lesson", "field_trip", "游园"]


@pytest.mark.parametrize("headers", [
    pytest.param(["年级", "学科", "", "书名", "类别"], id="an-empty-header"),
    pytest.param(["年级", "学科", "备注", "书名", "类别", "备注"], id="a-header-twice"),
])
def test_a_row_is_judged_by_every_cell_whatever_header_stands_over_it(
        tmp_path: Path, headers: list[str]) -> None:
    """A row of one text cell is a section label, a row of two a record with cells
    missing: whether a header stands over a cell, or the same header over another one
    too, changes neither (the rows once held only the last cell under each header, so
    ``见附页 | 另订`` was a section "另订" and ``上学期`` under the empty header a record).
    The same table under a title (read by position) says the same."""
    spare = [i for i, h in enumerate(headers) if headers.count(h) > 1 or not h]
    order = [{"年级": "一年级", "学科": "数学", "书名": "口算天天练", "类别": "练习册"}.get(h)
             for h in headers]

    def spares(*cells: str) -> list[str | None]:
        row: list[str | None] = [None] * len(headers)
        for i, cell in zip(spare, cells, strict=False):
            row[i] = cell
        return row

    rows = [headers, order, spares("见附页", "另订") if len(spare) > 1 else
            ["", "", "见附页", "", "另订"], order, spares("上学期"), order]
    got = {}
    for name, above in (("plain", []), ("titled", [["2025秋季教辅征订表"]])):
        folder = school_folder(tmp_path, {}, name=name)
        write_xlsx(folder / "教辅征订.xlsx", {"Sheet1": [*above, *rows]})
        report = run([folder])
        shift = len(above)
        got[name] = (sorted({(code, line - shift) for code, line, _ in findings(report, "INP")
                             if line is not None}),
                     [(n["line"] - shift, n["why"], n["text"])
                      for n in notes(report, "教辅征订.xlsx") if n["why"] != "preamble"])
    assert got["plain"] == got["titled"] == ([("INP001", 3)], [(5, "section", "上学期")])
