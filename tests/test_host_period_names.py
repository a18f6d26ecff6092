"""Plugin period names belong to the engine whose plugins gave them: two engines in one
process (the web page checking with and without a bureau's plugin, a test suite) each
read by their own names, run after run, one run inside another, in two threads at once,
and in worker processes, forked or spawned."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path
from typing import Any

import pytest

from compliance.host import parallel
from compliance.host.engine import Engine, RunOptions
from compliance.inputs.periods import activity_of, plugin_names
from compliance.outputs.report import Report
from tests.conftest import school_folder

SCHOOLS = ("PN-001", "PN-002", "PN-003")
PLUGIN = ("from compliance import hookimpl\n\n\n@hookimpl\ndef compliance_period_names():\n"
          "    return {'午练': 'self_study', '晨诵': 'morning_reading'}\n")


def _exports(folder: Path) -> None:
    """A schedule export and a timetable as office software writes them, and a schedule
    CSV from a GBK spreadsheet, each naming the bureau's 午练 and 晨诵."""
    import openpyxl

    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "作息时间表"
    ws["A1"] = "实验小学作息时间表"
    ws.merge_cells("A1:B1")
    for row in (["节次", "时间"], ["到校", "8:00"], ["晨诵", "8:00-8:15"], ["第一节", "8:20-9:00"],
                ["午练", "12:30-12:50"], ["第五节", "14:00-14:40"], ["放学", "16:00"]):
        ws.append(row)
    book.save(folder / "作息时间表.xlsx")
    book = openpyxl.Workbook()
    ws = book.active
    assert ws is not None
    ws.title = "三(1)班"
    ws["A1"] = "三年级(1)班课程表"
    ws.merge_cells("A1:F1")
    for row in (["节次", "周一", "周二", "周三", "周四", "周五"],
                ["第1节", "语文", "数学", "语文", "数学", "语文"],
                ["午练 12:30-12:50", "练字", "练字", "练字", "练字", "练字"],
                ["第2节", "数学", "语文", "数学", "语文", "数学"]):
        ws.append(row)
    book.save(folder / "课程表.xlsx")
    # the activity column goes through the per-process parse cache
    csv = "星期,开始时间,结束时间,活动类型\r\n周一至周五,12:30,12:50,午练\r\n周一至周五,7:50,8:00,晨诵\r\n"
    (folder / "作息安排.csv").write_bytes(csv.encode("gbk"))


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("period-names") / "district"
    root.mkdir()
    for sid in SCHOOLS:
        _exports(school_folder(root, {}, {"id": sid, "level": "primary", "classes": ["3-1"]},
                               name=sid.lower()))
    return root


@pytest.fixture(scope="module")
def plugins_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bureau-plugins")
    (folder / "bureau_periods.py").write_text(PLUGIN, encoding="utf-8")
    return folder


def _engine(plugins: Path | None, jobs: int = 1, **options: Any) -> Engine:
    return Engine(RunOptions(entry_points=False, jobs=jobs, select=["INP", "HRS"],
                             plugins_dir=str(plugins) if plugins else None, **options))


def _read(report: Report) -> dict[str, Any]:
    """What the names decide: the input findings, each school's timetable lessons and
    schedule activities."""
    return {
        "inputs": sorted((f.code, f.school_id or "", Path(f.location.file).name,
                          f.location.line or 0) for f in report.findings
                         if f.code.startswith("INP")),
        "lessons": {sid: len(rows) for sid, rows in sorted(report.timetables.items())},
        "activities": {sid: sorted({str(r.get("activity")) for r in rows})
                       for sid, rows in sorted(report.schedules.items())},
    }


@pytest.fixture(scope="module")
def expected(district: Path, plugins_dir: Path) -> dict[str, dict[str, Any]]:
    """Each engine's reading, alone, as the first engine of its process would read."""
    bare, bureau = _read(_engine(None).check([str(district)])), \
        _read(_engine(plugins_dir).check([str(district)]))
    # the names make a difference to every school: INP001 at each 午练/晨诵 without them,
    # and 午练 a row of lessons (15, not 10)
    assert bureau["inputs"] == []
    assert {(sid, name) for _c, sid, name, _l in bare["inputs"]} == {
        (sid, name) for sid in SCHOOLS for name in ("作息时间表.xlsx", "作息安排.csv")}
    assert set(bare["lessons"].values()) == {15} and set(bureau["lessons"].values()) == {10}
    assert all("self_study" in acts for acts in bureau["activities"].values())
    assert not any("self_study" in acts for acts in bare["activities"].values())
    return {"bare": bare, "bureau": bureau}


def test_two_engines_run_interleaved_each_read_by_their_own_names(
        district: Path, plugins_dir: Path, expected: dict[str, dict[str, Any]]) -> None:
    bare, bureau = _engine(None), _engine(plugins_dir)
    paths = [str(district)]
    for _ in range(2):
        assert _read(bureau.check(paths)) == expected["bureau"]
        assert _read(bare.check(paths)) == expected["bare"]
        assert _read(bureau.check_loaded(paths)) == expected["bureau"]
        assert _read(bare.check_loaded(paths)) == expected["bare"]
    # building an engine, or running one, leaves no names behind in the process
    assert dict(plugin_names()) == {} and activity_of("午练") is None


def test_a_run_inside_another_engines_run_leaves_the_outer_runs_names(
        district: Path, plugins_dir: Path, expected: dict[str, dict[str, Any]]) -> None:
    """The web page's case: a check with the plugin while one without it is half done
    (here: from the outer run's progress callback, between two schools)."""
    inner: list[dict[str, Any]] = []

    def between_schools(engine: Engine) -> Any:
        def progress(done: int, total: int) -> None:
            if done == 1:
                inner.append(_read(engine.check([str(district)])))
        return progress

    for outer_plugins, inner_plugins, outer, nested in (
            (None, plugins_dir, "bare", "bureau"), (plugins_dir, None, "bureau", "bare")):
        outer_engine = _engine(outer_plugins, progress=between_schools(_engine(inner_plugins)))
        assert _read(outer_engine.check([str(district)])) == expected[outer]
        assert inner.pop() == expected[nested]
        assert _read(outer_engine.check_loaded([str(district)])) == expected[outer]
        assert inner.pop() == expected[nested]


def test_two_engines_in_two_threads_at_once(
        district: Path, plugins_dir: Path, expected: dict[str, dict[str, Any]]) -> None:
    """Each thread's run sees its engine's names, while the other thread runs between
    two of its schools (a server checking uploads in threads)."""
    first_school_done, other_run_done = threading.Event(), threading.Event()
    got: dict[str, Any] = {}

    def wait_for_the_other(done: int, total: int) -> None:
        if done == 1:
            first_school_done.set()
            assert other_run_done.wait(60)

    def outer() -> None:
        try:
            engine = _engine(plugins_dir, progress=wait_for_the_other)
            got["bureau"] = _read(engine.check([str(district)]))
        finally:
            first_school_done.set()

    def other() -> None:
        try:
            assert first_school_done.wait(60)
            got["bare"] = _read(_engine(None).check([str(district)]))
        finally:
            other_run_done.set()

    threads = [threading.Thread(target=outer), threading.Thread(target=other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert got == expected


@pytest.mark.parametrize("method", ["fork", "spawn"])
def test_worker_processes_read_by_their_engines_names(
        district: Path, plugins_dir: Path, expected: dict[str, dict[str, Any]], method: str,
        monkeypatch: pytest.MonkeyPatch) -> None:
    if method not in multiprocessing.get_all_start_methods():
        pytest.skip(f"no {method} here")
    monkeypatch.setattr(parallel, "MIN_SCHOOLS_FOR_POOL", 2)
    monkeypatch.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: [method])
    # a spawned worker builds its engine from the options (the plugin file among them)
    bureau, bare = _engine(plugins_dir, jobs=2), _engine(None, jobs=2)
    with bare.period_names():  # the parent in the middle of another engine's run
        assert _read(bureau.check([str(district)])) == expected["bureau"]
    with bureau.period_names():
        assert _read(bare.check([str(district)])) == expected["bare"]
