"""Built-in checks written column-wise give byte-identical reports to today's
per-record versions (the oracle in ``tests/oracle``), on generated districts of every
document kind with bad cells, under every built-in profile and in both languages."""

from __future__ import annotations

import dataclasses
import functools
import io
import random
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from compliance.host.engine import Engine, RunOptions
from compliance.outputs.json import JsonReporter
from compliance.outputs.reporter import RenderOptions
from compliance.rules.packs import homework, working_hours
from tests.conftest import SAMPLES
from tests.oracle import homework as oracle_homework
from tests.oracle import working_hours as oracle_hours

#: (pack, {check function name: its per-record oracle})
ORACLES = [(working_hours.pack, oracle_hours.ORACLES), (homework.pack, oracle_homework.ORACLES)]


@contextmanager
def oracle() -> Iterator[None]:
    """Every column-wise built-in check replaced by its per-record oracle."""
    saved = [(pack, list(pack.checks)) for pack, _ in ORACLES]
    try:
        for pack, by_name in ORACLES:
            pack.checks[:] = [dataclasses.replace(c, fn=by_name.get(c.fn.__name__, c.fn))
                              for c in pack.checks]
            assert any(c.fn in by_name.values() for c in pack.checks)
        yield
    finally:
        for pack, checks in saved:
            pack.checks[:] = checks


@functools.cache
def engine(profile: str, lang: str) -> Engine:
    return Engine(RunOptions(profile=profile, lang=lang, jobs=1, entry_points=False))


def report(paths: list[Path], profile: str, lang: str) -> str:
    got = engine(profile, lang).check([str(p) for p in paths])
    out = io.StringIO()
    JsonReporter().render(got, out, RenderOptions(lang=lang))
    return out.getvalue()


def both(paths: list[Path], profile: str, lang: str) -> tuple[str, str]:
    vectorised = report(paths, profile, lang)
    with oracle():
        per_record = report(paths, profile, lang)
    return vectorised, per_record


@pytest.mark.parametrize("profile", ["default", "national-2021"])
def test_the_samples_give_the_same_report(profile: str) -> None:
    vectorised, per_record = both([SAMPLES / "zhongshan"], profile, "zh")
    assert vectorised == per_record
    assert '"HRS' in vectorised  # the samples do break working hours


def test_the_oracle_is_really_swapped_in() -> None:
    """A broken column-wise check must show: the comparison is not of one thing twice."""
    real = working_hours.broken_rows
    try:
        working_hours.broken_rows = lambda *a, **k: []  # type: ignore[assignment]
        vectorised, per_record = both([SAMPLES / "zhongshan"], "national-2021", "en")
    finally:
        working_hours.broken_rows = real
    assert vectorised != per_record
    real_mask = homework._written_mask
    try:
        homework._written_mask = lambda t: [False] * len(t)  # type: ignore[assignment]
        vectorised, per_record = both([SAMPLES / "zhongshan"], "national-2021", "en")
    finally:
        homework._written_mask = real_mask
    assert vectorised != per_record


TIMES = ["7:00", "7:30", "07:50", "8:00", "8:10", "8:20", "08:30", "9:00", "12:00", "16:30",
         "17:00", "17:01", "17:30", "18:00", "8点30", "８：００", "25:00", "abc", ""]
ACTIVITIES = ["lesson", "morning_reading", "self_study", "exam", "after_school_service", "club",
              "lunch", "exercise", "上课", "早读", "nap", ""]
GRADES = ["", "1", "2", "1;2", "3-1", "5;6", "7", "8", "9", "七年级", "3-1;4-2", "10", "x"]
COMPULSORY = ["", "", "是", "否", "true", "no", "maybe"]
DAYS = ["周一至周五", "Mon-Fri", "周六", "1-5", "Sun", "工作日", "周末", "", "八"]
DATES = ["", "", "", "2025-10-01", "2025-10-04", "2025-09-28", "2025-11-05", "2026-02-30"]


@st.composite
def schools(draw: Any) -> dict[str, Any]:
    level = draw(st.sampled_from(["primary", "junior", "nine_year"]))
    grades = {"primary": range(1, 7), "junior": range(7, 10), "nine_year": range(1, 10)}[level]
    rows = []
    for _ in range(draw(st.integers(0, 14))):
        days = draw(st.sampled_from(DAYS))
        date = draw(st.sampled_from(DATES)) if not days or draw(st.booleans()) else ""
        rows.append([days, date, draw(st.sampled_from(TIMES)), draw(st.sampled_from(TIMES)),
                     draw(st.sampled_from(ACTIVITIES)), draw(st.sampled_from(GRADES)),
                     draw(st.sampled_from(COMPULSORY))])
    return {
        "level": level,
        "area": draw(st.sampled_from(["urban", "rural", "城市"])),
        "classes": [f"{g}-1" for g in grades],
        "schedule": rows,
        "seed": draw(st.integers(0, 10**6)),
        "format": draw(st.sampled_from(["csv", "yaml"])),
    }


def write_district(root: Path, plans: list[dict[str, Any]]) -> Path:
    """School folders with a schedule (as drawn), enrollment, homework and materials."""
    district = root / "district"
    district.mkdir()
    (district / "zones.yaml").write_text("zones:\n  Z1: {name: 一区}\n  Z2: {name: 二区}\n",
                                         encoding="utf-8")
    for n, plan in enumerate(plans):
        folder = district / f"s{n}"
        folder.mkdir()
        (folder / "school.yaml").write_text(
            f"school:\n  id: S-{n}\n  name: 学校{n}\n  level: {plan['level']}\n"
            f"  area: {plan['area']}\n  catchment: [Z1]\n  classes: [{', '.join(plan['classes'])}]\n"
            "  terms:\n    - {name: 秋季学期, start: 2025-09-01, end: 2026-01-16}\n"
            "  disclosure:\n    schedule: {published: true, url: https://x.example/a}\n",
            encoding="utf-8")
        header = ["days", "date", "start", "end", "activity", "grades", "compulsory"]
        if plan["format"] == "csv":
            text = "\n".join(",".join(r) for r in [header, *plan["schedule"]]) + "\n"
            (folder / "schedule.csv").write_text(text, encoding="utf-8")
        else:
            items = "".join("  - {" + ", ".join(f"{h}: '{v}'" for h, v in zip(header, r, strict=True)
                                                if v) + "}\n" for r in plan["schedule"])
            (folder / "schedule.yaml").write_text("schedule:\n" + (items or "  []\n"),
                                                  encoding="utf-8")
        rng = random.Random(plan["seed"])
        (folder / "enrollment.csv").write_text(
            "student_id,name,grade,residence_zone,admission_basis\n" + "".join(
                f"G{rng.randrange(40)},张三,{rng.choice(['1', '7', 'x', ''])},"
                f"{rng.choice(['Z1', 'Z2', ''])},{rng.choice(['nearby', 'exam', '?'])}\n"
                for _ in range(rng.randrange(6))), encoding="utf-8")
        (folder / "homework.csv").write_text(
            "date,class,subject,minutes,written,published\n" + "".join(
                f"2025-{rng.choice(['11-0', '10-0', '12-3'])}{rng.randrange(1, 8)},"
                f"{rng.choice([*plan['classes'], '9-9'])},{rng.choice(['数学', '语文', '无'])},"
                f"{rng.choice(['10', '45', '90', '0', 'x'])},{rng.choice(['是', '否', ''])},"
                f"{rng.choice(['是', '是', '否', ''])}\n"
                for _ in range(rng.randrange(30))), encoding="utf-8")
        (folder / "materials.csv").write_text(
            "grade,subject,title,type,compulsory_purchase\n" + "".join(
                f"{rng.choice(['1', '3', 'x'])},语文,练习,{rng.choice(['workbook', 'textbook'])},"
                f"{rng.choice(['是', '否'])}\n" for _ in range(rng.randrange(4))), encoding="utf-8")
    return district


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(schools(), min_size=1, max_size=3),
       st.sampled_from(["default", "national-2021"]), st.sampled_from(["zh", "en"]),
       st.booleans())
def test_generated_districts_give_byte_identical_reports(plans: list[dict[str, Any]], profile: str,
                                                         lang: str, in_arrow: bool) -> None:
    with tempfile.TemporaryDirectory() as tmp, pytest.MonkeyPatch.context() as mp:
        if in_arrow:  # the comparison pyarrow makes for long columns, on short ones too
            mp.setattr(working_hours, "ARROW_ROWS", 0)
        district = write_district(Path(tmp), plans)
        vectorised, per_record = both([district], profile, lang)
    hits = sum(vectorised.count('"code": "HRS00' + n) for n in "124")
    event(f"HRS001/002/004 findings: {min(hits, 3)}{'+' if hits >= 3 else ''}")
    hits = sum(vectorised.count('"code": "HWK00' + n) for n in "34567")
    event(f"HWK003-007 findings: {min(hits, 3)}{'+' if hits >= 3 else ''}")
    assert vectorised == per_record
