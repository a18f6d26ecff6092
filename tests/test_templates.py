"""`compliance template`: XLSX templates that cannot go wrong.  Each is read back, as
written (example row included), with no input finding in a school folder with no
district files — for every kind, in both languages."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine, RunOptions
from compliance.inputs.field_forms import choices
from compliance.outputs.templates import UnknownKind, build_template, template_kinds
from tests.conftest import run, school_folder

LANGS = ["zh", "en"]


def _book(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def test_template_kinds_are_the_built_in_kinds() -> None:
    assert template_kinds() == ["schedule", "enrollment", "materials", "homework", "timetable"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", template_kinds())
def test_a_template_as_written_reads_back_with_no_input_finding(
        tmp_path: Path, kind: str, lang: str) -> None:
    folder = school_folder(tmp_path, {"template.xlsx": build_template([kind], lang)})
    report = run([folder], lang=lang)
    assert [f for f in report.findings if f.code.startswith(("INP", "ERR"))] == []
    # one example row; the timetable's example grid: six period rows
    assert report.rows_read == (6 if kind == "timetable" else 1) and report.rows_rejected == 0


@pytest.mark.parametrize("lang", LANGS)
def test_all_kinds_in_one_workbook_read_back_including_a_plugin_kind(
        tmp_path: Path, lang: str) -> None:
    kinds = Engine(RunOptions(entry_points=True, lang=lang)).registry.kinds
    assert "class_roster" in kinds  # the example plugin, installed with the test extras
    folder = school_folder(tmp_path, {"模板.xlsx": build_template(list(kinds), lang, kinds)})
    report = run([folder], lang=lang, entry_points=True)
    assert [f.message for f in report.findings if f.code.startswith(("INP", "ERR"))] == []
    assert report.rows_read >= len(kinds) and report.rows_rejected == 0  # a grid kind: several


@pytest.mark.parametrize("lang", LANGS)
def test_headers_comments_dropdowns_and_the_instructions_sheet(lang: str) -> None:
    from compliance.inputs.builtin_kinds import SCHEDULE

    book = _book(build_template(["schedule"], lang))
    assert book.sheetnames == (["作息时间表", "填表说明"] if lang == "zh" else ["schedule", "Instructions"])
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    if lang == "zh":
        assert headers[:5] == ["星期", "日期", "开始时间", "结束时间", "活动类型"]
    else:
        assert headers[:5] == ["days", "date", "start", "end", "activity"]
    assert all(c.comment is not None and c.comment.text for c in sheet[1])
    validations = {str(v.sqref).split(":")[0]: v for v in sheet.data_validations.dataValidation}
    column = {h: openpyxl.utils.get_column_letter(i) for i, h in enumerate(headers, start=1)}
    activity = validations[f"{column[headers[4]]}2"]
    assert activity.type == "list"
    expected = [names[0] for names in choices(SCHEDULE.field("activity")).values()] if lang == "zh" \
        else list(choices(SCHEDULE.field("activity")))
    assert activity.formula1.strip('"').split(",") == expected
    assert validations[f"{column[headers[2]]}2"].type == "time"
    assert validations[f"{column[headers[1]]}2"].type == "date"
    assert validations[f"{column[headers[5]]}2"].type == "list"  # 是/否
    example = [c.value for c in sheet[2]]
    assert example[0] in ("周一至周五",) and example[4] in ("上课", "lesson")


def test_grade_cells_are_a_list_of_grades() -> None:
    sheet = _book(build_template(["materials"], "zh")).worksheets[0]
    headers = [c.value for c in sheet[1]]
    grade = openpyxl.utils.get_column_letter(headers.index("年级") + 1)
    found = [v for v in sheet.data_validations.dataValidation if str(v.sqref).startswith(grade)]
    assert found and "一年级" in found[0].formula1 and "九年级" in found[0].formula1


def test_an_unknown_kind_is_refused_naming_the_kinds() -> None:
    with pytest.raises(UnknownKind, match="schedule"):
        build_template(["timetables"], "zh")


def test_the_template_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    got = runner.invoke(app, ["template", "schedule", "--lang", "zh", "--no-entry-points"])
    assert got.exit_code == 0 and (tmp_path / "作息时间表模板.xlsx").is_file(), got.output
    again = runner.invoke(app, ["template", "schedule", "--lang", "zh", "--no-entry-points"])
    assert again.exit_code == 2 and "-o" in again.output  # never writes over a file unasked
    got = runner.invoke(app, ["template", "--all", "--lang", "en", "-o", "all.xlsx",
                              "--no-entry-points"])
    assert got.exit_code == 0
    assert _book((tmp_path / "all.xlsx").read_bytes()).sheetnames == [
        "schedule", "enrollment", "materials", "homework", "timetable", "Instructions"]
    bad = runner.invoke(app, ["template", "nope", "--no-entry-points"])
    assert bad.exit_code == 2 and "schedule" in bad.output and "Traceback" not in bad.output
    both = runner.invoke(app, ["template", "schedule", "--all", "--no-entry-points"])
    assert both.exit_code == 2


# -- the timetable: a class's grid ------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_the_timetable_template_is_a_grid_as_schools_fill_it(lang: str) -> None:
    book = _book(build_template(["timetable"], lang))
    zh = lang == "zh"
    assert book.sheetnames == (["课程表", "填表说明"] if zh else ["timetable", "Instructions"])
    sheet = book.worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    # a title naming the class, merged across the grid; periods down, weekdays across
    assert rows[0][0] == ("三年级(2)班课程表" if zh else "Class 3-2 timetable")
    assert "A1:F1" in {str(r) for r in sheet.merged_cells.ranges}
    assert rows[1] == (["节次", "周一", "周二", "周三", "周四", "周五"] if zh else
                       ["period", "Mon", "Tue", "Wed", "Thu", "Fri"])
    periods = [r[0] for r in rows[2:]]
    assert periods == (["第1节", "第2节", "大课间", "第3节", "第4节", "午休", "第5节", "第6节"] if zh
                       else ["1", "2", "Morning exercise", "3", "4", "Lunch break", "5", "6"])
    assert {"A5:F5", "A8:F8"} <= {str(r) for r in sheet.merged_cells.ranges}  # 大课间, 午休
    # a comment on the title and on every header cell
    assert sheet["A1"].comment is not None
    assert ("班级" if zh else "class") in sheet["A1"].comment.text
    assert all(c.comment is not None and c.comment.text for c in sheet[2])
    # the lesson cells offer the built-in plan's subjects and their aliases
    (validation,) = sheet.data_validations.dataValidation
    assert validation.type == "list" and str(validation.sqref).startswith("B3:F")
    offered = validation.formula1.strip('"').split(",")
    assert {"道德与法治", "体育与健康", "综合实践活动", "体育", "英语", "道法", "班会",
            "物理"} <= set(offered)
    assert validation.errorStyle == "warning"  # a school course (足球) is still allowed
    assert len(validation.formula1) <= 255  # what Excel keeps of a list
    instructions = [r[0] for r in book.worksheets[1].iter_rows(values_only=True) if r[0]]
    assert ("课程表" if zh else "timetable") in instructions


def test_the_example_week_meets_the_plan(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"课程表.xlsx": build_template(["timetable"], "zh")},
                           {"classes": ["3-2"]})
    report = run([folder])
    assert report.findings == [] and report.rows_read == 6
    sub = Engine(RunOptions(entry_points=False)).load([str(folder)]).submissions
    lessons = [r for s in sub.values() for r in s.records("timetable")]
    assert len(lessons) == 30 and {r["class"] for r in lessons} == {"3-2"}


@pytest.mark.parametrize("lang", LANGS)
def test_the_timetable_template_filled_in_reads_with_no_input_finding(
        tmp_path: Path, lang: str) -> None:
    """A school fills the grid: its own class in the title, subjects from the drop-down,
    a school course, a blank and a 自习 cell, and a time in a period cell."""
    book = _book(build_template(["timetable"], lang))
    sheet = book.worksheets[0]
    offered = sheet.data_validations.dataValidation[0].formula1.strip('"').split(",")
    offered.remove("自习")  # a lesson of each: 自习 is written on purpose below
    sheet["A1"] = "初一(2)班课程表" if lang == "zh" else "Grade 7 Class 2"
    lesson_rows = [r for r in range(3, sheet.max_row + 1) if sheet.cell(r, 2).value]
    for index, row in enumerate(lesson_rows):
        for col in range(2, 7):
            sheet.cell(row, col, offered[(index * 5 + col) % len(offered)])
    sheet.cell(lesson_rows[0], 1, "第1节 8:00-8:45" if lang == "zh" else "1 8:00-8:45")
    sheet.cell(lesson_rows[1], 2, "足球")
    sheet.cell(lesson_rows[2], 3).value = None
    sheet.cell(lesson_rows[3], 4, "自习")
    out = io.BytesIO()
    book.save(out)
    folder = school_folder(tmp_path, {"课程表.xlsx": out.getvalue()},
                           {"classes": ["7-2"], "level": "junior"})
    report = run([folder], lang=lang)
    assert [f.message for f in report.findings if f.code.startswith(("INP", "ERR"))] == []
    assert report.rows_read == 6 and report.rows_rejected == 0
    sub = Engine(RunOptions(entry_points=False)).load([str(folder)]).submissions
    lessons = [r for s in sub.values() for r in s.records("timetable")]
    assert len(lessons) == 28 and {r["class"] for r in lessons} == {"7-2"}
    assert "足球" in {r["subject"] for r in lessons}


def test_the_timetable_template_command(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    got = CliRunner().invoke(app, ["template", "timetable", "--lang", "zh", "--no-entry-points"])
    assert got.exit_code == 0, got.output
    (written,) = tmp_path.glob("*.xlsx")
    sheet = _book(written.read_bytes()).worksheets[0]
    assert sheet["A1"].value == "三年级(2)班课程表" and sheet["B2"].value == "周一"
