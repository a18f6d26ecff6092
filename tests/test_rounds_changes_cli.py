"""``compliance history FILE.db --round N``: one round in detail for an inspector back
after rectification — its findings new, still there (未整改) and fixed (已整改), as
text or JSON, the lists adding up to the round's counts; an unknown round is one
clear line naming the rounds there are."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from compliance.cli import app

from .conftest import SAMPLES
from .rounds_support import copy_district, read_csv, write_csv

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def two_rounds(tmp_path: Path) -> Path:
    """Round 1 the samples; round 2 after ZS-002 struck one grade-2 workbook (WBK001
    fixed) and ordered a new one (WBK001 new)."""
    db = tmp_path / "h.db"
    folder = copy_district(tmp_path / "zhongshan")
    invoke("check", str(folder), "--history", str(db), "-f", "json", "-o", str(tmp_path / "1.json"))
    path = folder / "zs-002" / "教辅征订.csv"
    rows = read_csv(path)
    gone = next(r for r in rows if any("口算天天练 二年级上" in c for c in r))
    added = [c.replace("口算天天练 二年级上", "看图写话 二年级下") for c in gone]
    write_csv(path, [r for r in rows if r is not gone] + [added])
    invoke("check", str(folder), "--history", str(db), "-f", "json", "-o", str(tmp_path / "2.json"))
    return db


def test_a_round_in_detail_as_json_adds_up_to_its_counts(tmp_path: Path) -> None:
    db = two_rounds(tmp_path)
    code, out = invoke("history", str(db), "--round", "2", "--format", "json")
    assert code == 0, out
    changes = json.loads(out)
    lists = changes["lists"]
    _, listed = invoke("history", str(db), "--format", "json")
    row = json.loads(listed)[1]
    assert (lists["new"]["total"], lists["still"]["total"], lists["fixed"]["total"]) == (
        row["new"], row["still"], row["fixed"]) == (1, 25, 1)
    assert [i["code"] for i in lists["new"]["items"]] == ["WBK001"]
    assert "看图写话" in lists["new"]["items"][0]["message"]
    fixed = lists["fixed"]["items"][0]
    assert fixed["code"] == "WBK001" and "口算天天练" in fixed["message"] and fixed["round"] == 1
    assert changes["compared_with"] == {"ZS-001": 1, "ZS-002": 1, "ZS-003": 1, "ZS-004": 1}
    assert all(lists[s]["more"] == 0 and len(lists[s]["items"]) == lists[s]["total"]
               for s in lists)  # the command line lists everything, no pages


def test_a_round_in_detail_as_text_in_chinese(tmp_path: Path) -> None:
    db = two_rounds(tmp_path)
    code, out = invoke("history", str(db), "--round", "2", "--school", "ZS-002", "--lang", "zh")
    assert code == 0, out
    lines = out.splitlines()
    assert lines[0].startswith("第 2 轮") and "对比第 1 轮" in lines[0]
    new = lines.index("新增（1）")
    assert lines[new + 1].split()[:3] == ["ZS-002", lines[new + 1].split()[1], "WBK001"]
    assert "教辅征订.csv:" in lines[new + 1]
    assert "已整改（1）" in lines and any("未整改（" in line for line in lines)
    assert "ZS-001" not in out  # narrowed to the one school
    code, first = invoke("history", str(db), "--round", "1", "--lang", "zh")
    assert "各校的第一轮" in first.splitlines()[0] and "已整改（0）" in first
    assert "  无。" in first


def test_an_unknown_round_is_one_clear_line(tmp_path: Path) -> None:
    db = two_rounds(tmp_path)
    code, out = invoke("history", str(db), "--round", "7", "--lang", "en")
    assert code == 2
    assert "--round 7" in out and "no such round" in out and "1, 2" in out
    assert "Traceback" not in out and len(out.strip().splitlines()) == 1
    code, out = invoke("history", str(db), "--round", "1", "--school", "ZS-404", "--lang", "zh")
    assert code == 2 and "没有该轮次" in out and "ZS-404" in out
    code, out = invoke("history", str(db), "--round", "0")
    assert code == 2  # a round is a whole number from 1


def test_no_personal_data_in_a_round_in_detail(tmp_path: Path) -> None:
    """The samples' enrollment findings name children: the history holds them masked."""
    db = tmp_path / "h.db"
    invoke("check", str(SAMPLES / "zhongshan"), "--history", str(db), "--show-pii",
           "-f", "json", "-o", str(tmp_path / "r.json"))
    shown = json.loads((tmp_path / "r.json").read_text("utf-8"))
    names = {f["subject"]["name"] for f in shown["findings"] if f["subject"].get("name")}
    assert names  # the report asked for them shown
    _, out = invoke("history", str(db), "--round", "1", "--format", "json")
    _, text = invoke("history", str(db), "--round", "1")
    for name in names:
        assert name not in out and name not in text
