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


def test_template_kinds_are_the_table_kinds() -> None:
    assert template_kinds() == ["schedule", "enrollment", "materials", "homework"]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("kind", template_kinds())
def test_a_template_as_written_reads_back_with_no_input_finding(
        tmp_path: Path, kind: str, lang: str) -> None:
    folder = school_folder(tmp_path, {"template.xlsx": build_template([kind], lang)})
    report = run([folder], lang=lang)
    assert [f for f in report.findings if f.code.startswith(("INP", "ERR"))] == []
    assert report.rows_read == 1 and report.rows_rejected == 0


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
