"""The two ways of checking — school by school (``Engine.check``, any ``--jobs``) and all
in memory (``Engine.check_loaded``) — build their report in one place
(host/outcome.py), so they give the same report, byte for byte."""

from __future__ import annotations

import dataclasses
import io
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from compliance.host import parallel
from compliance.host.engine import Engine, RunOptions
from compliance.host.manager import make_plugin_manager
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from compliance.rounds.apply import RoundOptions, apply_rounds
from tests.conftest import FIXTURES, SAMPLES, school_folder

HERE = FIXTURES / "host"
HEAD = "date,days,start,end,activity,compulsory\n"
#: a district declaring 2027 (its HOL001 cites the declared 春节)
DISTRICT_2027 = """\
official:
  2027:
    source: 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕9号)
    holidays:
      - {name: 春节, from: 2027-02-05, to: 2027-02-12}
    workdays: [2027-02-14]
"""
#: a --calendar file whose one year is malformed: an input finding of the run, at its line
BAD_2028 = """\
official:
  2028:
    source: 国务院办公厅关于2028年部分节假日安排的通知
    holidays:
      - {name: 元旦, from: 2027-12-31, to: 2028-01-01}
"""


def _probe() -> ModuleType:
    sys.path.insert(0, str(HERE))
    try:
        import host_probe_plugin
    finally:
        sys.path.remove(str(HERE))
    return host_probe_plugin


@pytest.fixture
def inputs(tmp_path: Path) -> tuple[list[str], str]:
    """Paths with file notes (the exports' titles and passed-over rows), a packaged (2025)
    and a declared (2027) calendar year, and a bad --calendar file."""
    district = tmp_path / "d2027"
    district.mkdir()
    (district / "calendar.yaml").write_text(DISTRICT_2027, encoding="utf-8")
    school_folder(district, {"schedule.csv": HEAD + "2027-02-08,,8:20,11:40,lesson,\n"},
                  {"id": "DC-001", "terms": [{"name": "2027春", "start": "2027-01-04",
                                              "end": "2027-07-02"}]})
    calendar = tmp_path / "official-2028.yaml"
    calendar.write_text(BAD_2028, encoding="utf-8")
    paths = [str(SAMPLES / "zhongshan"), str(SAMPLES / "exports"), str(district)]
    return paths, str(calendar)


def _engine(calendar: str, jobs: int, show_pii: bool) -> Engine:
    plugins = make_plugin_manager(entry_points=False, extra=[_probe()])
    return Engine(RunOptions(jobs=jobs, entry_points=False, show_pii=show_pii,
                             calendars=[calendar]), plugins)


def _json(engine: Engine, report: Report, paths: list[str]) -> str:
    apply_rounds(report, engine, paths, RoundOptions(evidence=True))  # the run's evidence
    out = io.StringIO()
    engine.registry.reporters["json"].render(report, out, RenderOptions(lang="en"))
    return out.getvalue()


def _html(engine: Engine, report: Report) -> str:
    report.generated_at = "2025-12-01 00:00 UTC"  # the clock's minute may turn between runs
    out = io.StringIO()
    engine.registry.reporters["html"].render(report, out, RenderOptions(lang="en"))
    return out.getvalue()


@pytest.mark.parametrize("show_pii", [False, True])
@pytest.mark.parametrize("jobs", [1, 2])
def test_both_ways_of_checking_give_byte_identical_reports(
        inputs: tuple[list[str], str], jobs: int, show_pii: bool,
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parallel, "MIN_SCHOOLS_FOR_POOL", 2)  # -j 2: worker processes
    paths, calendar = inputs
    streaming, in_memory = _engine(calendar, jobs, show_pii), _engine(calendar, jobs, show_pii)
    streamed, loaded = streaming.check(paths), in_memory.check_loaded(paths)
    # what no JSON shows (the HTML page's week views, the clause lines) is equal too
    for name in ("schools", "schedules", "timetables", "calendar_sources", "found_above",
                 "clauses", "titles", "checked", "inputs", "files", "rows_read", "rows_rejected"):
        assert getattr(streamed, name) == getattr(loaded, name), name
    assert _html(streaming, streamed) == _html(in_memory, loaded)
    text = _json(streaming, streamed, paths)
    assert text == _json(in_memory, loaded, paths)

    # and the report holds what it is meant to prove equal
    report = json.loads(text)
    by_code = report["summary"]["by_code"]
    assert by_code["ERR001"] == 1 and by_code["HST001"] >= 1  # the probe failed on ZS-002
    err = next(f for f in report["findings"] if f["code"] == "ERR001")
    assert err["school_id"] == "ZS-002" and "a probe that fails on ZS-002" in err["message"]
    assert "6 schools: CG-002,DC-001,ZS-001,ZS-002,ZS-003,ZS-004" in text  # run-wide HST002
    noted = {f["path"]: f for f in report["files"] if f.get("notes")}
    assert any(p.endswith("作息时间表.xlsx") and f["title"] for p, f in noted.items())
    assert any(p.endswith("课程表.xlsx") for p in noted)
    years = report["run"]["calendar"]
    assert years["2025"]["kind"] == "package" and years["2027"]["kind"] == "declared"
    assert any(f["code"] == "HOL001" and f["school_id"] == "DC-001" for f in report["findings"])
    assert any(f["code"] == "INP001" and f["location"]["file"].endswith("official-2028.yaml")
               for f in report["findings"])  # the --calendar file's problem, in both ways


def test_the_report_is_built_in_one_place() -> None:
    """Neither way of checking makes a Report of its own (host/outcome.py does)."""
    import inspect

    from compliance.host import engine, outcome

    for module in (engine, parallel):
        assert "Report(" not in inspect.getsource(module), module.__name__
    assert "Report(" in inspect.getsource(outcome)
    # every field a run fills in is filled in there
    filled = {f.name for f in dataclasses.fields(Report)} - {
        "waivers", "fixed", "evidence", "trend", "round_counts"}  # rounds and waivers: later
    source = inspect.getsource(outcome.build_report)
    assert all(f"{name}=" in source for name in filled), filled
