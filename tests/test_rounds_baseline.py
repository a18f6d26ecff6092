"""--baseline and --new-only: new / unchanged (未整改) / fixed (已整改) against an
earlier JSON report, matched by fingerprint and by count."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from compliance.cli import app

from .conftest import FIXTURES, SAMPLES, school_folder
from .rounds_support import copy_district, read_csv, write_csv

runner = CliRunner()

#: rules whose finding is about one row alone (removing the row fixes it and nothing else)
ROW_RULES = ("HOL001", "HOL002", "HOL003", "WBK001", "WBK002", "WBK003", "ENR001", "ENR002",
             "ENR003", "ENR005")


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def report_of(*args: str) -> tuple[int, dict]:
    code, out = invoke("check", *args, "--format", "json")
    return code, json.loads(out)


@pytest.fixture(scope="module")
def first_round(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("round1") / "r1.json"
    code, out = invoke("check", str(SAMPLES / "zhongshan"), "--format", "json", "-o",
                       str(target))
    assert code == 1, out
    return target


def _row_findings(report_file: Path) -> list[tuple[str, int, str]]:
    """(file, line, fingerprint) of findings that are alone on a CSV row of ROW_RULES."""
    findings = json.loads(report_file.read_text("utf-8"))["findings"]
    per_row: dict[tuple[str, int], list[dict]] = {}
    for f in findings:
        loc = f["location"]
        if loc["file"].endswith(".csv") and loc["line"]:
            per_row.setdefault((loc["file"], loc["line"]), []).append(f)
    return sorted((file, line, fs[0]["fingerprint"]) for (file, line), fs in per_row.items()
                  if len(fs) == 1 and fs[0]["code"] in ROW_RULES)


def test_the_same_input_is_all_unchanged(first_round: Path) -> None:
    code, report = report_of(str(SAMPLES / "zhongshan"), "--baseline", str(first_round))
    assert code == 1
    assert {f["baseline"] for f in report["findings"]} == {"unchanged"}
    assert report["fixed"] == []
    code, out = invoke("check", str(SAMPLES / "zhongshan"), "--baseline", str(first_round),
                       "--format", "text", "--lang", "zh")
    assert "新增 0 · 未整改 26 · 已整改 0" in out  # every finding of the samples is ZS-002's


@settings(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_removing_one_violating_row_moves_exactly_its_finding_to_fixed(
        first_round: Path, tmp_path_factory: pytest.TempPathFactory, data: st.DataObject) -> None:
    candidates = _row_findings(first_round)
    assert len(candidates) >= 5  # HOL001-003 and WBK001-003 rows of ZS-002
    file, line, fingerprint = data.draw(st.sampled_from(candidates))
    folder = copy_district(tmp_path_factory.mktemp("round2") / "zhongshan")
    path = folder / Path(file).relative_to(SAMPLES / "zhongshan")
    rows = read_csv(path)
    del rows[line - 1]
    write_csv(path, rows)
    code, report = report_of(str(folder), "--baseline", str(first_round))
    assert code == 1
    assert [f["fingerprint"] for f in report["fixed"]] == [fingerprint]
    assert report["fixed"][0]["location"] == {**report["fixed"][0]["location"], "line": line}
    assert {f["baseline"] for f in report["findings"]} == {"unchanged"}


def test_findings_sharing_a_fingerprint_are_matched_by_count(tmp_path: Path) -> None:
    row = "2025-10-18,8:00,9:00,exam\n"
    twice = school_folder(tmp_path / "a", {"schedule.csv": "date,start,end,activity\n" + row * 2})
    once = school_folder(tmp_path / "b", {"schedule.csv": "date,start,end,activity\n" + row})
    _, before = report_of(str(twice))
    assert len(before["findings"]) == 2
    assert before["findings"][0]["fingerprint"] == before["findings"][1]["fingerprint"]
    baseline = tmp_path / "before.json"
    baseline.write_text(json.dumps(before), encoding="utf-8")
    _, after = report_of(str(once), "--baseline", str(baseline))
    assert [f["baseline"] for f in after["findings"]] == ["unchanged"]
    assert len(after["fixed"]) == 1
    _, again = report_of(str(twice), "--baseline", str(baseline))
    assert [f["baseline"] for f in again["findings"]] == ["unchanged", "unchanged"]


def test_new_only_reports_and_fails_on_new_findings_alone(tmp_path: Path) -> None:
    head = "date,start,end,activity\n"
    old = school_folder(tmp_path / "a", {"schedule.csv": head + "2025-10-18,8:00,9:00,exam\n"})
    baseline = tmp_path / "before.json"
    invoke("check", str(old), "--format", "json", "-o", str(baseline))
    code, report = report_of(str(old), "--baseline", str(baseline), "--new-only")
    assert code == 0 and report["findings"] == [] and report["summary"]["findings"] == 0
    (old / "schedule.csv").write_text(head + "2025-10-18,8:00,9:00,exam\n"
                                      "2025-10-25,8:00,9:00,exam\n", encoding="utf-8")
    code, report = report_of(str(old), "--baseline", str(baseline), "--new-only")
    assert code == 1
    assert [(f["subject"]["date"], f["baseline"]) for f in report["findings"]] == [
        ("2025-10-25", "new")]
    code, out = invoke("check", str(old), "--baseline", str(baseline), "--new-only",
                       "--format", "text")
    assert code == 1 and "new 1 · not rectified 1 · fixed 0" in out  # counts stay whole


def test_new_only_needs_something_to_compare_with(tmp_path: Path) -> None:
    code, out = invoke("check", str(SAMPLES / "zhongshan"), "--new-only")
    assert code == 2 and "--new-only needs --baseline" in out


@pytest.mark.parametrize(("content", "says"), [
    ("not json at all", "not a compliance JSON report"),
    ("[1, 2]", "not a compliance JSON report"),
    ('{"schema_version": 1, "findings": []}', "not a compliance JSON report"),
    ('{"schema_version": 99, "tool": {"name": "compliance"}, "findings": []}',
     "unknown schema_version 99"),
    ('{"schema_version": 1, "tool": {"name": "compliance"}, "findings": [{"code": "X"}]}',
     "no fingerprint"),
])
def test_a_file_that_is_no_usable_report_is_a_usage_error(tmp_path: Path, content: str,
                                                         says: str) -> None:
    bad = tmp_path / "prev.json"
    bad.write_text(content, encoding="utf-8")
    code, out = invoke("check", str(SAMPLES / "zhongshan"), "--baseline", str(bad))
    assert code == 2
    assert says in out and str(bad) in out and "Traceback" not in out
    code, out = invoke("check", str(SAMPLES / "zhongshan"), "--baseline", str(tmp_path / "no"))
    assert code == 2 and "no such file" in out


def test_only_schools_and_rules_checked_again_can_be_fixed(first_round: Path) -> None:
    _, report = report_of(str(SAMPLES / "zhongshan" / "zs-004"), "--baseline", str(first_round))
    assert report["fixed"] == []  # ZS-002's findings were not looked at, so not fixed
    _, report = report_of(str(SAMPLES / "zhongshan"), "--select", "HOL", "--baseline",
                          str(first_round))
    assert report["fixed"] == []


def test_sarif_and_html_show_the_baseline(first_round: Path, tmp_path: Path) -> None:
    folder = copy_district(tmp_path / "zhongshan")
    orders = folder / "zs-002" / "教辅征订.csv"
    rows = read_csv(orders)
    write_csv(orders, [r for r in rows if "口算天天练 二年级上" not in r])  # WBK001 fixed
    sarif_file, html_file = tmp_path / "r.sarif", tmp_path / "r.html"
    invoke("check", str(folder), "--baseline", str(first_round), "--format", "sarif",
           "-o", str(sarif_file), "--report", f"html:{html_file}", "--lang", "zh")
    log = json.loads(sarif_file.read_text("utf-8"))
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((FIXTURES / "reports" / "sarif-2.1.0-subset.schema.json")
                        .read_text("utf-8"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(log)
    run = log["runs"][0]
    states = [r["baselineState"] for r in run["results"]]
    assert states.count("absent") == 1 and set(states) == {"unchanged", "absent"}
    absent = next(r for r in run["results"] if r["baselineState"] == "absent")
    assert absent["ruleId"] == "WBK001"
    assert run["tool"]["driver"]["rules"][absent["ruleIndex"]]["id"] == "WBK001"
    assert all(r["partialFingerprints"]["compliance/v1"] for r in run["results"])
    page = html_file.read_text("utf-8")
    assert 'id="fb-new"' in page and 'id="fb-fixed"' in page and 'data-baseline="fixed"' in page
    assert "#fb-fixed:checked~table tr.row:not(.b-fixed)" in page
    assert "<td class=\"n-fixed\">1</td>" in page and "已整改" in page
    assert '<b id="shown">26</b> / 26' in page  # 25 findings and the fixed one
