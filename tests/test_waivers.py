"""Waivers: scope, required fields, expiry against an injectable today, reporting."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine, RunOptions
from compliance.host.errors import ConfigError
from compliance.host.waivers import apply_waivers, load_waivers, today
from tests.conftest import FIXTURES, SAMPLES

WAIVERS = FIXTURES / "reports" / "waivers.yaml"
ZS = str(SAMPLES / "zhongshan")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(RunOptions(entry_points=False))


def waived_report(engine: Engine, on: dt.date = dt.date(2025, 12, 1)):
    return apply_waivers(engine.check([ZS]), WAIVERS, engine, on=on)


def test_matching_waiver_marks_the_finding_waived_and_it_stays_in_the_report(engine) -> None:
    report = waived_report(engine)
    hrs002 = [f for f in report.findings if f.code == "HRS002"]
    assert len(hrs002) == 1
    assert hrs002[0].waived is True
    assert hrs002[0].waiver["approved_by"] == "中山区教育局"
    assert hrs002[0] not in report.active
    assert "HRS002" not in report.summary()["by_code"]
    assert report.summary()["waived"] == 1


def test_match_narrows_to_findings_whose_subject_matches(engine, tmp_path) -> None:
    other = tmp_path / "w.yaml"
    other.write_text("waivers:\n  - code: HRS002\n    school_id: ZS-002\n    match: {days: Mon}\n"
                     "    reason: r\n    approved_by: a\n    expires: 2026-01-31\n", encoding="utf-8")
    report = apply_waivers(engine.check([ZS]), other, engine, on=dt.date(2025, 12, 1))
    assert not any(f.waived for f in report.findings)
    assert [f.code for f in report.findings if f.code.startswith("WVR")] == ["WVR002"]


def test_waiver_for_another_school_does_not_waive(engine, tmp_path) -> None:
    other = tmp_path / "w.yaml"
    other.write_text("waivers:\n  - code: HRS002\n    school_id: ZS-001\n"
                     "    reason: r\n    approved_by: a\n    expires: 2026-01-31\n", encoding="utf-8")
    report = apply_waivers(engine.check([ZS]), other, engine, on=dt.date(2025, 12, 1))
    assert not any(f.waived for f in report.findings)


def test_expired_waiver_stops_waiving_and_is_reported_as_wvr001(engine) -> None:
    report = waived_report(engine)
    hol003 = next(f for f in report.findings if f.code == "HOL003")
    assert not hol003.waived
    wvr001 = [f for f in report.findings if f.code == "WVR001"]
    assert len(wvr001) == 1
    assert wvr001[0].severity == "warning"
    assert wvr001[0].location.file.endswith("waivers.yaml") and wvr001[0].location.line == 9
    assert {w["code"]: w["status"] for w in report.waivers}["HOL003"] == "expired"


def test_waiver_that_matched_nothing_is_reported_as_wvr002(engine) -> None:
    report = waived_report(engine)
    wvr002 = [f for f in report.findings if f.code == "WVR002"]
    assert [f.subject["waived_code"] for f in wvr002] == ["HOL001"]
    assert wvr002[0].location.line == 14


def test_after_the_expiry_date_the_waiver_no_longer_waives(engine) -> None:
    report = waived_report(engine, on=dt.date(2026, 2, 1))
    assert not any(f.waived for f in report.findings)
    assert sum(f.code == "WVR001" for f in report.findings) == 2


def test_today_is_injectable_through_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("COMPLIANCE_TODAY", "2030-05-04")
    assert today() == dt.date(2030, 5, 4)
    monkeypatch.setenv("COMPLIANCE_TODAY", "soon")
    with pytest.raises(ConfigError, match="COMPLIANCE_TODAY"):
        today()


@pytest.mark.parametrize("name, missing, line", [
    ("waivers-no-reason.yaml", "reason", 2),
    ("waivers-no-expiry.yaml", "expires", 2),
])
def test_waiver_without_reason_or_expiry_is_rejected_naming_file_and_line(name, missing, line) -> None:
    with pytest.raises(ConfigError) as info:
        load_waivers(FIXTURES / "reports" / name)
    message = str(info.value)
    assert f"{name}:{line}:" in message and repr(missing) in message
    assert "\n" not in message


def test_waiver_with_a_bad_date_or_unknown_key_is_rejected(tmp_path) -> None:
    bad = tmp_path / "w.yaml"
    bad.write_text("waivers:\n  - code: X\n    reason: r\n    approved_by: a\n    expires: 31.1.2026\n",
                   encoding="utf-8")
    with pytest.raises(ConfigError, match=r"w.yaml:5: .*YYYY-MM-DD"):
        load_waivers(bad)
    bad.write_text("waivers:\n  - code: X\n    reason: r\n    approved_by: a\n    expires: 2026-01-01\n"
                   "    scope: all\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"w.yaml:6: .*unknown key 'scope'"):
        load_waivers(bad)


def test_cli_waived_error_does_not_fail_the_run_and_json_lists_waivers(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("COMPLIANCE_TODAY", "2025-12-01")
    runner = CliRunner()
    args = ["check", ZS, "--select", "HRS002", "--no-entry-points", "--format", "json"]
    plain = runner.invoke(app, args)
    assert plain.exit_code == 1
    waiver = tmp_path / "w.yaml"
    waiver.write_text("waivers:\n  - code: HRS002\n    school_id: ZS-002\n    reason: 毕业班\n"
                      "    approved_by: 区教育局\n    expires: 2026-01-31\n", encoding="utf-8")
    result = runner.invoke(app, [*args, "--waivers", str(waiver)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [f["waived"] for f in data["findings"] if f["code"] == "HRS002"] == [True]
    assert data["waivers"][0]["reason"] == "毕业班" and data["waivers"][0]["status"] == "active"
    assert data["summary"]["waived"] == 1


def test_cli_rejected_waiver_file_is_one_line_exit_2() -> None:
    result = CliRunner().invoke(app, ["check", ZS, "--no-entry-points", "--format", "text", "--waivers",
                                      str(FIXTURES / "reports" / "waivers-no-reason.yaml")])
    assert result.exit_code == 2
    assert "waivers-no-reason.yaml:2:" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_waiver_for_a_school_not_checked_is_not_judged_stale(engine, tmp_path) -> None:
    """A district's waiver file used on one school's folder: the other schools' waivers
    raise no WVR002 (they could not have matched), an expired one is still reported
    but under no school of the run."""
    other = tmp_path / "w.yaml"
    other.write_text(
        "waivers:\n"
        "  - code: HRS002\n    school_id: ZS-001\n    reason: r\n    approved_by: a\n"
        "    expires: 2026-01-31\n"
        "  - code: HOL003\n    school_id: ZS-003\n    reason: r\n    approved_by: a\n"
        "    expires: 2025-01-31\n"
        "  - code: WBK001\n    school_id: ZS-002\n    reason: r\n    approved_by: a\n"
        "    expires: 2026-01-31\n", encoding="utf-8")
    report = apply_waivers(engine.check([str(SAMPLES / "zhongshan" / "zs-002")]), other, engine,
                           on=dt.date(2025, 12, 1))
    assert set(report.schools) == {"ZS-002"}
    wvr = {(f.code, f.school_id) for f in report.findings if f.code.startswith("WVR")}
    assert wvr == {("WVR001", None)}  # ZS-003's expired waiver; ZS-002's WBK001 waiver waived
    assert any(f.waived and f.code == "WBK001" for f in report.findings)
    expired = next(f for f in report.findings if f.code == "WVR001")
    assert "ZS-003" in expired.message
    assert {w["school_id"]: w["school_checked"] for w in report.waivers} == {
        "ZS-001": False, "ZS-003": False, "ZS-002": True}


def test_a_round_of_one_school_does_not_take_in_the_waivers_other_schools(tmp_path) -> None:
    """The history's schools of a round are the schools it checked: a WVR finding about
    another school's waiver must not make that school's next round look all new (and
    this one all fixed)."""
    db = tmp_path / "h.db"
    waivers = tmp_path / "w.yaml"
    waivers.write_text(
        "waivers:\n  - code: HRS002\n    school_id: ZS-001\n    reason: r\n    approved_by: a\n"
        "    expires: 2099-01-31\n  - code: HOL003\n    school_id: ZS-003\n    reason: r\n"
        "    approved_by: a\n    expires: 2025-01-31\n", encoding="utf-8")
    run = CliRunner()
    for target, extra in ((ZS, []), (str(SAMPLES / "zhongshan" / "zs-002"), ["--waivers", str(waivers)]),
                          (ZS, [])):
        result = run.invoke(app, ["check", target, "--history", str(db), "-f", "json",
                                  "-o", str(tmp_path / "r.json"), *extra])
        assert result.exit_code in (0, 1), result.output
    rounds = json.loads(run.invoke(app, ["history", str(db), "--format", "json"]).output)
    assert rounds[1]["schools"] == ["ZS-002"]
    detail = json.loads(run.invoke(app, ["history", str(db), "--round", "2", "--format",
                                         "json"]).output)
    # only what checking ZS-002 alone cannot see: the pupil ZS-004 admitted too
    assert [i["code"] for i in detail["lists"]["fixed"]["items"]] == ["ENR004"]
    assert rounds[2]["new"] == 1  # that ENR004 again; every other school as in round 1
