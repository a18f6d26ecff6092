"""A plugin's document kind may declare fields personal beyond the built-in id, name and
address (a guardian's phone, a guardian's name).  A finding that repeats them — under
their own key, under a key of the rule's choosing, or quoted in its message — shows
them masked in every report unless ``--show-pii``; the rounds history stores them
masked whatever ``--show-pii`` says; and they enter fingerprints only as keyed hashes."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine, RunOptions

PACK = """pack: guardians
title: {zh: 监护人联系, en: guardians' contacts}
clauses: [LOCAL-CATCHMENT]
rules:
  GRD001:
    severity: warning
    identity: [guardian_phone]
    title: {zh: 监护人电话重复, en: a guardian's phone shared}
    message:
      zh: "监护人{guardian_name}的电话{guardian_phone}（{who}）不是11位"
      en: "guardian {guardian_name}'s phone {guardian_phone} ({who}) is not 11 digits"
"""
PLUGIN = '''
from pathlib import Path
from compliance import hookimpl
from compliance.inputs.kinds import DocumentKind, Field
from compliance.inputs.values import parse_id, parse_int, parse_text
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml(Path(__file__).with_name("guardians.yaml"))

CONTACTS = DocumentKind(
    name="contacts",
    stems=("监护人联系表",),
    title={"zh": "监护人联系表", "en": "guardians' contacts"},
    fields=[
        Field("student_id", parse_id, ("学籍号",), required=True, personal=True),
        Field("grade", parse_int, ("年级",)),
        Field("guardian_name", parse_text, ("监护人",), personal=True),
        Field("guardian_phone", parse_text, ("联系电话",), personal=True),
    ],
)


@pack.check("GRD001")
def short_phone(ctx):
    for row in ctx.records("contacts"):
        phone = row["guardian_phone"] or ""
        if len(phone) != 11:
            yield ctx.finding("GRD001", row, column="guardian_phone",
                              subject={"guardian_phone": phone, "guardian_name": row["guardian_name"],
                                       "caller": f"请联系{row['guardian_name']}"},
                              who=f"{row['guardian_name']} {phone}")


@hookimpl
def compliance_document_kinds():
    return [CONTACTS]


@hookimpl
def compliance_rule_packs():
    return [pack]
'''
SCHOOL = "school:\n  id: GRD-1\n  name: 测试学校\n  level: primary\n  catchment: [Z01]\n"
# marked values (capital letters no masking leaves whole) in an office export: GBK, CRLF
CONTACTS = ("学籍号,年级,监护人,联系电话\r\n"
            "G20190042QX,3,欧阳QXKV,138001QXKV\r\n"
            "G20190043QX,3,李四,13800138000\r\n")
SECRETS = ("欧阳QXKV", "138001QXKV")


def plugin_dir(root: Path) -> Path:
    plugins = root / "plugins"
    plugins.mkdir()
    (plugins / "guardians.yaml").write_text(PACK, encoding="utf-8")
    (plugins / "guardiansplugin.py").write_text(PLUGIN, encoding="utf-8")
    return plugins


def school(root: Path) -> Path:
    folder = root / "s"
    folder.mkdir()
    (folder / "school.yaml").write_text(SCHOOL, encoding="utf-8")
    (folder / "监护人联系表.csv").write_bytes(CONTACTS.encode("gbk"))
    return folder


def check(tmp_path: Path, fmt: str, *extra: str, jobs: int = 1) -> str:
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(app, [
        "check", str(school(tmp_path)), "--no-entry-points", "--plugins-dir",
        str(plugin_dir(tmp_path)), "-f", fmt, "-o", str(out), "--jobs", str(jobs), "--lang",
        "zh", *extra])
    assert result.exit_code in (0, 1), result.output
    return out.read_text("utf-8")


@pytest.mark.parametrize("fmt", ["json", "text", "csv", "sarif", "html"])
def test_a_plugin_kinds_personal_fields_are_masked_in_findings(tmp_path: Path, fmt: str) -> None:
    text = check(tmp_path, fmt)
    assert "GRD001" in text
    for secret in SECRETS:
        assert secret not in text, secret
    assert "欧*****" in text  # masked, not dropped: a name keeps its first character


def test_with_show_pii_they_are_shown(tmp_path: Path) -> None:
    report = json.loads(check(tmp_path, "json", "--show-pii"))
    [found] = [f for f in report["findings"] if f["code"] == "GRD001"]
    assert found["subject"]["guardian_phone"] == "138001QXKV"
    assert "欧阳QXKV" in found["message"] and "138001QXKV" in found["message"]


def test_the_compliant_row_gives_no_finding(tmp_path: Path) -> None:
    """The rule's own edge: an 11-digit phone is no finding."""
    report = json.loads(check(tmp_path, "json"))
    assert [f["location"]["line"] for f in report["findings"] if f["code"] == "GRD001"] == [2]


@pytest.mark.parametrize(("show_pii", "jobs", "spill"),
                         [(False, 1, False), (True, 1, False), (True, 2, False), (True, 1, True)])
def test_the_history_stores_them_masked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                        show_pii: bool, jobs: int, spill: bool) -> None:
    """Masked as the finding factory masks them — the name quoted under ``who`` and
    ``caller`` too — also when the findings come back from worker processes, and when
    they were written to temporary files on the way (past the spill limit)."""
    if spill:
        monkeypatch.setenv("COMPLIANCE_SPILL_FINDINGS", "1")
    db = tmp_path / "rounds.db"
    check(tmp_path, "json", "--history", str(db), *(["--show-pii"] if show_pii else []),
          jobs=jobs)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT message, subject FROM findings WHERE code = 'GRD001'"
                            ).fetchall()
    assert len(rows) == 1
    stored = repr(rows)
    for secret in SECRETS:
        assert secret not in stored, (secret, stored)
    assert "欧*****" in stored


def test_they_enter_fingerprints_only_keyed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two keys, two fingerprints: the phone (the rule's identity) entered through the key."""
    folder = school(tmp_path)
    plugins = plugin_dir(tmp_path)
    prints = []
    for key in ("one", "two"):
        monkeypatch.setenv("COMPLIANCE_FINGERPRINT_KEY", key)
        report = Engine(RunOptions(jobs=1, entry_points=False, plugins_dir=str(plugins))
                        ).check([str(folder)])
        prints.append([f.fingerprint for f in report.findings if f.code == "GRD001"])
    assert prints[0] and prints[1] and prints[0] != prints[1]
