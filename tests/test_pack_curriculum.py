"""CUR — 开齐开足: every required subject, enough lessons of each, no heavier week than
the curriculum plan allows; the plan's aliases, school courses, and province plans."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.host.engine import Engine, RunOptions
from compliance.host.errors import ConfigError
from compliance.inputs.shaping import Note
from compliance.outputs.report import Report
from compliance.rules.finding import Finding
from tests.conftest import run, school_folder
from tests.timetable_support import GRADE2, GRADE3, GRADE8, week, workbook

CLASSES = ["2-1", "3-1", "3-2", "5-1", "8-1"]


def school(tmp_path: Path, sheets: dict[str, dict[str, int]], **school: object) -> Path:
    """A school folder whose 课程表.xlsx has one sheet per class, titled like the class."""
    folder = school_folder(tmp_path, {}, {"classes": CLASSES, "level": "nine_year", **school})
    workbook(folder / "课程表.xlsx",
             {name: [(f"{name}课程表", week(counts))] for name, counts in sheets.items()})
    return folder


def cur(report_or_findings: object) -> list[tuple[str, str | None, str | None, int | None]]:
    findings: list[Finding] = getattr(report_or_findings, "findings", report_or_findings)  # type: ignore[assignment]
    return sorted((f.code, f.subject.get("class"), f.subject.get("subject"),
                   f.subject.get("lessons")) for f in findings if f.code.startswith("CUR"))


def assumed_notes(report: Report) -> list[Note]:
    """The assumptions listed in the files' notes (a school course counted)."""
    return [n for f in report.file_notes.values() for n in f.notes if n.why == "assumed"]


def with_(counts: dict[str, int], **changes: int) -> dict[str, int]:
    out = dict(counts, **changes)
    return {k: v for k, v in out.items() if v}


def test_a_class_that_meets_the_plan_has_no_finding(tmp_path: Path) -> None:
    assert cur(run([school(tmp_path, {"三(1)班": GRADE3})])) == []


def test_cur001_a_required_subject_with_no_lesson(tmp_path: Path) -> None:
    report = run([school(tmp_path, {"三(1)班": with_(GRADE3, 劳动=0, 数学=6)})])
    assert cur(report) == [("CUR001", "3-1", "劳动", 0)]
    (finding,) = report.findings
    assert finding.severity == "error"
    # located at the class's grid: its title row
    assert (finding.location.sheet, finding.location.line, finding.location.column) == (
        "三(1)班", 1, None)
    assert "SCHOOL-CURRICULUM" in finding.citation


def test_cur002_too_few_lessons_and_never_both_codes(tmp_path: Path) -> None:
    report = run([school(tmp_path, {"三(1)班": with_(GRADE3, 体育=2, 数学=6)})])
    assert cur(report) == [("CUR002", "3-1", "体育与健康", 2)]
    assert report.findings[0].subject == {"class": "3-1", "grade": 3, "plan": "national-2022",
                                          "subject": "体育与健康", "lessons": 2, "minimum": 3}
    assert "3-1" in report.findings[0].message and "2" in report.findings[0].message


def test_a_violating_and_a_clean_class_in_one_workbook(tmp_path: Path) -> None:
    report = run([school(tmp_path, {"三(1)班": GRADE3, "三(2)班": with_(GRADE3, 体育=1, 数学=7)})])
    assert cur(report) == [("CUR002", "3-2", "体育与健康", 1)]


def test_cur003_a_heavier_week_than_the_plan_allows(tmp_path: Path) -> None:
    report = run([school(tmp_path, {"三(1)班": with_(GRADE3, 数学=6)})])  # 31 > 30
    assert cur(report) == [("CUR003", "3-1", None, 31)]
    assert report.findings[0].severity == "warning"
    assert report.findings[0].subject["maximum"] == 30


def test_cur003_counts_weekend_lessons(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {}, {"classes": CLASSES})
    rows = week(GRADE3)
    rows = [(label, [*subjects, "数学"] if subjects is not None and label.startswith("第1节")
             else subjects if subjects is None else [*subjects, None]) for label, subjects in rows]
    workbook(folder / "课程表.xlsx", {"三(1)班": [("三年级(1)班课程表", rows)]},
             days=("周一", "周二", "周三", "周四", "周五", "周六"))
    report = run([folder])
    assert cur(report) == [("CUR003", "3-1", None, 31)]
    assert sorted(f.code for f in report.findings) == ["CUR003", "HOL004"]


def test_grade_2_needs_no_foreign_language_or_it_but_four_pe_lessons(tmp_path: Path) -> None:
    assert cur(run([school(tmp_path, {"二(1)班": GRADE2})])) == []
    three_pe = with_(GRADE2, 体育=3, 语文=9)
    assert cur(run([school(tmp_path / "b", {"二(1)班": three_pe})])) == [
        ("CUR002", "2-1", "体育与健康", 3)]


def test_grade_3_needs_foreign_language_and_it_and_three_pe_lessons(tmp_path: Path) -> None:
    # the grade-2 week is not enough in grade 3: 外语 and 信息科技 are missing
    report = run([school(tmp_path, {"三(1)班": with_(GRADE2, 体育=3, 语文=9)})])
    assert cur(report) == [("CUR001", "3-1", "信息科技", 0), ("CUR001", "3-1", "外语", 0)]


def test_grade_8_physics_chemistry_biology_count_as_science(tmp_path: Path) -> None:
    assert cur(run([school(tmp_path, {"初二(1)班": GRADE8})])) == []


def test_physics_is_no_science_in_grade_5_but_a_school_course(tmp_path: Path) -> None:
    counts = with_(GRADE3, 科学=0, 物理=2)
    report = run([school(tmp_path, {"五(1)班": counts})])
    assert cur(report) == [("CUR001", "5-1", "科学", 0)]
    assert [n.shown("en") for n in assumed_notes(report)] == [
        "物理: no subject of the curriculum plan, counted as a local or school course"]


def test_calligraphy_counts_as_chinese(tmp_path: Path) -> None:
    counts = with_(GRADE3, 语文=0, 书法=8)
    assert cur(run([school(tmp_path, {"三(1)班": counts})])) == []


def test_a_school_course_counts_towards_the_total_and_is_noted_once(tmp_path: Path) -> None:
    counts = with_(GRADE3, 数学=4, 足球=2)  # 31: the school course tips the week over
    report = run([school(tmp_path, {"三(1)班": counts, "三(2)班": with_(GRADE3, 数学=4, 足球=1)})],
                 lang="zh")
    assert cur(report) == [("CUR003", "3-1", None, 31)]
    assumed = assumed_notes(report)
    # once per file, at its first cell
    assert [(n.sheet, n.shown("zh")) for n in assumed] == [
        ("三(1)班", "足球：非课程方案科目，按地方或校本课程计入周课时总量")]
    assert assumed[0].line is not None


def test_self_study_and_blank_cells_are_no_lessons(tmp_path: Path) -> None:
    counts = with_(GRADE3, 自习=4)
    assert cur(run([school(tmp_path, {"三(1)班": counts})])) == []


def test_a_school_without_a_timetable_is_not_judged(tmp_path: Path) -> None:
    assert cur(run([school_folder(tmp_path, {})])) == []


def test_a_grid_without_a_class_is_the_whole_schools_and_judged_per_grade(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {}, {"classes": ["2-1", "3-1"]})
    workbook(folder / "课程表.xlsx", {"Sheet1": [("全校课程表", week(GRADE2))]})
    report = run([folder])
    # fine for grade 2, but grade 3 needs 外语 and 信息科技
    assert cur(report) == [("CUR001", None, "信息科技", 0), ("CUR001", None, "外语", 0)]
    assert {f.subject["grade"] for f in report.findings if f.code.startswith("CUR")} == {3}


# -- a class whose grid holds no lesson -----------------------------------------------

GRADE3_REQUIRED = ["道德与法治", "语文", "数学", "科学", "体育与健康", "艺术", "劳动",
                   "综合实践活动", "外语", "信息科技"]
BLANK = week({})  # 7 periods, 大课间 and 午休 rows, every lesson cell blank


def cur001(report: Report, cls: str | None) -> list[str]:
    return sorted(f.subject["subject"] for f in report.findings
                  if f.code == "CUR001" and f.subject.get("class") == cls)


def test_a_blank_grid_is_cur001_for_every_required_subject_at_its_title(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {}, {"classes": CLASSES, "level": "nine_year"})
    # one sheet, two grids stacked: 三(1)班 fills its week, 三(2)班 handed in a blank one
    workbook(folder / "课程表.xlsx", {"课程表": [("三年级(1)班课程表", week(GRADE3)),
                                               ("三年级(2)班课程表", BLANK)]})
    report = run([folder])
    assert cur001(report, "3-2") == sorted(GRADE3_REQUIRED)
    assert [c for c in cur(report) if c[1] != "3-2"] == []  # 三(1)班 meets the plan
    second_title = 1 + 1 + len(week(GRADE3)) + 1 + 1  # title, header, rows, blank row
    assert {(f.location.sheet, f.location.line, f.location.column, f.severity)
            for f in report.findings if f.code == "CUR001"} == {
        ("课程表", second_title, None, "error")}
    finding = next(f for f in report.findings if f.subject["subject"] == "体育与健康")
    assert finding.subject == {"class": "3-2", "grade": 3, "plan": "national-2022",
                               "subject": "体育与健康", "lessons": 0, "minimum": 3}
    # its seven period rows are read (rows with no lesson), not passed over as headings
    assert report.rows_read == 14 and report.rows_rejected == 0
    sections = [n.text for f in report.file_notes.values() for n in f.notes if n.why == "section"]
    assert sorted(set(sections)) == ["午休", "大课间 10:00-10:20"]
    # no lesson record was made up for the blank grid: the time and holiday rules see none
    assert not [f for f in report.findings if f.code.startswith(("HRS", "HOL", "INP"))]


def test_two_filled_grids_have_no_finding(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {}, {"classes": CLASSES, "level": "nine_year"})
    workbook(folder / "课程表.xlsx", {"课程表": [("三年级(1)班课程表", week(GRADE3)),
                                               ("三年级(2)班课程表", week(GRADE3))]})
    assert cur(run([folder])) == []


def test_a_grid_of_only_self_study_and_blanks_has_no_lesson(tmp_path: Path) -> None:
    folder = school(tmp_path, {"三(1)班": GRADE3, "五(1)班": {"自习": 12}})
    report = run([folder])
    assert cur001(report, "5-1") == sorted(GRADE3_REQUIRED)  # grade 5 needs what grade 3 does
    assert {f.location.line for f in report.findings if f.code == "CUR001"} == {1}
    assert {f.location.sheet for f in report.findings if f.code == "CUR001"} == {"五(1)班"}
    engine = Engine(RunOptions(entry_points=False))
    (submission,) = engine.load([str(folder)]).submissions.values()
    assert {r["class"] for r in submission.records("timetable")} == {"3-1"}
    assert {(g.class_, g.grade) for d in submission.documents_of("timetable")
            for g in d.grids} == {("3-1", 3), ("5-1", 5)}


def test_a_grid_with_one_lesson_is_judged_on_that_lesson(tmp_path: Path) -> None:
    report = run([school(tmp_path, {"三(2)班": {"语文": 1}})])
    assert cur001(report, "3-2") == sorted(s for s in GRADE3_REQUIRED if s != "语文")
    assert [c for c in cur(report) if c[0] != "CUR001"] == []  # 语文 needs one lesson: it has it


def test_a_blank_grid_without_a_title_is_located_at_its_header(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {}, {"classes": CLASSES, "level": "nine_year"})
    workbook(folder / "课程表.xlsx", {"二(1)班": [(None, BLANK)]})
    report = run([folder])
    assert cur001(report, "2-1") == sorted(["劳动", "体育与健康", "数学", "科学", "综合实践活动",
                                             "艺术", "语文", "道德与法治"])
    assert {f.location.line for f in report.findings if f.code == "CUR001"} == {1}


def test_a_blank_class_in_a_class_column_is_judged(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {}, {"classes": CLASSES, "level": "nine_year"})
    rows = week(GRADE3, periods=6)
    blank = week({}, periods=6)
    labels = ["三(1)班"] + [""] * (len(rows) - 1) + ["三(2)班"] + [""] * (len(blank) - 1)
    workbook(folder / "课程表.xlsx", {"全校": [("课程表", rows + blank)]}, class_column=labels)
    report = run([folder])
    assert cur001(report, "3-2") == sorted(GRADE3_REQUIRED)
    assert cur001(report, "3-1") == [] and cur001(report, None) == []


def test_a_blank_grid_of_no_class_follows_the_whole_school_rule(tmp_path: Path) -> None:
    # beside classes' grids with lessons, a blank unnamed grid adds no lesson and no finding
    folder = school_folder(tmp_path, {}, {"classes": ["3-1"]})
    workbook(folder / "课程表.xlsx", {"三(1)班": [("三(1)班课程表", week(GRADE3))],
                                      "Sheet1": [("课程表", BLANK)]})
    assert cur(run([folder])) == []
    # but a timetable that is nothing but blank unnamed grids is the whole school's: judged
    alone = school_folder(tmp_path / "alone", {}, {"classes": ["3-1"]})
    workbook(alone / "课程表.xlsx", {"Sheet1": [("课程表", BLANK)]})
    report = run([alone])
    assert cur001(report, None) == sorted(GRADE3_REQUIRED)
    assert {(f.location.sheet, f.location.line) for f in report.findings
            if f.code == "CUR001"} == {("Sheet1", 1)}


# -- the plan in force ------------------------------------------------------------------

PROVINCE = """\
name: province-2023
title: {zh: 某省义务教育课程设置, en: a province's plan}
extends: national-2022
grades:
  3-6:
    minimum: {体育与健康: 4}
"""


def test_a_province_plan_overrides_a_minimum(tmp_path: Path) -> None:
    plan = tmp_path / "province.yaml"
    plan.write_text(PROVINCE, encoding="utf-8")
    folder = school(tmp_path, {"三(1)班": GRADE3})
    assert cur(run([folder])) == []
    report = run([folder], curriculum=str(plan))
    assert cur(report) == [("CUR002", "3-1", "体育与健康", 3)]
    assert report.findings[0].subject["minimum"] == 4
    assert report.findings[0].subject["plan"] == "province-2023"


def test_the_plan_comes_from_the_config_file_or_a_profile(tmp_path: Path) -> None:
    (tmp_path / "plans").mkdir()
    (tmp_path / "plans" / "province.yaml").write_text(PROVINCE, encoding="utf-8")
    folder = school(tmp_path, {"三(1)班": GRADE3})
    config = tmp_path / "compliance.yaml"
    config.write_text("curriculum: plans/province.yaml\n", encoding="utf-8")
    out = _cli("check", str(folder), "--config", str(config), "--format", "json",
               "--select", "CUR")
    assert [f["subject"]["minimum"] for f in json.loads(out.stdout)["findings"]] == [4]
    profile = tmp_path / "plans" / "ours.yaml"
    profile.write_text("name: ours\ncurriculum: province.yaml\n", encoding="utf-8")
    report = run([folder], profile=str(profile))
    assert cur(report) == [("CUR002", "3-1", "体育与健康", 3)]
    # --curriculum wins over the profile
    assert cur(run([folder], profile=str(profile), curriculum="national-2022")) == []


@pytest.mark.parametrize(("body", "line", "words"), [
    ("grades:\n  3-6:\n    required: [语文, 体操]\n", 5, "unknown subject '体操'"),
    ("grades:\n  3-6:\n    minimum:\n      劳动: -1\n", 6, "negative"),
    ("grades:\n  7-10:\n    weekly_max: 30\n", 4, "outside 1–9"),
    ("grades:\n  0:\n    weekly_max: 30\n", 4, "outside 1–9"),
    ("aliases:\n  体操课: [体操]\n", 4, "unknown subject '体操课'"),
])
def test_a_bad_plan_is_refused_naming_file_and_line(tmp_path: Path, body: str, line: int,
                                                    words: str) -> None:
    plan = tmp_path / "bad.yaml"
    plan.write_text("name: bad\nextends: national-2022\n" + body, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        Engine(RunOptions(entry_points=False, curriculum=str(plan)))
    assert words in str(caught.value)
    assert f"{plan}:{line}" in str(caught.value)


def test_the_command_line_refuses_a_bad_plan_in_one_line(tmp_path: Path) -> None:
    plan = tmp_path / "bad.yaml"
    plan.write_text("name: bad\nextends: national-2022\ngrades:\n  3-6:\n    minimum:\n"
                    "      劳动: -1\n", encoding="utf-8")
    out = _cli("check", str(tmp_path), "--curriculum", str(plan))
    assert out.returncode == 2
    assert out.stderr.count("\n") == 1 and f"{plan}:6" in out.stderr
    assert "Traceback" not in out.stderr


def test_curricula_lists_the_plans_and_the_one_in_force(tmp_path: Path) -> None:
    plan = tmp_path / "province.yaml"
    plan.write_text(PROVINCE, encoding="utf-8")
    out = _cli("curricula", "--lang", "en").stdout
    assert "* national-2022" in out
    out = _cli("curricula", "--curriculum", str(plan)).stdout
    assert "* province-2023" in out and "  national-2022" in out and "extends national-2022" in out


def test_explain_cur002_shows_the_values_in_force(tmp_path: Path) -> None:
    out = _cli("explain", "CUR002", "--lang", "zh").stdout
    assert "1–2年级: 体育与健康 ≥4、劳动 ≥1" in out and "3–9年级: 体育与健康 ≥3、劳动 ≥1" in out
    assert "劳动课程平均每周不少于1课时" in out
    plan = tmp_path / "province.yaml"
    plan.write_text(PROVINCE, encoding="utf-8")
    out = _cli("explain", "CUR002", "--lang", "zh", "--curriculum", str(plan)).stdout
    assert "1–6年级: 体育与健康 ≥4、劳动 ≥1" in out and "7–9年级: 体育与健康 ≥3" in out
    assert "（--curriculum）" in out and "province-2023 (province.yaml)" in out
    out = _cli("explain", "CUR003").stdout
    assert "grades 1–2: weekly total at most 26" in out
    assert "grades 7–9: weekly total at most 34" in out


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    """The installed command, as a user runs it (stderr apart from stdout)."""
    command = str(Path(sys.executable).with_name("compliance"))
    return subprocess.run([command, *args], capture_output=True, text=True, check=False,
                          cwd=Path(args[-1]).parent if args[-1].endswith(".yaml") else None,
                          env={"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8",
                               "COMPLIANCE_NO_ENTRY_POINTS": "1"})
