"""Kinds with a row check (``finish``: schedules, homework) read the columnar way give
exactly the row path's reports: the check runs once per distinct combination of the
fields it reads, its inconsistent rows are reported by the row path as INP004."""

from __future__ import annotations

import random
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.inputs import builtin_kinds
from tests.test_columnar import Blocks, Spy, assert_same_both_ways

TIMES = ["7:30", "8:00", "08:40", "9:00", "12:00", "17:00", "17:30", "25:00", "x", ""]
ACTIVITIES = ["lesson", "after_school_service", "club", "lunch", "上课", "nap", ""]
DAYS = ["周一至周五", "Sat", "", "", "八"]
DATES = ["", "", "2025-10-04", "2025-10-01", "2026-02-30"]
SUBJECTS = ["数学", "语文", "无", "None", "无作业", "", "  英语 "]


def school(root: Path, schedule: list[list[str]], homework: list[list[str]],
           compulsory_column: bool) -> Path:
    folder = root / "s"
    folder.mkdir()
    (folder / "school.yaml").write_text(
        "school:\n  id: S-1\n  level: primary\n  area: urban\n  classes: [1-1, 3-1]\n"
        "  terms:\n    - {name: 秋季, start: 2025-09-01, end: 2026-01-16}\n", encoding="utf-8")
    header = ["days", "date", "start", "end", "activity", "grades"] + (
        ["compulsory"] if compulsory_column else [])
    (folder / "schedule.csv").write_text(
        "\n".join(",".join(r[:len(header)]) for r in [header, *schedule]) + "\n", encoding="utf-8")
    (folder / "homework.csv").write_text(
        "\n".join(",".join(r) for r in [["date", "class", "subject", "minutes", "written"],
                                        *homework]) + "\n", encoding="utf-8")
    return folder


@st.composite
def plans(draw: Any) -> dict[str, Any]:
    rng = random.Random(draw(st.integers(0, 10**6)))
    schedule = [[rng.choice(DAYS), rng.choice(DATES), rng.choice(TIMES), rng.choice(TIMES),
                 rng.choice(ACTIVITIES), rng.choice(["", "1", "3", "1;3"]),
                 rng.choice(["", "是", "否", "x"])] for _ in range(draw(st.integers(0, 40)))]
    homework = [[f"2025-11-{rng.choice(['03', '04', '05', '31'])}", rng.choice(["1-1", "3-1", "9-9"]),
                 rng.choice(SUBJECTS), rng.choice(["10", "90", "", "x"]), rng.choice(["是", "否", ""])]
                for _ in range(draw(st.integers(0, 60)))]
    return {"schedule": schedule, "homework": homework, "compulsory": draw(st.booleans()),
            "blocks": draw(st.sampled_from([Blocks(), Blocks(block_size=512, sample_bytes=200)]))}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(plans())
def test_schedules_and_homework_read_by_columns_report_as_by_rows(plan: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = school(Path(tmp), plan["schedule"], plan["homework"], plan["compulsory"])
        spy = Spy()
        assert_same_both_ways([folder], spy=spy, blocks=plan["blocks"],
                              variants=(("en", False), ("zh", True)))
        if plan["schedule"] and plan["homework"]:
            # schedules stay on the row path (its shaping step reads them), homework goes by columns
            assert {Path(f).name for f in spy.taken} == {"homework.csv"}


def test_the_samples_schedules_go_the_columnar_way_with_the_same_report() -> None:
    from tests.conftest import SAMPLES

    spy = Spy()
    assert_same_both_ways([SAMPLES / "zhongshan"], spy=spy, variants=(("zh", False),))
    assert any(Path(f).name == "homework.csv" for f in spy.taken)


def test_a_kind_whose_row_check_does_not_say_what_it_reads_goes_the_row_path() -> None:
    import dataclasses

    import pyarrow as pa

    from compliance.inputs.columnar import Source, normalize

    headers = ["date", "class", "subject", "minutes"]
    source = Source(pa.table({f"c{i}": [cell] for i, cell in
                              enumerate(["2025-11-03", "1-1", "无", "10"])}))
    silent = dataclasses.replace(builtin_kinds.HOMEWORK, finish_reads=None)
    assert normalize(silent, headers, source, "h.csv", None, "S-1") is None
    split = normalize(builtin_kinds.HOMEWORK, headers, source, "h.csv", None, "S-1")
    assert split is not None
    assert dict(split.normalized.columns)["none"].values == [True]


def test_a_line_the_row_path_refuses_sends_the_file_the_row_path(tmp_path: Path) -> None:
    """A record longer than a line may be (1 MiB) is one refused row on the row path; a
    big file holding one is read that way, not parsed whole by pyarrow."""
    good = "".join(f"周一至周五,,8:00,{'18:00' if i % 50 == 0 else '16:00'},lesson,1\n"
                   for i in range(20_000))
    folder = school(tmp_path, [], [], compulsory_column=False)
    (folder / "schedule.csv").write_text(
        "days,date,start,end,activity,grades\n" + good + "周一," + "x" * (1 << 20) + ",8:00,9:00,lesson,1\n"
        + good, encoding="utf-8")
    spy = Spy()
    assert_same_both_ways([folder], spy=spy)
    assert "schedule.csv" not in {Path(f).name for f in spy.taken}
