"""Several outputs from one run: --report FORMAT:FILE."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine
from tests.conftest import SAMPLES

ZS = str(SAMPLES / "zhongshan")


def test_one_run_writes_text_to_stdout_and_json_html_sarif_files(tmp_path, monkeypatch) -> None:
    calls = []
    original = Engine.check

    def counting(self, *args, **kwargs):
        calls.append(args)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Engine, "check", counting)
    out = {fmt: tmp_path / f"r.{fmt}" for fmt in ("json", "html", "sarif", "junit", "csv", "xlsx")}
    args = ["check", ZS, "--no-entry-points", "--format", "text"]
    for fmt, path in out.items():
        args += ["--report", f"{fmt}:{path}"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 1, result.output
    assert len(calls) == 1
    assert "HRS001" in result.stdout
    summary = json.loads(out["json"].read_text("utf-8"))["summary"]
    assert summary["findings"] == sum(summary["by_code"].values()) > 0
    assert summary["by_code"]["HRS001"] == 1
    assert out["html"].read_text("utf-8").startswith("<!DOCTYPE html>")
    assert json.loads(out["sarif"].read_text("utf-8"))["version"] == "2.1.0"
    assert out["xlsx"].read_bytes()[:2] == b"PK"
    assert out["csv"].read_bytes()[:3] == b"\xef\xbb\xbf"


def test_report_option_with_unknown_format_is_a_usage_error_before_the_run(tmp_path) -> None:
    result = CliRunner().invoke(app, ["check", ZS, "--no-entry-points", "--report", "pdf:x.pdf"])
    assert result.exit_code == 2
    assert "unknown format 'pdf'" in result.stderr
    result = CliRunner().invoke(app, ["check", ZS, "--no-entry-points", "--report", "html"])
    assert result.exit_code == 2 and "FORMAT:FILE" in result.stderr


def test_no_progress_bar_when_stderr_is_not_a_terminal() -> None:
    result = CliRunner().invoke(app, ["check", ZS, "--no-entry-points", "--format", "json"])
    assert result.stderr == ""


def test_progress_bar_on_stderr_when_it_is_a_terminal(monkeypatch) -> None:
    import io
    import sys

    from compliance.cli import _check_with_progress
    from compliance.host.engine import RunOptions

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    fake = Tty()
    monkeypatch.setattr(sys, "stderr", fake)
    monkeypatch.delenv("COMPLIANCE_NO_PROGRESS", raising=False)
    report = _check_with_progress(Engine(RunOptions(entry_points=False)), [ZS])
    assert len(report.schools) == 4
    # four schools are checked before a bar could say anything: none is shown
    assert fake.getvalue() == ""
    import compliance.cli

    monkeypatch.setattr(compliance.cli, "PROGRESS_MIN_SCHOOLS", 3)
    _check_with_progress(Engine(RunOptions(entry_points=False)), [ZS])
    assert "Checking schools" in fake.getvalue() and "4/4" in fake.getvalue()
