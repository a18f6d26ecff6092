"""The command line: every exit status, options, settings discovery, and the JSON report."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from tests.conftest import SAMPLES, school_folder

runner = CliRunner()
CLEAN = "days,start,end,activity\n周一至周五,8:20,11:40,lesson\n"
DIRTY = "days,start,end,activity\n周一至周五,7:20,8:00,morning_reading\n"
WARNING_ONLY = "days,start,end,activity\n周一至周五,8:00,8:40,lesson\n"


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLIANCE_NO_ENTRY_POINTS", "1")
    monkeypatch.delenv("NO_COLOR", raising=False)


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_exit_0_when_clean(tmp_path: Path) -> None:
    code, out = invoke("check", str(school_folder(tmp_path, {"schedule.csv": CLEAN})), "--format", "text")
    assert code == 0, out
    assert "No findings" in out


def test_exit_1_on_an_error_finding(tmp_path: Path) -> None:
    code, out = invoke("check", str(school_folder(tmp_path, {"schedule.csv": DIRTY})), "--format", "text")
    assert code == 1 and "HRS001" in out


def test_exit_2_on_unreadable_input_and_the_report_still_lists_the_rest(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"schedule.csv": DIRTY, "notes.csv": "x,y\n1,2\n"})
    code, out = invoke("check", str(folder), "--format", "text")
    assert code == 2 and "INP003" in out and "HRS001" in out


def test_exit_2_on_usage_errors(tmp_path: Path) -> None:
    assert invoke("check", str(tmp_path / "missing"))[0] == 2
    folder = str(school_folder(tmp_path, {"schedule.csv": CLEAN}))
    code, out = invoke("check", folder, "--format", "pdf")
    assert code == 2 and "unknown format" in out
    code, out = invoke("check", folder, "--profile", "nope")
    assert code == 2 and "unknown profile" in out
    code, out = invoke("check", folder, "--select", "XYZ")
    assert code == 2 and "XYZ" in out
    assert invoke("check", folder, "--fail-on", "sometimes")[0] == 2
    assert invoke("explain", "NOPE001")[0] == 2


def test_errors_are_one_line_without_traceback(tmp_path: Path) -> None:
    code, out = invoke("check", str(tmp_path / "missing"))
    assert code == 2
    assert "Traceback" not in out and out.strip().count("\n") == 0


def test_fail_on_warning_and_never(tmp_path: Path) -> None:
    folder = str(school_folder(tmp_path, {"schedule.csv": WARNING_ONLY}))
    assert invoke("check", folder, "--profile", "national-2021", "--format", "text")[0] == 0
    assert invoke("check", folder, "--profile", "national-2021", "--fail-on", "warning")[0] == 1
    dirty = str(school_folder(tmp_path / "d", {"schedule.csv": DIRTY}))
    assert invoke("check", dirty, "--fail-on", "never")[0] == 0


def test_select_ignore_and_pack(tmp_path: Path) -> None:
    csv = "date,days,start,end,activity\n,周六,7:20,11:00,lesson\n"
    folder = str(school_folder(tmp_path, {"schedule.csv": csv}))
    _, out = invoke("check", folder, "--format", "json", "--select", "HOL")
    assert [f["code"] for f in json.loads(out)["findings"]] == ["HOL004"]
    _, out = invoke("check", folder, "--format", "json", "--ignore", "HOL00")
    assert [f["code"] for f in json.loads(out)["findings"]] == ["HRS001"]
    _, out = invoke("check", folder, "--format", "json", "--pack", "working-hours")
    assert [f["code"] for f in json.loads(out)["findings"]] == ["HRS001"]


def test_input_findings_cannot_be_ignored_into_silence(tmp_path: Path) -> None:
    folder = str(school_folder(tmp_path, {"notes.csv": "x,y\n1,2\n"}))
    code, out = invoke("check", folder, "--format", "json", "--ignore", "INP")
    assert code == 2 and json.loads(out)["findings"][0]["code"] == "INP003"


def test_json_report_matches_the_contract(tmp_path: Path) -> None:
    csv = "date,start,end,activity\n2025-10-11,8:00,9:00,exam\n2025-10-18,8:00,9:00,exam\n"
    folder = school_folder(tmp_path, {"schedule.csv": csv})
    code, out = invoke("check", str(folder), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert report["schema_version"] == 1
    assert report["tool"] == {"name": "compliance", "version": "0.1.0"}
    assert report["profile"] == "default"
    finding = report["findings"][0]
    assert set(finding) == {"code", "severity", "pack", "school_id", "message", "location", "subject",
                            "citation", "waived", "fingerprint"}
    assert finding["code"] == "HOL002" and finding["pack"] == "holiday-classes"
    assert finding["location"] == {"file": f"{folder}/schedule.csv", "line": 3, "column": "date"}
    assert finding["subject"]["date"] == "2025-10-18"
    assert finding["waived"] is False
    assert report["summary"] == {"schools": 1, "files": 2, "findings": 1, "by_severity": {"error": 1},
                                 "by_code": {"HOL002": 1}}


def test_json_report_is_byte_identical_for_the_same_input() -> None:
    args = ("check", str(SAMPLES / "zhongshan"), "--format", "json", "--profile", "national-2021")
    first, second = invoke(*args)[1], invoke(*args)[1]
    assert first == second
    findings = json.loads(first)["findings"]
    keys = [(f["school_id"], f["location"]["file"], f["location"]["line"] or 0, f["code"]) for f in findings]
    assert keys == sorted(keys)


def test_output_file_and_language(tmp_path: Path) -> None:
    folder = str(school_folder(tmp_path, {"schedule.csv": DIRTY}))
    target = tmp_path / "out.json"
    code, out = invoke("check", folder, "--format", "json", "--output", str(target), "--lang", "zh")
    assert code == 1 and out == ""
    message = json.loads(target.read_text(encoding="utf-8"))["findings"][0]["message"]
    assert "早读" in message


def test_settings_file_is_discovered_in_the_current_folder(tmp_path: Path) -> None:
    folder = str(school_folder(tmp_path, {"schedule.csv": DIRTY}))
    (tmp_path / "compliance.yaml").write_text("ignore: [HRS001]\n", encoding="utf-8")
    assert invoke("check", folder, "--format", "text")[0] == 0


def test_pyproject_tool_table_is_used(tmp_path: Path) -> None:
    folder = str(school_folder(tmp_path, {"schedule.csv": DIRTY}))
    (tmp_path / "pyproject.toml").write_text("[tool.compliance]\nfail_on = 'never'\n", encoding="utf-8")
    assert invoke("check", folder, "--format", "text")[0] == 0


def test_explicit_config_and_bad_settings_name_the_file(tmp_path: Path) -> None:
    folder = str(school_folder(tmp_path, {"schedule.csv": DIRTY}))
    cfg = tmp_path / "strict.yaml"
    cfg.write_text("profile: national-2021\nbogus: 1\n", encoding="utf-8")
    code, out = invoke("check", folder, "--config", str(cfg))
    assert code == 2 and "strict.yaml:2" in out and "bogus" in out


def test_rules_explain_profiles() -> None:
    code, out = invoke("rules")
    assert code == 0 and "HRS001" in out and "HOL004" in out and "INP007" in out
    code, out = invoke("explain", "HRS004", "--profile", "national-2021", "--lang", "en")
    assert code == 0
    assert "SLEEP-2021" in out and "08:20" in out and "profile national-2021" in out
    code, out = invoke("explain", "hrs001", "--lang", "zh")
    assert code == 0 and "早八晚五" in out and "earliest_start" in out
    code, out = invoke("profiles")
    assert code == 0 and "default" in out and "national-2021" in out


def test_rich_report_fits_80_columns(tmp_path: Path) -> None:
    from compliance.outputs.reporter import RenderOptions
    from compliance.outputs.rich import RichReporter
    from tests.conftest import run

    report = run([SAMPLES / "zhongshan"], profile="national-2021", lang="zh")
    import io

    buffer = io.StringIO()
    RichReporter().render(report, buffer, RenderOptions(lang="zh", width=80))
    from rich.cells import cell_len

    lines = buffer.getvalue().splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    assert any("ZS-002" in line for line in lines) and any("汇总" in line for line in lines)


def test_installed_console_script_runs_outside_the_repository(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("compliance")
    result = subprocess.run([str(script), "check", str(SAMPLES / "zhongshan"), "--format", "json"],
                            cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1, result.stderr
    assert json.loads(result.stdout)["summary"]["schools"] == 4
