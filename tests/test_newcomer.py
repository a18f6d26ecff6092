"""What a newcomer meets first: empty folders, files checked alone, help texts,
languages, the ways to start the program, and the settings a project carries."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.host.config import load_config
from tests.conftest import ROOT, SAMPLES

SCRIPT = Path(sys.executable).with_name("compliance")


def run(*args: str | Path, cwd: Path | None = None,
        env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    base = {"COMPLIANCE_NO_ENTRY_POINTS": "1", "PATH": os.environ.get("PATH", ""),
            "NO_COLOR": "1", "COLUMNS": "100", "HOME": os.environ.get("HOME", "/tmp")}
    return subprocess.run([str(SCRIPT), *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, env={**base, **(env or {})}, timeout=120)


# -- what gets checked ---------------------------------------------------------------


def test_an_empty_folder_is_exit_2_no_submission_found(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    result = run("check", empty, "--lang", "en")
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1
    assert "no submission found" in result.stderr and "未找到提交材料" in result.stderr


def district_copy(tmp_path: Path) -> Path:
    target = tmp_path / "zhongshan"
    shutil.copytree(SAMPLES / "zhongshan", target)
    return target


def test_a_school_folder_alone_uses_its_districts_zones_and_calendar(tmp_path: Path) -> None:
    district = district_copy(tmp_path)
    alone = run("check", district / "zs-002", "--format", "json", "--lang", "en", cwd=tmp_path)
    whole = run("check", district, "--format", "json", "--lang", "en", cwd=tmp_path)
    import json

    def codes(out: str, school: str) -> list[str]:
        return sorted(f["code"] for f in json.loads(out)["findings"]
                      if f["school_id"] == school and f["code"] != "ENR004")

    # ENR001 needs the district's zones.yaml; with it, the school alone reports the same
    assert "ENR001" in codes(whole.stdout, "ZS-002")
    assert codes(alone.stdout, "ZS-002") == codes(whole.stdout, "ZS-002")


def test_the_report_says_which_files_came_from_above(tmp_path: Path) -> None:
    district = district_copy(tmp_path)
    result = run("check", district / "zs-001", "--format", "text", "--lang", "en", cwd=tmp_path)
    assert ("Also read from beside or above the paths given: zhongshan/zones.yaml, "
            "zhongshan/calendar.yaml") in result.stdout


def test_a_single_file_in_a_school_folder_uses_the_school_yaml_beside_it(tmp_path: Path) -> None:
    district = district_copy(tmp_path)
    result = run("check", district / "zs-002" / "作息时间表.csv", "--format", "text",
                 "--lang", "en", cwd=tmp_path)
    assert "INP005" not in result.stdout  # no "no school profile"
    assert "== ZS-002" in result.stdout
    assert "HRS002" in result.stdout  # an urban school's late compulsory activity
    assert "zhongshan/zs-002/school.yaml" in result.stdout


def test_settings_are_found_in_a_parent_folder(tmp_path: Path) -> None:
    (tmp_path / "compliance.yaml").write_text("profile: national-2021\n", encoding="utf-8")
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    assert load_config(None, deep).get("profile") == "national-2021"


def test_a_pyproject_without_our_table_does_not_stop_the_search(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.compliance]\nlang = 'zh'\n",
                                             encoding="utf-8")
    inner = tmp_path / "pkg"
    inner.mkdir()
    (inner / "pyproject.toml").write_text("[project]\nname = 'x'\n", encoding="utf-8")
    assert load_config(None, inner).get("lang") == "zh"


# -- the command line ----------------------------------------------------------------


COMMANDS = ["check", "rules", "explain", "profiles", "plugins", "verify", "template", "calendar",
            "history", "serve", "new-plugin"]


@pytest.mark.parametrize("command", COMMANDS)
def test_help_shows_plain_metavars(command: str) -> None:
    result = run(command, "--help")
    assert result.returncode == 0
    for junk in ("<list[str]>", "<str>", "{paths}", "{PATH", "<int", "{CODE}"):
        assert junk not in result.stdout, (command, junk)


def test_command_summaries_are_whole_and_bilingual() -> None:
    result = run("--help")
    commands = result.stdout[result.stdout.index("Commands:"):]
    # a summary may wrap onto an indented second line
    entries = re.split(r"\n  (?=\S)", commands)[1:]
    summaries = {e.split()[0]: " ".join(e.split()) for e in entries if e.split()[0] in COMMANDS}
    assert set(summaries) == set(COMMANDS)
    for line in summaries.values():
        assert not line.rstrip().endswith("..."), line
        assert any("\u4e00" <= ch <= "\u9fff" for ch in line), line


def test_new_plugin_prints_its_default_once() -> None:
    assert run("new-plugin", "--help").stdout.count("XMP001") == 1


def test_rules_explain_and_profiles_in_chinese_have_no_english_words() -> None:
    rules = run("rules", "--lang", "zh").stdout
    assert " error " not in rules and " warning " not in rules and "错误" in rules
    explain = run("explain", "HRS002", "--lang", "zh").stdout
    assert "(rule default)" not in explain and "severity" not in explain
    assert "（规则默认值）" in explain and "级别: 错误" in explain
    profiles = run("profiles", "--lang", "zh").stdout
    assert "extends" not in profiles and "（继承 default）" in profiles


def test_an_unknown_language_is_one_clean_line() -> None:
    result = run("rules", "--lang", "fr")
    assert result.returncode == 2
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "compliance: error: Invalid value for '--lang': 'fr' is not one of 'zh', 'en'. "
        "(see `compliance rules --help`)"]


@pytest.mark.parametrize("command", ["explain HRS001", "profiles", "rules"])
def test_listing_commands_accept_no_entry_points(command: str) -> None:
    assert run(*command.split(), "--no-entry-points", "--lang", "en").returncode == 0


def test_verify_accepts_a_plugin_module() -> None:
    result = run("verify", ROOT / "tests" / "verify", "-p", "compliance_class_size",
                 "--lang", "en", env={"PYTHONPATH": str(ROOT / "plugins" / "compliance-class-size"
                                                      / "src")})
    assert result.returncode == 0, result.stdout + result.stderr


def test_python_dash_m_and_short_version() -> None:
    module = subprocess.run([sys.executable, "-m", "compliance", "-V"], capture_output=True,
                            text=True)
    assert module.returncode == 0 and module.stdout.startswith("compliance ")
    assert run("-V").stdout == module.stdout
    assert run("rules", "-V").returncode == 2  # -V belongs to the program, not a command


def test_shell_completion_is_offered() -> None:
    assert "--show-completion" in run("--help").stdout


def test_license_and_typing_marker_ship() -> None:
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License")
    assert 'license = "MIT"' in (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert (ROOT / "src" / "compliance" / "py.typed").is_file()


# -- plugin authors' inputs ----------------------------------------------------------


READER = '''
from compliance import hookimpl
from compliance.inputs.raw import RawRow, RawTable


class PickyReader:
    """Reads only CSV files named special.csv; hands every other CSV back."""

    name = "picky"
    suffixes = (".csv",)

    def read(self, path):
        if path.name != "special.csv":
            return None
        headers = ["星期", "开始时间", "结束时间", "活动类型"]
        return [RawTable(headers=headers, rows=[RawRow(2, {"星期": "周一"}, problem="broken row")],
                         kind_hint="schedule")]


@hookimpl
def compliance_readers():
    return [PickyReader()]
'''


def test_a_reader_hands_a_file_back_and_a_row_problem_is_one_finding(tmp_path: Path) -> None:
    (tmp_path / "picky_reader.py").write_text(READER, encoding="utf-8")
    school = tmp_path / "school"
    shutil.copytree(SAMPLES / "zhongshan" / "zs-001", school)
    shutil.copy(school / "homework.csv", school / "special.csv")
    result = run("check", school, "-p", "picky_reader", "--format", "json", "--lang", "en",
                 env={"PYTHONPATH": str(tmp_path)})
    import json

    findings = json.loads(result.stdout)["findings"]
    special = [f for f in findings if f["location"]["file"].endswith("special.csv")]
    # one finding for the broken row, not one more per required cell it lacks
    assert [(f["code"], f["location"]["line"]) for f in special] == [("INP001", 2)]
    assert "broken row" in special[0]["message"]
    # homework.csv went back to the built-in reader and was read as before
    assert not [f for f in findings if f["location"]["file"].endswith("homework.csv")
                and f["code"].startswith("INP")]
    assert json.loads(result.stdout)["summary"]["files"] >= 6


def test_the_readme_says_what_a_newcomer_needs() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "exit status 1" in readme and "on purpose" in readme
    tree = readme[readme.index("samples/zhongshan/            a district"):]
    for school in sorted(p.name for p in (SAMPLES / "zhongshan").iterdir() if p.is_dir()):
        assert f"  {school}/ " in tree[:tree.index("```")], school
    assert "Chromium" in readme and ".ci/run" in readme
    assert "chromium" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
