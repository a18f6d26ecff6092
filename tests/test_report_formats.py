"""SARIF, JUnit, CSV and XLSX reports: structure, escaping, waivers."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from xml.etree import ElementTree as ET

import pytest

from compliance.host.engine import Engine, RunOptions
from compliance.host.waivers import apply_waivers
from compliance.outputs.reporter import RenderOptions
from tests.conftest import FIXTURES, SAMPLES

EVIL = str(FIXTURES / "reports" / "evil")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(RunOptions(entry_points=False))


@pytest.fixture(scope="module")
def report(engine):
    base = engine.check([str(SAMPLES / "zhongshan"), EVIL])
    return apply_waivers(base, FIXTURES / "reports" / "waivers.yaml", engine, on=dt.date(2025, 12, 1))


def render(engine, report, name: str, lang: str = "en") -> str:
    out = io.StringIO()
    engine.registry.reporters[name].render(report, out, RenderOptions(lang=lang))
    return out.getvalue()


def test_sarif_is_valid_against_the_sarif_2_1_0_subset_schema(engine, report) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads((FIXTURES / "reports" / "sarif-2.1.0-subset.schema.json").read_text("utf-8"))
    data = json.loads(render(engine, report, "sarif"))
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(data)
    run = data["runs"][0]
    assert data["version"] == "2.1.0"
    assert len(run["results"]) == len(report.findings)
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert rule_ids[result["ruleIndex"]] == result["ruleId"]


def test_sarif_marks_waived_findings_as_accepted_suppressions(engine, report) -> None:
    data = json.loads(render(engine, report, "sarif"))
    suppressed = [r for r in data["runs"][0]["results"] if r.get("suppressions")]
    assert [r["ruleId"] for r in suppressed] == ["HRS002"]
    assert suppressed[0]["suppressions"][0]["status"] == "accepted"
    assert "毕业班" in suppressed[0]["suppressions"][0]["justification"]
    assert {w["code"] for w in data["runs"][0]["properties"]["waivers"]} == {"HRS002", "HOL003", "HOL001"}


def test_sarif_levels_and_percent_encoded_uris(engine, report) -> None:
    data = json.loads(render(engine, report, "sarif"))
    levels = {r["level"] for r in data["runs"][0]["results"]}
    assert levels <= {"error", "warning", "note"}
    uris = [r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            for r in data["runs"][0]["results"]]
    assert all(uri.isascii() and " " not in uri for uri in uris)


def test_junit_has_one_suite_per_school_one_case_per_rule_a_failure_per_finding(engine, report) -> None:
    root = ET.fromstring(render(engine, report, "junit"))
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert "ZS-002 中山区实验学校" in suites
    assert "EV-001 <script>alert(1)</script>" in suites
    zs2 = suites["ZS-002 中山区实验学校"]
    names = [c.get("name").split()[0] for c in zs2.findall("testcase")]
    assert names == sorted({*report.checked, *(f.code for f in report.findings)})
    assert "HRS001" in names and "WVR001" in names
    active = [f for f in report.active if f.school_id == "ZS-002"]
    failures = zs2.findall("testcase/failure")
    assert len(failures) == len(active) == int(zs2.get("failures"))
    hrs002 = next(c for c in zs2.findall("testcase") if c.get("name").startswith("HRS002"))
    assert hrs002.find("failure") is None and "毕业班" in hrs002.find("system-out").text
    assert int(root.get("failures")) == sum(1 for f in report.active if f.school_id)
    assert zs2.find("properties/property") is not None


def test_csv_has_a_bom_and_neutralises_formula_cells(engine, report) -> None:
    text = render(engine, report, "csv", "zh")
    assert text.startswith("\ufeff学校代码,")
    rows = list(csv.reader(io.StringIO(text[1:])))
    assert all(len(r) == len(rows[0]) for r in rows)
    cells = [c for r in rows for c in r]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)
    evil = [r for r in rows if r[0] == "EV-001"]
    assert evil and evil[0][1] == "<script>alert(1)</script>"


def test_csv_neutralise_prefixes_dangerous_cells_only() -> None:
    from compliance.outputs.csv import neutralise

    assert neutralise("=SUM(A1)") == "'=SUM(A1)"
    assert neutralise("+86 10") == "'+86 10"
    assert neutralise("-1") == "'-1"
    assert neutralise("@x") == "'@x"
    assert neutralise("早读 =1") == "早读 =1"
    assert neutralise(12) == 12


def test_xlsx_has_findings_and_summary_sheets_frozen_header_and_fitting_widths(engine, report) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    buffer = io.BytesIO()
    engine.registry.reporters["xlsx"].render(report, buffer, RenderOptions(lang="zh"))
    buffer.seek(0)
    wb = openpyxl.load_workbook(buffer)
    assert wb.sheetnames[:2] == ["问题清单", "汇总"] and "生效的豁免" in wb.sheetnames
    findings = wb["问题清单"]
    assert findings.freeze_panes == "A2"
    assert findings.max_row == len(report.findings) + 1
    assert wb["汇总"].freeze_panes == "A2"
    message_col = [c.value for c in findings[1]].index("问题") + 1
    letter = openpyxl.utils.get_column_letter(message_col)
    width = findings.column_dimensions[letter].width
    longest = max(len(str(c.value)) for c in findings[letter][1:])
    assert 2 * longest >= width - 2 >= min(longest, 78)
    for row in findings.iter_rows(min_row=2):
        for cell in row:
            assert cell.data_type != "f"


def test_xlsx_stores_formula_like_text_as_text(engine, tmp_path) -> None:
    from compliance.inputs.model import Location
    from compliance.outputs.report import Report
    from compliance.outputs.xlsx import XlsxReporter
    from compliance.rules.finding import Finding

    openpyxl = pytest.importorskip("openpyxl")
    finding = Finding("HRS001", "error", "p", "X", "=HYPERLINK(\"http://x\")", Location("a.csv", 2))
    rep = Report({"name": "c", "version": "0"}, "default", "en", [finding], {"X": "=1+1"}, 1)
    path = tmp_path / "r.xlsx"
    with path.open("wb") as fh:
        XlsxReporter().render(rep, fh, RenderOptions())
    ws = openpyxl.load_workbook(path).worksheets[0]
    values = [c.value for c in ws[2]]
    assert "=HYPERLINK(\"http://x\")" in values and "=1+1" in values
    assert all(c.data_type != "f" for c in ws[2])
