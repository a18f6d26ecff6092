"""Evidence: every JSON, SARIF and HTML report records what was run, on which files
(path, size, SHA-256), with which versions, when — byte-stable when the time is fixed."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine, RunOptions
from compliance.host.errors import UsageError
from compliance.rounds.evidence import input_files, run_record, run_time

from .conftest import SAMPLES

runner = CliRunner()
ZS = str(SAMPLES / "zhongshan")


def invoke(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code in (0, 1), result.output
    return result.output


def test_the_json_report_lists_every_input_file_with_its_hash() -> None:
    report = json.loads(invoke("check", ZS, "--format", "json"))
    files = report["files"]
    assert len(files) == report["summary"]["files"] == 23
    assert [f["path"] for f in files] == sorted(f["path"] for f in files)
    for entry in files:
        data = Path(entry["path"]).read_bytes()
        assert entry["size"] == len(data)
        assert entry["sha256"] == hashlib.sha256(data).hexdigest()
    run = report["run"]
    assert run["tool"] == {"name": "compliance", "version": "0.1.0"}
    assert run["profile"] == "default" and run["time"] == "2025-12-01T00:00:00Z"
    assert run["curriculum"] == "national-2022"
    assert run["calendar"] == {"2025": {"kind": "package",  # the samples' dates are all 2025
                                        "source": run["calendar"]["2025"]["source"]}}
    assert run["calendar"]["2025"]["source"].startswith("chinesecalendar ")
    assert {"name": "compliance.rules.packs.holiday_classes", "version": "0.1.0",
            "origin": "built-in"} in run["plugins"]
    assert len(run["fingerprint_key"]) == 12


def test_the_report_is_byte_identical_for_the_same_input_and_time() -> None:
    args = ("check", ZS, "--format", "json", "--profile", "national-2021")
    assert invoke(*args) == invoke(*args)


def test_the_time_comes_from_source_date_epoch_then_compliance_today(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    assert run_time() == "2023-11-14T22:13:20Z"
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    monkeypatch.setenv("COMPLIANCE_TODAY", "2026-03-01")
    assert run_time() == "2026-03-01T00:00:00Z"
    monkeypatch.delenv("COMPLIANCE_TODAY")
    assert run_time().endswith("Z") and len(run_time()) == 20
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "yesterday")
    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH"):
        run_time()


def test_sarif_and_html_carry_the_evidence(tmp_path: Path) -> None:
    sarif, page = tmp_path / "r.sarif", tmp_path / "r.html"
    invoke("check", ZS, "--format", "sarif", "-o", str(sarif), "--report", f"html:{page}")
    run = json.loads(sarif.read_text("utf-8"))["runs"][0]
    assert len(run["artifacts"]) == 23
    first = run["artifacts"][0]
    assert set(first) == {"location", "length", "hashes"} and len(first["hashes"]["sha-256"]) == 64
    assert run["invocations"][0]["endTimeUtc"] == "2025-12-01T00:00:00Z"
    assert run["properties"]["run"]["profile"] == "default"
    html = page.read_text("utf-8")
    assert 'id="evidence"' in html and first["hashes"]["sha-256"] in html


def test_installed_plugins_are_named_with_their_versions() -> None:
    report = json.loads(invoke("check", ZS, "--format", "json"))
    assert {"name": "class-size", "version": "0.1.0", "origin": "entry point"} in \
        report["run"]["plugins"]  # the example plugin the test setup installs


def test_the_curriculum_and_calendar_slots() -> None:
    engine = Engine(RunOptions(entry_points=False))
    record = run_record(engine, calendar={2025: "chinesecalendar 1.11"}, curriculum="zs-2025")
    assert record["calendar"] == {"2025": "chinesecalendar 1.11"}
    assert record["curriculum"] == "zs-2025"
    engine.calendar_sources = lambda: {2026: "calendar.yaml"}  # type: ignore[attr-defined]
    assert run_record(engine)["calendar"] == {"2026": "calendar.yaml"}


def test_input_files_skip_what_the_loader_skips(tmp_path: Path) -> None:
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "schedule.csv").write_text("a\n", encoding="utf-8")
    (tmp_path / "s" / ".hidden").write_text("x", encoding="utf-8")
    (tmp_path / "s" / "~$schedule.xlsx").write_text("lock", encoding="utf-8")
    (tmp_path / "s" / "README.md").write_text("notes", encoding="utf-8")
    assert [f["path"] for f in input_files([str(tmp_path / "s")])] == [
        f"{(tmp_path / 's').as_posix()}/schedule.csv"]
    assert input_files([str(tmp_path / "s" / "schedule.csv")])[0]["size"] == 2


def test_the_settings_waivers_and_baseline_files_are_hashed_too(tmp_path: Path) -> None:
    settings = tmp_path / "compliance.yaml"
    settings.write_text("profile: default\n", encoding="utf-8")
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - code: HRS002\n    school_id: ZS-002\n    reason: r\n"
                       "    approved_by: a\n    expires: 2099-01-31\n", encoding="utf-8")
    baseline = tmp_path / "before.json"
    baseline.write_text(invoke("check", ZS, "--format", "json"), encoding="utf-8")
    run = json.loads(invoke("check", ZS, "--format", "json", "--config", str(settings),
                            "--waivers", str(waivers), "--baseline", str(baseline)))["run"]
    for key, path in (("settings", settings), ("waivers", waivers), ("baseline", baseline)):
        assert run[key]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert run[key]["size"] == path.stat().st_size


def test_a_report_without_evidence_takes_the_same_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    """Made through the Python API with no evidence attached, the HTML report's time is
    still the run's one clock (SOURCE_DATE_EPOCH here), so it is byte-stable too."""
    import io

    from compliance.host.engine import Engine, RunOptions
    from compliance.outputs.html import HtmlReporter
    from compliance.outputs.reporter import RenderOptions

    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")
    pages = []
    for _ in range(2):
        report = Engine(RunOptions(jobs=1, entry_points=False)).check([ZS])
        assert report.evidence is None or not report.evidence
        assert report.generated_at == "2023-11-14T22:13:20Z"
        out = io.StringIO()
        HtmlReporter().render(report, out, RenderOptions(lang="en"))
        pages.append(out.getvalue())
    assert pages[0] == pages[1] and "2023-11-14 22:13 UTC" in pages[0]
