"""Batch rules (``pack.per_batch``): one call over the tables of many schools, fed by
the same tables per-school rules see, with the same report for any ``--jobs``."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from compliance.host.engine import Engine, RunOptions
from compliance.outputs.json import JsonReporter
from compliance.outputs.reporter import RenderOptions
from compliance.rules import batch as batch_module
from tests.conftest import FIXTURES

PLUGIN = FIXTURES / "plugins" / "batch"


def district(root: Path, schools: int = 10) -> Path:
    for n in range(schools):
        folder = root / f"s{n:02d}"
        folder.mkdir(parents=True)
        (folder / "school.yaml").write_text(
            f"school:\n  id: S-{n:02d}\n  name: 学校{n}\n  level: primary\n  area: urban\n",
            encoding="utf-8")
        rows = "".join(f"G{n:02d}{i:03d},张三,1,{'exam' if (i + n) % 7 == 0 else 'nearby'}\n"
                       for i in range(20))
        (folder / "enrollment.csv").write_text("student_id,name,grade,admission_basis\n" + rows,
                                               encoding="utf-8")
    return root


def report(path: Path, jobs: int) -> tuple[str, list[str]]:
    return run(path, jobs)[:2]  # type: ignore[return-value]


def run(path: Path, jobs: int) -> tuple[str, list[str], Engine]:
    engine = Engine(RunOptions(jobs=jobs, entry_points=False, plugins_dir=str(PLUGIN),
                               select=["BAT"], lang="en"))
    got = engine.check([str(path)])
    out = io.StringIO()
    JsonReporter().render(got, out, RenderOptions(lang="en"))
    return out.getvalue(), [f.school_id for f in got.findings if f.code == "BAT001"], engine


def test_a_batch_rule_finds_each_schools_rows_the_same_for_any_jobs(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "BATCH_SCHOOLS", 3)
    path = district(tmp_path)
    one, schools = report(path, 1)
    two, _ = report(path, 2)
    assert one == two
    # 20 rows a school, every 7th by exam: 2 or 3 findings a school, every school
    assert sorted(set(schools)) == [f"S-{n:02d}" for n in range(10)]
    assert len(schools) == sum(sum(1 for i in range(20) if (i + n) % 7 == 0) for n in range(10))
    assert '"line": ' in one and "admitted by exam" in one


def test_batches_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "BATCH_SCHOOLS", 4)
    *_, engine = run(district(tmp_path), 1)
    plugin = next(p for _, p in engine.plugins.pm.list_name_plugin() if hasattr(p, "CALLS"))
    assert [n for _, n in plugin.CALLS] == [4, 4, 2]


def test_a_batch_rule_that_raises_is_err001_for_each_school(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch_module, "BATCH_SCHOOLS", 3)
    monkeypatch.setattr(pc_module(), "equal", lambda *a: 1 / 0)
    path = district(tmp_path)
    one, _ = report(path, 1)
    two, _ = report(path, 2)
    assert one == two
    assert one.count('"code": "ERR001"') == 10
    assert "ZeroDivisionError" in one


def pc_module():  # type: ignore[no-untyped-def]
    import pyarrow.compute as pc

    return pc


def test_a_batch_table_holds_times_dates_and_scopes(tmp_path: Path) -> None:
    from compliance.host.engine import Engine
    from compliance.rules.batch import BatchContext
    from compliance.rules.context import RunState, SchoolContext

    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "school.yaml").write_text("school:\n  id: S-1\n  level: primary\n", encoding="utf-8")
    (folder / "schedule.csv").write_text(
        "days,date,start,end,activity,grades\n周一至周五,,8:00,8:40,lesson,3;4\n"
        ",2025-10-04,9:00,11:00,lesson,\n", encoding="utf-8")
    engine = Engine(RunOptions(jobs=1, entry_points=False))
    loaded = engine.load([str(folder)])
    state = RunState(engine.settings, "en", False, engine._official)
    ctx = SchoolContext(loaded.submissions["S-1"], engine.registry.rules, state)
    table = BatchContext([ctx], engine.registry.rules, state).table(
        "schedule", ["start", "date", "grades", "days"])
    rows = table.to_pylist()
    assert [r["start"] for r in rows] == [480, 540]
    assert [r["grades"] for r in rows] == ["3;4", None]
    assert str(rows[1]["date"]) == "2025-10-04"
    assert rows[0]["days"] and rows[1]["days"] is None
    assert [(r["school_id"], r["line"], r["file"].endswith("schedule.csv")) for r in rows] == [
        ("S-1", 2, True), ("S-1", 3, True)]
