"""A city's findings spilled to disk (outputs/spilled.py): the same reports byte for
byte, and no temporary file left behind, however the run ends."""

from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from compliance.host import parallel
from compliance.host.engine import Engine, RunOptions
from compliance.host.waivers import apply_waivers
from compliance.outputs.spilled import FindingRuns, SpilledFindings, added, rewrite

ROOT = Path(__file__).resolve().parents[1]
#: findings held before a run is written out: a small district spills several runs
LIMIT = "40"
FORMATS = ["sarif", "csv", "junit", "html", "text", "rich", "xlsx"]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("spill") / "city"
    subprocess.run([sys.executable, str(ROOT / "bench" / "gen.py"), "city", str(out),
                    "--schools", "12", "--enrollment", "60"], check=True, capture_output=True)
    return out


@pytest.fixture(scope="module")
def extras(district: Path) -> dict[str, Path]:
    """A waiver file and a baseline that has findings now gone and lacks some now found."""
    folder = district.parent
    baseline = folder / "baseline.json"
    subprocess.run(_cli(district, "-f", "json", "-o", str(baseline)), env=_env("0", folder),
                   capture_output=True)
    data = json.loads(baseline.read_text("utf-8"))
    findings = data["findings"]
    assert len(findings) > 4 * int(LIMIT)
    gone = dict(findings[3], fingerprint="0" * 16, message="fixed since")
    data["findings"] = [f for i, f in enumerate(findings) if i % 7] + [gone]
    baseline.write_text(json.dumps(data, ensure_ascii=False), "utf-8")
    first = findings[0]
    waivers = folder / "waivers.yaml"
    waivers.write_text(
        "waivers:\n"
        f"  - code: {first['code']}\n    school_id: {first['school_id']}\n"
        "    reason: approved\n    approved_by: district\n    expires: 2030-01-31\n"
        "  - code: WBK004\n    reason: every school\n    approved_by: district\n"
        "    expires: 2030-01-31\n"
        "  - code: HOL001\n    school_id: CS-0001\n    reason: expired\n"
        "    approved_by: district\n    expires: 2020-01-31\n"
        "  - code: HRS001\n    school_id: CS-0002\n    reason: never used\n"
        "    approved_by: district\n    expires: 2030-01-31\n", "utf-8")
    return {"baseline": baseline, "waivers": waivers}


def _env(limit: str, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLIANCE_")}
    return {**env, "COMPLIANCE_SPILL_FINDINGS": limit, "TMPDIR": str(tmp),
            "SOURCE_DATE_EPOCH": "1764547200", "COMPLIANCE_TODAY": "2025-12-01",
            "COMPLIANCE_NO_PROGRESS": "1"}


def _cli(district: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "compliance", "check", str(district), "--no-entry-points",
            *args]


def _outputs(district: Path, extras: dict[str, Path], limit: str, jobs: str, variant: str,
             tmp: Path) -> dict[str, bytes]:
    """Every format's report of one run, by format; nothing may be left in ``TMPDIR``."""
    out, temp = tmp / f"out-{limit}-{jobs}", tmp / f"tmp-{limit}-{jobs}"
    out.mkdir()
    temp.mkdir()
    args = ["-j", jobs, "-f", "json", "-o", "report.json",
            *(a for fmt in FORMATS for a in ("--report", f"{fmt}:report.{fmt}"))]
    if variant == "rounds":
        args += ["--waivers", str(extras["waivers"]), "--baseline", str(extras["baseline"]),
                 "--history", "history.db"]
    elif variant == "new-only":
        args += ["--baseline", str(extras["baseline"]), "--new-only"]
    done = subprocess.run(_cli(district, *args), cwd=out, env=_env(limit, temp),
                          capture_output=True, text=True)
    assert done.returncode in (0, 1), done.stderr
    assert list(temp.iterdir()) == []
    got = {}
    for fmt in ["json", *FORMATS]:
        path = out / f"report.{fmt}"
        if fmt == "xlsx":  # the workbook's own creation time aside, every part the same
            with zipfile.ZipFile(path) as book:
                got[fmt] = b"".join(book.read(n) for n in sorted(book.namelist())
                                    if n != "docProps/core.xml")
        else:
            got[fmt] = path.read_bytes()
    return got


@pytest.mark.parametrize("variant", ["plain", "rounds", "new-only"])
def test_spilled_findings_give_byte_identical_reports(district: Path, extras: dict[str, Path],
                                                      variant: str, tmp_path: Path) -> None:
    held = _outputs(district, extras, "0", "1", variant, tmp_path)
    for jobs in ("1", "2"):
        spilled = _outputs(district, extras, LIMIT, jobs, variant, tmp_path)
        for fmt in held:
            assert spilled[fmt] == held[fmt], (fmt, jobs)
    report = json.loads(held["json"])
    if variant != "new-only":  # several runs spilled (new-only: before it dropped some)
        assert len(report["findings"]) > 4 * int(LIMIT)
    if variant == "rounds":
        assert report["summary"].get("waived")
        assert {f["baseline"] for f in report["findings"]} == {"new", "unchanged"}
        assert report["fixed"]
        assert {w["status"] for w in report["waivers"]} == {"active", "expired"}
    if variant == "new-only":
        assert {f["baseline"] for f in report["findings"]} == {"new"}


@pytest.fixture
def spill_here(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Spill past a few findings, into a temporary folder of the test's own."""
    import tempfile

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setenv("COMPLIANCE_SPILL_FINDINGS", LIMIT)
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setattr(parallel, "MIN_SCHOOLS_FOR_POOL", 100)  # in this process
    return temp


def test_the_files_are_removed_when_the_report_is_closed_or_dropped(
        district: Path, spill_here: Path) -> None:
    engine = Engine(RunOptions(jobs=1, entry_points=False))
    report = engine.check([str(district)])
    assert isinstance(report.findings, SpilledFindings)
    assert len(report.findings) > int(LIMIT)
    assert [p.name[:20] for p in spill_here.iterdir()] == ["compliance-findings-"]
    report.close()
    assert list(spill_here.iterdir()) == []

    report = engine.check([str(district)])
    assert list(spill_here.iterdir())
    del report
    gc.collect()
    assert list(spill_here.iterdir()) == []


def test_the_files_are_removed_when_the_run_fails_after_the_check(
        district: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", "utf-8")
    temp = tmp_path / "temp"
    temp.mkdir()
    done = subprocess.run(_cli(district, "-j", "1", "-f", "json", "--baseline", str(bad)),
                          env=_env(LIMIT, temp), capture_output=True, text=True)
    assert done.returncode == 2 and "bad.json" in done.stderr and "Traceback" not in done.stderr
    assert list(temp.iterdir()) == []
    # a report that cannot be written: the others are, and nothing is left either
    done = subprocess.run(_cli(district, "-j", "2", "-f", "json", "-o",
                               str(tmp_path / "no" / "such" / "folder" / "r.json"),
                               "--report", f"csv:{tmp_path / 'r.csv'}"),
                          env=_env(LIMIT, temp), capture_output=True, text=True)
    assert done.returncode == 2 and (tmp_path / "r.csv").stat().st_size > 0
    assert list(temp.iterdir()) == []


def test_a_spilled_report_is_the_same_as_a_held_one_in_process(
        district: Path, spill_here: Path, extras: dict[str, Path],
        monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    engine = Engine(RunOptions(jobs=1, entry_points=False))
    spilled = engine.check([str(district)])
    monkeypatch.setenv("COMPLIANCE_SPILL_FINDINGS", "0")
    held = engine.check([str(district)])
    assert isinstance(held.findings, list) and isinstance(spilled.findings, SpilledFindings)
    for report in (held, spilled):
        apply_waivers(report, extras["waivers"], engine, on=dt.date(2025, 12, 1))
    assert [f.to_dict() for f in spilled.findings] == [f.to_dict() for f in held.findings]
    assert spilled.summary() == held.summary()
    assert spilled.exit_status("error") == held.exit_status("error")
    assert spilled.findings[3].to_dict() == held.findings[3].to_dict()
    assert spilled.findings[-1].to_dict() == held.findings[-1].to_dict()
    spilled.close()


@pytest.mark.parametrize("max_runs", [100, 3])
def test_runs_merge_as_a_stable_sort_of_everything_added(spill_here: Path, max_runs: int,
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.inputs.model import Location
    from compliance.outputs import spilled
    from compliance.rules.finding import Finding

    monkeypatch.setattr(spilled, "MAX_RUNS", max_runs)  # 3: runs merged as they pile up

    def finding(school: str | None, line: int, note: str) -> Finding:
        # equal sort keys but for the subject: their order tells whether the sort was stable
        return Finding("X001", "error", "x", school, "m", Location("a.csv", line), {"n": note})

    first = [finding("B", 1, "first")]
    parts = [[finding(s, i % 3, f"{s}{i}") for i in range(7) for s in ("C", "A", None, "B")]
             for _ in range(5)]
    last = [finding("A", 0, "last"), finding(None, 1, "last")]
    runs = FindingRuns(limit=9, keep=lambda f: f.subject["n"] != "A3")
    for part in parts:
        for one in part:  # as schools come back: a run written every 9 findings
            runs.extend([one])
    assert len(runs._runs) == (15 if max_runs == 100 else 1) and len(runs.held) == 5
    runs.flush()
    assert len(runs._runs) == (16 if max_runs == 100 else 2) and runs.held == []
    got = runs.finish(first, last, runs.keep or (lambda f: True))
    assert isinstance(got, SpilledFindings)
    everything = [f for f in [*first, *(f for p in parts for f in p), *last]
                  if f.subject["n"] != "A3"]
    expected = sorted(everything, key=Finding.sort_key)
    assert [f.to_dict() for f in got] == [f.to_dict() for f in expected]
    assert len(got) == len(expected)

    changed = rewrite(got, lambda f: None if f.location.line == 2 else f)
    more = [finding("B", 0, "extra"), finding("C", 1, "extra")]
    changed = added(changed, more)
    expected = sorted([f for f in expected if f.location.line != 2] + more, key=Finding.sort_key)
    assert [f.to_dict() for f in changed] == [f.to_dict() for f in expected]
    changed.close()  # type: ignore[union-attr]
    assert list(spill_here.iterdir()) == []


def test_the_web_pages_check_gives_the_same_outputs_spilled(
        district: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """`compliance serve` runs each check in worker.run: the same outputs either way,
    and its temporary files gone when it returns."""
    import tempfile

    from compliance.web import worker

    cwd = os.getcwd()
    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    got = {}
    for limit in ("0", LIMIT):
        monkeypatch.setenv("COMPLIANCE_SPILL_FINDINGS", limit)
        out = tmp_path / f"out-{limit}"
        out.mkdir()
        job = worker.Job(cwd=str(district.parent), path=district.name, out=str(out),
                         lang="en", formats=["json", "sarif", "csv", "html"], entry_points=False)
        try:
            assert worker.run(job) == 0
        finally:
            os.chdir(cwd)
        assert list(temp.iterdir()) == []
        got[limit] = {p.name: p.read_bytes() for p in sorted(out.iterdir())}
    assert got["0"] == got[LIMIT]
    assert json.loads(got["0"]["meta.json"])["findings"] > 4 * int(LIMIT)


def test_a_full_disk_while_spilling_is_one_line_and_leaves_nothing(
        district: Path, spill_here: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.host.errors import UsageError
    from compliance.outputs import spilled

    def full(*args: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(spilled, "_dump", full)
    engine = Engine(RunOptions(jobs=1, entry_points=False))
    with pytest.raises(UsageError, match=r"No space left.*TMPDIR") as caught:
        engine.check([str(district)])
    assert "\n" not in str(caught.value) and "cannot write the findings" in str(caught.value)
    del caught
    gc.collect()
    assert list(spill_here.iterdir()) == []
