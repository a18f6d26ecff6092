"""The two example plugins under plugins/, as a user runs them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SAMPLES


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("compliance")
    return subprocess.run([str(script), *args], capture_output=True, text=True,
                          env={"PATH": "", "LANG": "C",
                               "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]})


def test_class_size_plugin_is_installed_as_an_entry_point() -> None:
    # .ci/run installs it: pip install -e plugins/compliance-class-size
    rows = {r["name"]: r for r in json.loads(cli("plugins", "--format", "json").stdout)}
    assert rows["class-size"]["origin"] == "entry point"
    assert rows["class-size"]["hooks"] == ["compliance_document_kinds", "compliance_rule_packs"]


def test_class_size_rules_are_listed_and_cite_their_own_clause() -> None:
    listing = json.loads(cli("rules", "--format", "json", "--pack", "class-size").stdout)
    assert [(r["code"], r["severity"]) for r in listing] == [
        ("CLS001", "error"), ("CLS002", "error"), ("CLS003", "warning")]
    explained = cli("explain", "CLS002", "--lang", "zh").stdout
    assert "到2018年基本消除66人以上超大班额" in explained


def test_class_size_checks_a_roster_in_a_school_folder(tmp_path: Path) -> None:
    school = tmp_path / "s"
    school.mkdir()
    (school / "school.yaml").write_text("school: {id: C-1, level: junior}\n", encoding="utf-8")
    (school / "班额.csv").write_text("班级,学生人数\n7-1,52\n7-2,67\n", encoding="utf-8")
    result = cli("check", str(school), "--select", "CLS", "--format", "json", "--lang", "en")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["code"], f["location"]["line"]) for f in findings] == [("CLS003", 2), ("CLS002", 3)]
    assert result.returncode == 1


def test_markdown_report_from_the_plugins_dir() -> None:
    result = cli("check", str(SAMPLES / "zhongshan"), "--plugins-dir", str(ROOT / "plugins"),
                 "--format", "markdown", "--lang", "en", "--no-entry-points")
    assert result.returncode == 1, result.stderr
    text = result.stdout
    assert text.count("## ") == 4  # one section per school, clean ones too
    assert "## 中山区第一小学 — School conduct self-check\n\nStandard applied: default\n\n" \
           "No problems were found." in text
    assert "| a class on a public holiday | must fix | 1 |" in text
    assert ".csv" not in text and "INP" not in text
