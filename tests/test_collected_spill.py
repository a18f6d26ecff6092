"""What run-wide checks collect, past a limit on disk (host/outcome.py ``Collected``), and
ENR004 over a city's parts read back one at a time (enrollment.py ``_rows_on_disk``):
the same reports byte for byte, and no temporary file left behind."""

from __future__ import annotations

import importlib.util
import json
import os
import pickle
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compliance.host.outcome import Collected, SpilledParts

ROOT = Path(__file__).resolve().parents[1]


def _gen() -> Any:
    spec = importlib.util.spec_from_file_location("bench_gen", ROOT / "bench" / "gen.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


#: ids admitted by several schools, the district list's and the folders'
SHARED = [f"G{n:018d}" for n in range(1, 30)]


@pytest.fixture(scope="module")
def district(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Ten schools: a district-wide list (read the columnar way) over six of them, and
    small lists of their own (read row by row) in four others and in one of the six;
    ids shared across schools and lists, twice within one school, blank, lower case."""
    gen = _gen()
    root = tmp_path_factory.mktemp("collected") / "city"
    gen.write_district(root, 10)
    rng = random.Random(7)
    for i in range(10):
        gen.write_school_yaml(root / gen.school_id(i).lower(), i)

    def student(row: list[str]) -> list[str]:
        luck = rng.random()
        if luck < 0.05:
            row[0] = rng.choice(SHARED)
        elif luck < 0.06:
            row[0] = rng.choice(SHARED).lower()  # the same id once read
        elif luck < 0.07:
            row[0] = ""  # no one's
        return row

    with (root / "enrollment.csv").open("w", encoding="utf-8", newline="") as fh:
        import csv

        out = csv.writer(fh)
        out.writerow(gen.ENROLL_HEADERS)
        for n in range(1200):
            row = student(gen.enrollment_row(rng, n % 6, n, with_school=True))
            out.writerow(row)
            if n % 97 == 0:
                out.writerow(row)  # twice within one school
    for i in (2, 6, 7, 8, 9):
        folder = root / gen.school_id(i).lower()
        with (folder / "enrollment.csv").open("w", encoding="utf-8", newline="") as fh:
            import csv

            out = csv.writer(fh)
            out.writerow([h for h in gen.ENROLL_HEADERS if h != "school_id"])
            for n in range(40):
                row = student(gen.enrollment_row(rng, i, n, with_school=False))
                out.writerow(row)
                if n == 3:
                    out.writerow(row)
        assert (folder / "enrollment.csv").stat().st_size < 16 * 1024  # read row by row
    assert (root / "enrollment.csv").stat().st_size >= 16 * 1024  # read the columnar way
    return root


def _env(limit: str, tmp: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMPLIANCE_")}
    return {**env, "COMPLIANCE_SPILL_COLLECTED": limit, "TMPDIR": str(tmp),
            "SOURCE_DATE_EPOCH": "1764547200", "COMPLIANCE_TODAY": "2025-12-01",
            "COMPLIANCE_NO_PROGRESS": "1"}


def _report(district: Path, limit: str, jobs: str, tmp: Path) -> tuple[int, bytes]:
    temp = tmp / f"tmp-{limit}-{jobs}"
    temp.mkdir()
    out = tmp / f"report-{limit}-{jobs}.json"
    done = subprocess.run([sys.executable, "-m", "compliance", "check", str(district),
                           "--no-entry-points", "-f", "json", "-o", str(out), "-j", jobs],
                          env=_env(limit, temp), capture_output=True, text=True)
    assert done.returncode in (1, 2) and not done.stderr, done.stderr  # findings, no failure
    assert list(temp.iterdir()) == []  # the parts' file and ENR004's: removed
    return done.returncode, out.read_bytes()


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_parts_on_disk_give_the_same_report(district: Path, tmp_path: Path, jobs: str) -> None:
    held = _report(district, "0", jobs, tmp_path)
    spilled = _report(district, "1", jobs, tmp_path)  # every part on disk
    assert spilled == held
    report = json.loads(held[1])
    found = [f for f in report["findings"] if f["code"] == "ENR004"]
    assert len(found) >= 10
    files = {Path(f.split(":")[0]).parent.name for g in found for f in g["subject"]["files"]}
    assert "city" in files and files & {"cs-0007", "cs-0008", "cs-0009", "cs-0010"}


def test_the_same_report_with_some_parts_held_first(district: Path, tmp_path: Path) -> None:
    """Past a limit that a few schools fill: the held parts written first, then the rest."""
    assert _report(district, "30000", "1", tmp_path) == _report(district, "0", "1", tmp_path)


# -- ENR004's search on disk against the one in memory ------------------------------

def _parts(ids: list[list[str]], arrow: list[bool]) -> list[Any]:
    import pyarrow as pa

    from compliance.rules.packs.enrollment import Admitted

    parts = []
    for n, got in enumerate(ids):
        school = None if n == 2 else f"S-{n:03d}"
        names = [f"n{n}-{i}" for i in range(len(got))]
        if arrow[n]:
            part = Admitted(school, files=[(f"f{n}.csv", None)], arrow=pa.table(
                [pa.array(got, pa.string()), pa.array(names, pa.string()),
                 pa.array(range(2, len(got) + 2), pa.int64()),
                 pa.array([0] * len(got), pa.int32())],
                names=["student_id", "name", "line", "file"]))
        else:
            part = Admitted(school, ids=list(got), names=names,
                            files=[(f"f{n}.csv", None), (f"g{n}.xlsx", "表1")])
            part.lines.extend(range(2, len(got) + 2))
            part.file_of.extend([i % 2 for i in range(len(got))])
        parts.append(part)
    return parts


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.sampled_from(["G1", "G2", "G3", "G4", "甲1", "g1", "G5" * 9]),
                         max_size=12), max_size=6),
       st.lists(st.booleans(), min_size=6, max_size=6),
       st.sampled_from([(1 << 17, 1 << 20), (3, 2), (1, 1)]))
def test_the_search_on_disk_finds_what_the_one_in_memory_finds(
        ids: list[list[str]], arrow: list[bool], limits: tuple[int, int]) -> None:
    """Rows written out a few at a time and files spread again and again (down to the
    last level, an id repeated more often than a file may hold) change nothing."""
    from compliance.rules.packs import enrollment

    flush, partition = limits
    before = enrollment.FLUSH_ROWS, enrollment.PARTITION_ROWS
    enrollment.FLUSH_ROWS, enrollment.PARTITION_ROWS = flush, partition
    try:
        parts = _parts(ids, arrow)
        in_memory = {sid: [enrollment._row(p, i) for p, i in rows]
                     for sid, rows in enrollment._rows_by_id(parts).items()}
        on_disk = enrollment._rows_on_disk(tuple(parts))
    finally:
        enrollment.FLUSH_ROWS, enrollment.PARTITION_ROWS = before

    every = [sid for got in ids for sid in got]
    several = {sid for sid in every if sum(sid in got for got in ids) > 1}

    def view(found: dict[str, list[Any]]) -> dict[str, list[tuple[Any, ...]]]:
        return {sid: [(r.school_id, str(r.where), r.name) for r in rows]
                for sid, rows in found.items() if sid in several}

    assert view(on_disk) == view(in_memory)
    assert set(view(on_disk)) == several
    # on disk, every id seen more than once: within one part too (ENR004 counts schools)
    assert set(on_disk) == {sid for sid in every if every.count(sid) > 1}


def test_enr004_findings_are_the_same_from_parts_on_disk() -> None:
    from compliance.host.engine import Engine, RunOptions
    from compliance.host.parallel import run_state
    from compliance.rules.context import RunContext
    from compliance.rules.packs.enrollment import admitted_twice

    eng = Engine(RunOptions(entry_points=False, show_pii=True))
    run = RunContext(eng.registry.rules, run_state(eng))
    # G3: at one school and in a part of none (not reported), G1 twice in one part
    ids = [["G1", "G2", "G2"], ["G2", "G3"], ["G3", "G1"], ["G4"], ["G4", "G1"]]
    parts = _parts(ids, [False, True, False, True, False])

    def shown(got: Any) -> list[tuple[Any, ...]]:
        return [(f.subject, str(f.location), f.school_id, f.message) for f in got]

    held = shown(admitted_twice(run, parts))
    assert [s["student_id"] for s, *_ in held] == ["G1", "G2", "G4"]
    assert shown(admitted_twice(run, tuple(parts))) == held  # not a list: the way on disk


# -- Collected ----------------------------------------------------------------------

def test_collected_parts_stay_in_order_held_written_or_pinned(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch
                                                               ) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    collected = Collected(limit=100)
    collected.add(0, [["small", 1]])
    collected.add(0, [pickle.dumps(("pickled", 2))], pickled=True)
    collected.add(0, [list(range(50))])  # past the limit: all three written out
    collected.add(0, [{"after": 4}])
    collected.add(1, [1, 2])
    parts = collected.parts(0)
    assert isinstance(parts, SpilledParts)
    want = [["small", 1], ("pickled", 2), list(range(50)), {"after": 4}]
    assert list(parts) == want and list(parts) == want  # read again each time
    assert len(parts) == 4 and parts[1] == ("pickled", 2) and parts[-1] == {"after": 4}
    assert parts[1:3] == want[1:3]
    with pytest.raises(IndexError):
        parts[4]
    assert collected.parts(1) == [1, 2] and collected.parts(7) == []
    folder = next(tmp_path.iterdir())
    assert folder.name.startswith("compliance-collected-")
    collected.close()
    assert list(tmp_path.iterdir()) == []


def test_a_part_that_does_not_pickle_keeps_the_rest_in_memory(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch
                                                              ) -> None:
    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    held = Collected(limit=10_000)
    held.add(0, [1, 2])
    held.add(0, [lambda: 3])  # cannot pickle: kept as it is, and all after it
    held.add(0, [4])
    got = held.parts(0)
    assert isinstance(got, list) and got[:2] == [1, 2] and got[2]() == 3 and got[3] == 4
    spilled = Collected(limit=1)
    spilled.add(0, [1, 2])
    spilled.add(0, [lambda: 3, 4])
    parts = spilled.parts(0)
    assert isinstance(parts, SpilledParts)
    assert [p if isinstance(p, int) else p() for p in parts] == [1, 2, 3, 4]
    spilled.close()
    assert list(tmp_path.iterdir()) == []


def test_no_limit_keeps_the_parts_themselves() -> None:
    part = object()
    collected = Collected()
    collected.add(0, [part])
    assert collected.parts(0)[0] is part


def test_a_full_disk_is_one_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.host.errors import UsageError

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    collected = Collected(limit=1)

    def full(*_: Any) -> Any:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("compliance.host.outcome.open", full, raising=False)
    with pytest.raises(UsageError, match=r"No space left on device.*TMPDIR"):
        collected.add(0, [b"x" * 10])
    collected.close()
    assert list(tmp_path.iterdir()) == []


def test_the_limit_is_a_whole_number(monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.host.errors import UsageError
    from compliance.host.outcome import COLLECT_LIMIT, collect_limit

    monkeypatch.setenv("COMPLIANCE_SPILL_COLLECTED", "lots")
    with pytest.raises(UsageError, match="COMPLIANCE_SPILL_COLLECTED"):
        collect_limit()
    monkeypatch.setenv("COMPLIANCE_SPILL_COLLECTED", "0")
    assert collect_limit() is None
    monkeypatch.delenv("COMPLIANCE_SPILL_COLLECTED")
    assert collect_limit() == COLLECT_LIMIT


def test_files_are_removed_when_the_run_fails(district: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """A run stopped while schools come back leaves no parts behind."""
    from compliance.host import parallel
    from compliance.host.engine import Engine, RunOptions

    monkeypatch.setattr("tempfile.tempdir", str(tmp_path))
    monkeypatch.setenv("COMPLIANCE_SPILL_COLLECTED", "1")
    real = parallel._Merger.__call__
    seen: list[str] = []

    def stop_after_three(self: Any, result: Any) -> None:
        real(self, result)
        seen.append(result.school_id)
        # written out as they come
        assert any(p.name.startswith("compliance-collected-") for p in tmp_path.iterdir())
        if len(seen) == 3:
            raise KeyboardInterrupt

    monkeypatch.setattr(parallel._Merger, "__call__", stop_after_three)
    with pytest.raises(KeyboardInterrupt):
        Engine(RunOptions(entry_points=False, jobs=1)).check([str(district)])
    assert list(tmp_path.iterdir()) == []
