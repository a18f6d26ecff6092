"""The CLI over the whole adversarial corpus at once: no traceback in any format, exit
status 2, every broken file named, and the good rows in between still checked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.adversarial_corpus import GENERATED, Run, build_all, run_cli


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_all(tmp_path_factory.mktemp("adversarial") / "school")


@pytest.fixture(scope="module")
def runs(corpus: Path) -> dict[str, Run]:
    """One CLI run over the corpus per format (each takes seconds: run once, assert often)."""
    return {fmt: run_cli("--format", fmt, corpus, school=False, timeout=120)
            for fmt in ("text", "rich", "json")}


@pytest.mark.parametrize("fmt", ["text", "rich", "json"])
def test_no_traceback_over_the_whole_corpus(runs: dict[str, Run], fmt: str) -> None:
    run = runs[fmt]
    assert "Traceback" not in run.output
    assert run.stderr == ""
    assert run.status == 2


def test_every_broken_file_is_named_and_good_rows_still_count(runs: dict[str, Run]) -> None:
    report = json.loads(runs["json"].stdout)
    files = {Path(f["location"]["file"]).name for f in report["findings"]
             if f["code"].startswith("INP")}
    broken = {"alias_bomb.yaml", "python_object.yaml", "custom_tag.yaml", "duplicate_keys.yaml",
              "duplicate_keys.json", "empty.csv", "header_only.csv", "ragged.csv",
              "bad_times.csv", "bad_dates.csv", "markup.csv", "control_chars.csv", "a", "b",
              "two_start_columns.csv"}
    broken |= set(GENERATED) - {"formulas.xlsx", "hidden.xlsx"}
    assert broken <= files, broken - files
    codes = {(Path(f["location"]["file"]).name, f["code"]) for f in report["findings"]}
    assert ("formulas.xlsx", "HRS002") in codes  # the good files in the same folder
    assert ("hidden.xlsx", "HOL004") in codes
    assert ("ragged.csv", "HOL004") in codes

