"""One test per hook (test_hook_<name>), and a check that docs/hooks.md documents each
hook with its exact signature."""

from __future__ import annotations

import datetime as dt
import importlib.util
import inspect
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest

from compliance import hookimpl
from compliance.host import hookspecs
from compliance.host.engine import Engine, RunOptions
from compliance.host.manager import make_plugin_manager
from compliance.inputs.calendar import YearCalendar
from compliance.inputs.kinds import DocumentKind, Field
from compliance.inputs.raw import RawRow, RawTable
from compliance.inputs.values import parse_class, parse_int
from compliance.outputs.reporter import RenderOptions
from compliance.verify import write_csv, write_school
from tests.conftest import FIXTURES, ROOT

DOC = ROOT / "docs" / "hooks.md"


def signature(name: str) -> str:
    spec = getattr(hookspecs, name)
    sig = inspect.signature(spec)  # annotations are strings (from __future__ import annotations)
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"def {name}({params}) -> {sig.return_annotation}"


@pytest.mark.parametrize("name", hookspecs.__all__)
def test_every_hook_has_a_doc_section_with_its_signature_and_a_test(name: str) -> None:
    text = DOC.read_text(encoding="utf-8")
    sections = {part.split("`", 1)[0]: part for part in text.split("\n## `")[1:]}
    assert name in sections, f"docs/hooks.md lacks a section '## `{name}`'"
    assert signature(name) in sections[name], f"docs/hooks.md: {name} needs `{signature(name)}`"
    assert "**Returns**" in sections[name] and "**Called**" in sections[name]
    assert "@hookimpl" in sections[name], f"docs/hooks.md: {name} needs an example"
    assert callable(globals().get(f"test_hook_{name}")), f"tests/test_hooks.py: add test_hook_{name}"


def engine(*plugins: object, **options: object) -> Engine:
    pset = make_plugin_manager(entry_points=False, extra=plugins)
    return Engine(RunOptions(entry_points=False, **options), plugins=pset)


def plugin(**hooks: object) -> ModuleType:
    module = ModuleType(f"test_plugin_{'_'.join(hooks)}")
    for name, fn in hooks.items():
        setattr(module, name, hookimpl(fn))
    return module


def test_hook_compliance_document_kinds(tmp_path: Path) -> None:
    kind = DocumentKind(name="class_roster", stems=("班额",), fields=[
        Field("class", parse_class, ("班级",), required=True),
        Field("students", parse_int, ("学生人数",), required=True)])
    eng = engine(plugin(compliance_document_kinds=lambda: [kind]))
    folder = write_school(tmp_path / "s")
    write_csv(folder / "班额.csv", [{"班级": "7-1", "学生人数": 58}])
    loaded = eng.load([str(folder)])
    (records,) = [list(s.records("class_roster")) for s in loaded.submissions.values()]
    assert [(r["class"], r["students"], r.loc.line) for r in records] == [("7-1", 58, 2)]


class PipeReader:
    name = "pipe"
    suffixes = (".psv",)

    def read(self, path: Path) -> list[RawTable]:
        lines = path.read_text(encoding="utf-8").splitlines()
        headers = [h.strip() for h in lines[0].split("|")]
        rows = [RawRow(n, dict(zip(headers, (c.strip() for c in line.split("|")), strict=False)))
                for n, line in enumerate(lines[1:], start=2) if line.strip()]
        return [RawTable(headers=headers, rows=rows)]


def test_hook_compliance_readers(tmp_path: Path) -> None:
    eng = engine(plugin(compliance_readers=lambda: [PipeReader()]), select=["HOL"])
    folder = write_school(tmp_path / "s")
    (folder / "schedule.psv").write_text(
        "日期|开始时间|结束时间|活动类型\n2025-10-09|08:00|11:00|上课\n2025-10-03|08:00|11:00|补课\n",
        encoding="utf-8")
    report = eng.check([str(folder)])
    assert [(f.code, f.location.line) for f in report.findings] == [("HOL001", 3)]


def _load(path: Path) -> ModuleType:
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_hook_compliance_rule_packs(tmp_path: Path) -> None:
    good = _load(FIXTURES / "plugins" / "good" / "good_plugin.py")
    eng = engine(good, select=["GDP"])
    assert eng.registry.rules["GDP001"].pack == "disguised"
    folder = write_school(tmp_path / "s", {"schedule": [
        {"星期": "周一", "开始时间": "16:00", "结束时间": "17:00", "活动类型": "上课",
         "内容": "毕业班补课"}]})
    report = eng.check([str(folder)])
    assert [(f.code, f.severity, f.location.column) for f in report.findings] == [
        ("GDP001", "warning", "title")]


def test_hook_compliance_official_calendar(tmp_path: Path) -> None:
    # a plugin's calendar wins over the built-in one (which is trylast)
    def calendar(year: int) -> YearCalendar | None:
        return YearCalendar(2025, holidays={dt.date(2025, 10, 9): "Founders' Day"}) \
            if year == 2025 else None

    eng = engine(plugin(compliance_official_calendar=calendar), select=["HOL"])
    folder = write_school(tmp_path / "s", {"schedule": [
        {"日期": "2025-10-09", "开始时间": "08:00", "结束时间": "11:00", "活动类型": "上课"},
        {"日期": "2025-10-03", "开始时间": "08:00", "结束时间": "11:00", "活动类型": "上课"}]})
    report = eng.check([str(folder)])
    # 10-03 is a Friday and, for this calendar, an ordinary school day
    assert [(f.code, f.location.line, f.subject.get("holiday")) for f in report.findings] == [
        ("HOL001", 2, "Founders' Day")]


def test_hook_compliance_profiles(tmp_path: Path) -> None:
    profile = tmp_path / "late.yaml"
    profile.write_text("name: late-district\nextends: national-2021\n"
                       "parameters:\n  HRS002: {latest_end: '18:00'}\n", encoding="utf-8")
    eng = engine(plugin(compliance_profiles=lambda: [str(profile)]), profile="late-district")
    assert "late-district" in eng.profiles.by_name
    assert eng.settings.params(eng.registry.rules["HRS002"])["latest_end"] == "18:00"


def test_hook_compliance_curricula(tmp_path: Path) -> None:
    plan = tmp_path / "province.yaml"
    plan.write_text("name: province-2023\nextends: national-2022\n"
                    "grades:\n  3-6: {minimum: {体育与健康: 4}}\n", encoding="utf-8")
    eng = engine(plugin(compliance_curricula=lambda: [str(plan)]), curriculum="province-2023")
    assert eng.plan.name == "province-2023"
    assert eng.plan.for_grade(4).minimum_of("体育与健康") == 4
    assert eng.plan.for_grade(7).minimum_of("体育与健康") == 3


def test_hook_compliance_reporters(tmp_path: Path) -> None:
    markdown = _load(ROOT / "plugins" / "markdown_report.py")
    eng = engine(markdown)
    folder = write_school(tmp_path / "s", {"schedule": [
        {"日期": "2025-10-03", "开始时间": "08:00", "结束时间": "11:00", "活动类型": "补课"}]},
        school={"id": "T-1", "name": "实验小学", "level": "primary"})
    (folder / "enrollment.csv").write_text(
        "学籍号,姓名,年级,录取方式\nG123456789,张小明,1,考试\n", encoding="utf-8")
    report = eng.check([str(folder)])
    out = io.StringIO()
    eng.registry.reporters["markdown"].render(report, out, RenderOptions(lang="zh"))
    text = out.getvalue()
    assert text.startswith("## 实验小学 — 办学行为自查结果\n")
    assert "| 法定节假日组织集体补课 | 须整改 | 1 |" in text
    # nothing about a child: no name, no id, not even masked
    for secret in ("张", "6789", "G123"):
        assert secret not in text


def test_hooks_are_all_listed() -> None:
    declared = {n for n, f in vars(hookspecs).items() if n.startswith("compliance_") and callable(f)}
    assert declared == set(hookspecs.__all__)
    assert sys.modules["compliance.host.hookspecs"] is hookspecs


def _period_exports(folder: Path) -> None:
    """A schedule export and a timetable as office software writes them, both naming the
    bureau's own periods: 午练 (a noon writing practice) and 晨诵 (morning recitation)."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "作息时间表"
    ws["A1"] = "实验小学作息时间表"
    ws.merge_cells("A1:B1")
    for row in (["节次", "时间"], ["到校", "8:00"], ["晨诵", "8:00-8:15"], ["第一节", "8:20-9:00"],
                ["午练", "12:30-12:50"], ["第五节", "14:00-14:40"], ["放学", "16:00"]):
        ws.append(row)
    book.save(folder / "作息时间表.xlsx")
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "三(1)班"
    ws["A1"] = "三年级(1)班课程表"
    ws.merge_cells("A1:F1")
    for row in (["节次", "周一", "周二", "周三", "周四", "周五"],
                ["第1节", "语文", "数学", "语文", "数学", "语文"],
                ["午练 12:30-12:50", "练字", "练字", "练字", "练字", "练字"],
                ["第2节", "数学", "语文", "数学", "语文", "数学"]):
        ws.append(row)
    book.save(folder / "课程表.xlsx")


def test_hook_compliance_period_names(tmp_path: Path) -> None:
    folder = write_school(tmp_path / "s", {}, school={"id": "T-1", "name": "实验小学",
                                                      "level": "primary", "classes": ["3-1"]})
    _period_exports(folder)
    # without the plugin the bureau's names are unreadable, and 午练 is a row of lessons
    bare = engine().check([str(folder)])
    assert [(f.code, f.location.line) for f in bare.findings if f.code.startswith("INP")] == [
        ("INP001", 4), ("INP001", 6)]
    names = plugin(compliance_period_names=lambda: {"午练": "self_study", "晨诵": "morning_reading",
                                                    "午休": "lesson"})
    eng = engine(names)
    # 午休 is a built-in name: its built-in activity (lunch) wins, the plugin's is left out
    assert eng.registry.period_names == {"午练": "self_study", "晨诵": "morning_reading"}
    report = eng.check([str(folder)])
    assert [f.message for f in report.findings if f.code.startswith("INP")] == []
    # a name still unknown is refused with the plugin's names among those accepted
    from compliance.inputs.builtin_kinds import parse_activity
    from compliance.inputs.values import BadValue

    with eng.period_names(), pytest.raises(BadValue) as refused:  # as in eng's runs
        parse_activity("午觉")
    assert "`午练`" in refused.value.expected.render("zh")
    with pytest.raises(BadValue) as outside:  # outside them, no plugin names
        parse_activity("午觉")
    assert "`午练`" not in outside.value.expected.render("zh")
    loaded = eng.load([str(folder)])
    (sub,) = loaded.submissions.values()
    assert [(r["title"], r["activity"]) for r in sub.records("schedule")
            if r["title"] in ("午练", "晨诵")] == [("晨诵", "morning_reading"), ("午练", "self_study")]
    # the timetable's 午练 row is no lessons now: 10 lessons, not 15, and no 练字 course
    assert sorted({r["subject"] for r in sub.records("timetable")}) == ["数学", "语文"]
    assert len(list(sub.records("timetable"))) == 10


def test_period_names_two_plugins_disagreeing_is_an_error_naming_both() -> None:
    from compliance.host.errors import PluginError

    one = plugin(compliance_period_names=lambda: {"午练": "self_study"})
    other = ModuleType("other_bureau")
    other.compliance_period_names = hookimpl(lambda: {"午练": "exercise"})  # type: ignore[attr-defined]
    with pytest.raises(PluginError) as clash:
        engine(one, other)
    assert all(part in str(clash.value) for part in ("午练", "other_bureau", one.__name__))
    bad = plugin(compliance_period_names=lambda: {"午练": "nap"})
    with pytest.raises(PluginError, match="unknown activity 'nap'"):
        engine(bad)
    # and the names of one engine are in force only in its runs: building it installs nothing
    with_names = engine(one)
    from compliance.inputs.periods import activity_of

    assert activity_of("午练") is None
    with with_names.period_names():
        assert activity_of("午练") is not None
        with engine().period_names():  # an engine without the plugin, inside: none
            assert activity_of("午练") is None
        assert activity_of("午练") is not None
    assert activity_of("午练") is None


def test_period_names_from_a_plugin_file_on_the_command_line(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from compliance.cli import app

    folder = write_school(tmp_path / "s", {}, school={"id": "T-1", "name": "实验小学",
                                                      "level": "primary", "classes": ["3-1"]})
    _period_exports(folder)
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "bureau_periods.py").write_text(
        "from compliance import hookimpl\n\n\n@hookimpl\ndef compliance_period_names():\n"
        "    return {'午练': 'self_study', '晨诵': 'morning_reading'}\n", encoding="utf-8")
    args = ["check", str(folder), "--no-entry-points", "--format", "json", "--select", "INP"]
    bare = CliRunner().invoke(app, args)
    assert "INP001" in bare.output
    got = CliRunner().invoke(app, [*args, "--plugins-dir", str(plugins)])
    assert "INP0" not in got.output and "Traceback" not in got.output, got.output


def test_period_names_in_an_activity_column_follow_the_engine_run_after_run(tmp_path: Path) -> None:
    # parsed cells are cached per process: a run with the plugin, between two without it,
    # must not reuse (or leave behind) what the other runs made of 午练
    folder = write_school(tmp_path / "s", {"schedule": [
        {"星期": "周一至周五", "开始时间": "12:30", "结束时间": "12:50", "活动类型": "午练"}]},
        school={"id": "T-1", "name": "实验小学", "level": "primary"})
    names = plugin(compliance_period_names=lambda: {"午练": "self_study"})

    def inputs(eng: Engine) -> list[str]:
        return [f.code for f in eng.check([str(folder)]).findings if f.code.startswith("INP")]

    assert inputs(engine()) == ["INP001"]
    assert inputs(engine(names)) == []
    assert inputs(engine()) == ["INP001"]
