"""Third-party plugins that break: a rule, a reader or a reporter that raises becomes
a finding or one error line naming the plugin, the run goes on, and the exit status
says the check was incomplete."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from compliance.host.engine import Engine, RunOptions
from tests.adversarial_corpus import SCHOOL, run_cli

PACK_YAML = """\
pack: boom
title: {zh: 故障插件, en: a broken plugin}
clauses: [SUBMISSION]
rules:
  BOOM001:
    severity: error
    title: {zh: 抛出异常, en: raises}
    message: {zh: "不会出现", en: "never shown"}
  BOOM002:
    severity: error
    title: {zh: 产出非问题对象, en: yields junk}
    message: {zh: "不会出现", en: "never shown"}
  BOOM003:
    severity: warning
    title: {zh: 正常规则, en: a working rule}
    message: {zh: "插件规则照常执行", en: "the plugin's working rule ran"}
"""

PLUGIN = '''
from pathlib import Path

from compliance.host.markers import hookimpl
from compliance.inputs.kinds import DocumentKind, Field
from compliance.inputs.raw import RawRow, RawTable
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml(Path(__file__).with_name("boom.yaml"))


@pack.check("BOOM001")
def explodes(ctx):
    yield from ()
    raise ZeroDivisionError("a third-party rule divided by zero")


@pack.check("BOOM002")
def yields_junk(ctx):
    yield "not a finding"


@pack.check("BOOM003")
def works(ctx):
    for entry in ctx.records("schedule"):
        yield ctx.finding("BOOM003", entry)


class BrokenReader:
    name = "boom"
    suffixes = (".boom",)

    def read(self, path):
        raise KeyError("the reader lost its place")


class HalfReader:
    name = "half"
    suffixes = (".half",)

    def read(self, path):
        def rows():
            yield RawRow(1, {"days": "Mon-Fri", "start": "08:00", "end": "11:00",
                             "activity": "lesson"})
            raise RuntimeError("the reader broke after one row")
        return [RawTable(["days", "start", "end", "activity"], rows(), kind_hint="schedule")]


class BrokenReporter:
    name = "boom"
    binary = False
    suffix = ".txt"

    def render(self, report, out, options):
        raise ValueError("the reporter cannot count")


def broken_parser(value):
    if value == "boom":
        raise AttributeError("the parser tripped")
    return value


def broken_finish(values):
    if values["note"] == "finish":
        raise LookupError("the row check tripped")
    return None


WEIRD = DocumentKind(name="weird", fields=[Field("note", broken_parser, required=True)],
                     finish=broken_finish)


@hookimpl
def compliance_document_kinds():
    return [WEIRD]


@hookimpl
def compliance_rule_packs():
    return [pack]


@hookimpl
def compliance_readers():
    return [BrokenReader(), HalfReader()]


@hookimpl
def compliance_reporters():
    return [BrokenReporter()]
'''

SCHEDULE = "days,start,end,activity\nMon-Fri,08:00,11:40,lesson\n"


@pytest.fixture(scope="module")
def plugins_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("plugins")
    (folder / "boom.yaml").write_text(PACK_YAML, encoding="utf-8")
    (folder / "boomplugin.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def engine(plugins_dir: Path) -> Engine:
    return Engine(RunOptions(school=str(SCHOOL), entry_points=False, plugins_dir=str(plugins_dir)))


@pytest.fixture
def school(tmp_path: Path) -> Path:
    (tmp_path / "schedule.csv").write_text(SCHEDULE, encoding="utf-8")
    return tmp_path


def test_a_rule_that_raises_is_an_err001_naming_plugin_and_rule(engine: Engine,
                                                                school: Path) -> None:
    report = engine.check([str(school)])
    errors = [f for f in report.findings if f.code == "ERR001"]
    raised = [f for f in errors if "BOOM001" in f.message]
    assert len(raised) == 1
    assert "plugin boomplugin, pack boom, rule BOOM001 (explodes) raised ZeroDivisionError: " \
           "a third-party rule divided by zero" in raised[0].message
    assert report.exit_status("never") == 2


def test_a_rule_that_yields_something_else_is_an_err001(engine: Engine, school: Path) -> None:
    report = engine.check([str(school)])
    junk = [f for f in report.findings if f.code == "ERR001" and "BOOM002" in f.message]
    assert len(junk) == 1
    assert "yielded str, not a Finding" in junk[0].message


def test_the_other_rules_still_run_after_one_raises(engine: Engine, school: Path) -> None:
    report = engine.check([str(school)])
    assert [f.code for f in report.findings if f.code == "BOOM003"] == ["BOOM003"]


def test_a_reader_that_raises_is_an_input_finding_and_the_other_files_are_read(
        engine: Engine, school: Path) -> None:
    (school / "schedule.boom").write_text("anything", encoding="utf-8")
    report = engine.check([str(school)])
    broken = [f for f in report.findings if f.code == "INP003"]
    assert len(broken) == 1
    assert broken[0].location.file == str(school / "schedule.boom")
    assert "the reader 'boom' of plugin 'boomplugin' failed: KeyError" in broken[0].message
    assert report.rows_read == 1  # schedule.csv was still read
    assert any(f.code == "BOOM003" for f in report.findings)
    assert report.exit_status("never") == 2


def test_a_reader_that_breaks_part_way_keeps_the_rows_it_gave(engine: Engine,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "schedule.half"
    path.write_text("anything", encoding="utf-8")
    report = engine.check([str(path)])
    broken = [f for f in report.findings if f.code == "INP003"]
    assert len(broken) == 1
    assert "plugin 'boomplugin' failed after 1 row(s): RuntimeError" in broken[0].message
    assert report.rows_read == 1 and report.rows_rejected == 0
    assert report.exit_status("never") == 2


def test_a_reporter_that_raises_is_one_error_line(plugins_dir: Path, school: Path) -> None:
    run = run_cli("--plugins-dir", plugins_dir, "--format", "boom", school)
    assert run.status == 2
    assert run.stderr.strip().splitlines() == [
        "compliance: error: plugin 'boomplugin': the 'boom' reporter raised ValueError: the "
        "reporter cannot count; the report is incomplete (rerun with another --format)"]
    assert "Traceback" not in run.output


def test_debug_shows_the_traceback_of_a_failing_rule(plugins_dir: Path, school: Path) -> None:
    plain = run_cli("--plugins-dir", plugins_dir, school)
    debug = run_cli("--plugins-dir", plugins_dir, "--debug", school)
    assert "Traceback" not in plain.output
    assert plain.status == debug.status == 2
    assert "Traceback (most recent call last)" in debug.stderr
    assert "ZeroDivisionError: a third-party rule divided by zero" in debug.stderr


def test_a_kind_parser_or_row_check_that_raises_rejects_that_row_only(engine: Engine,
                                                                     tmp_path: Path) -> None:
    path = tmp_path / "weird.csv"
    path.write_text("note\nfine\nboom\nfinish\nalso fine\n", encoding="utf-8")
    report = engine.check([str(path)])
    found = {f.location.line: f.message for f in report.findings if f.code.startswith("INP")}
    assert sorted(found) == [3, 4]
    assert "its parser raised AttributeError: the parser tripped" in found[3]
    assert "the weird row check raised LookupError: the row check tripped" in found[4]
    assert (report.rows_read, report.rows_rejected) == (4, 2)
    assert report.exit_status("never") == 2
