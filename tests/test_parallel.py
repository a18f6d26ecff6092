"""--jobs: the same report for any number of worker processes, school by school."""

from __future__ import annotations

import io
import sys

import pytest

from compliance.host import parallel
from compliance.host.engine import Engine, RunOptions
from compliance.host.manager import make_plugin_manager
from compliance.host.parallel import TerminalProgress
from compliance.outputs.json import JsonReporter
from compliance.outputs.reporter import RenderOptions

from .conftest import FIXTURES, SAMPLES

PARALLEL = FIXTURES / "parallel"


@pytest.fixture(autouse=True)
def pool_for_few_schools(monkeypatch: pytest.MonkeyPatch) -> None:
    """The samples have only a few schools: use worker processes for them anyway."""
    monkeypatch.setattr(parallel, "MIN_SCHOOLS_FOR_POOL", 2)


def json_of(paths: list[str], jobs: int, plugins: bool = False) -> str:
    plugin_set = None
    if plugins:
        sys.path.insert(0, str(PARALLEL))
        try:
            import probe_plugin
        finally:
            sys.path.remove(str(PARALLEL))
        plugin_set = make_plugin_manager(entry_points=False, extra=[probe_plugin])
    engine = Engine(RunOptions(jobs=jobs, entry_points=False), plugin_set)
    out = io.StringIO()
    JsonReporter().render(engine.check(paths), out, RenderOptions(lang="en"))
    return out.getvalue()


@pytest.mark.parametrize("paths", [
    [str(SAMPLES / "zhongshan")],
    [str(SAMPLES / "zhongshan"), str(SAMPLES / "single-file")],
    [str(PARALLEL / "district")],
])
def test_jobs_1_and_jobs_2_give_byte_identical_json(paths: list[str]) -> None:
    assert json_of(paths, 1) == json_of(paths, 2)


@pytest.mark.parametrize("paths", [
    [str(SAMPLES / "zhongshan"), str(SAMPLES / "single-file")],
    [str(PARALLEL / "district")],
])
def test_school_by_school_check_matches_the_all_in_memory_check(paths: list[str]) -> None:
    engine = Engine(RunOptions(jobs=1, entry_points=False))
    streamed, loaded = engine.check(paths), engine.check_loaded(paths)
    assert [f.to_dict() for f in streamed.findings] == [f.to_dict() for f in loaded.findings]
    assert streamed.summary() == loaded.summary()
    assert [s.to_dict() for s in streamed.skipped] == [s.to_dict() for s in loaded.skipped]
    assert (streamed.rows_read, streamed.rows_rejected) == (loaded.rows_read, loaded.rows_rejected)


def test_a_multi_school_table_is_split_by_its_school_id_column() -> None:
    report = Engine(RunOptions(jobs=2, entry_points=False)).check([str(PARALLEL / "district")])
    by_school = {(f.code, f.school_id, f.location.line) for f in report.findings}
    assert ("INP001", "PB-00B", 6) in by_school  # the bad grade, in PB-00B's rows
    assert ("INP005", "PB-0ZZ", 5) in by_school  # rows for a school with no profile
    assert report.rows_rejected == 2  # the bad grade, and a row naming no school (INP001)


def test_run_wide_checks_see_every_school_whatever_the_jobs() -> None:
    for jobs in (1, 2):
        text = json_of([str(PARALLEL / "district")], jobs, plugins=True)
        # in school-id order: the five profiles, the unknown school (rows naming no school
        # are INP001 findings and belong to none)
        assert "6 schools: PB-00A,PB-00B,PB-00C,PB-00D,PB-00E,PB-0ZZ" in text


def test_a_worker_that_dies_becomes_err001_for_its_school_only() -> None:
    paths = [str(PARALLEL / "district"), str(PARALLEL / "die")]
    report_text = json_of(paths, 2, plugins=True)
    assert '"ERR001": 1' in report_text
    assert "the worker process checking this school died" in report_text
    assert '"school_id": "PB-DIE"' in report_text
    # the other schools were still checked and collected for the run-wide check
    assert "PB-00A,PB-00B,PB-00C,PB-00D,PB-00E,PB-0ZZ" in report_text


def test_the_progress_bar_draws_only_on_a_terminal_for_many_schools() -> None:
    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet, tty = io.StringIO(), Tty()
    for stream in (quiet, tty):
        bar = TerminalProgress(minimum=3, stream=stream)
        for done in range(1, 6):
            bar(done, 5)
    assert quiet.getvalue() == ""
    assert "5/5" in tty.getvalue() or "1/5" in tty.getvalue()
