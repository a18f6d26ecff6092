"""Student names and ids never leave unmasked, in any report format, unless --show-pii."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine, RunOptions
from compliance.rules.context import mask_id, mask_name
from tests.conftest import SAMPLES
from tests.packs_support import district, run

RUNNER = CliRunner()
DISTRICT = str(SAMPLES / "zhongshan")


def personal_data() -> tuple[set[str], set[str]]:
    """Every student id and name in the sample district's admission lists."""
    loaded = Engine(RunOptions(entry_points=False)).load([DISTRICT])
    ids, names = set(), set()
    for submission in loaded.submissions.values():
        for row in submission.records("enrollment"):
            ids.add(row["student_id"])
            if row["name"]:
                names.add(row["name"])
    return ids, names


def cli_check(*args: str) -> str:
    result = RUNNER.invoke(app, ["check", DISTRICT, "--profile", "national-2021",
                                 "--no-entry-points", *args])
    assert result.exit_code in (0, 1), result.output
    return result.output


@pytest.mark.parametrize("fmt", ["json", "text"])
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_reports_carry_no_student_id_or_name(fmt: str, lang: str) -> None:
    output = cli_check("--format", fmt, "--lang", lang)
    ids, names = personal_data()
    assert "ENR004" in output and "ENR001" in output
    for secret in ids | names:
        assert secret not in output, secret
    # ids are compared case-insensitively: no lower-case spelling leaks either
    assert not any(i.lower() in output.lower() for i in ids)


def test_json_subjects_keep_the_first_character_and_last_four() -> None:
    report = json.loads(cli_check("--format", "json"))
    enr = [f for f in report["findings"] if f["code"].startswith("ENR")]
    assert enr
    for finding in enr:
        subject = finding["subject"]
        assert set(subject["student_id"][:-4]) == {"*"}
        if "name" in subject:
            assert set(subject["name"][1:]) == {"*"}
    duplicate = next(f for f in enr if f["code"] == "ENR004")
    assert duplicate["subject"]["student_id"].endswith("4321")
    assert duplicate["subject"]["schools"] == ["ZS-002", "ZS-004"]


def test_show_pii_shows_them() -> None:
    output = cli_check("--format", "json", "--show-pii")
    assert "G210202201203154321" in output and "马浩然" in output


def test_unmatched_addresses_are_not_shown_without_show_pii(tmp_path: Path) -> None:
    header = "学籍号,姓名,年级,居住地址,录取方式\n"
    root = district(tmp_path, {"t-001": {"enrollment.csv": header + "G1234567,张三丰,1,幸福路8号,就近\n"}})
    hidden = run(root).findings
    assert [f.code for f in hidden] == ["INP006"]
    assert "幸福路" not in json.dumps([f.subject for f in hidden] + [f.message for f in hidden],
                                   ensure_ascii=False)
    assert hidden[0].subject["name"] == "张**" and hidden[0].subject["student_id"] == "****4567"
    shown = run(root, show_pii=True).findings
    assert shown[0].subject["address"] == "幸福路8号"


def test_masking_rules() -> None:
    assert mask_name("马浩然") == "马**"
    assert mask_id("G210202201203154321") == "***************4321"
    assert mask_id("123") == "***"
