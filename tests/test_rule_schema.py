"""Rule metadata is checked against its schema when it loads: unknown keys, texts cut
by a YAML comma, missing or unknown clauses and mismatched placeholders are errors
naming the file and line; every shipped text renders whole."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.host.errors import ConfigError
from compliance.host.manager import make_plugin_manager
from compliance.host.registry import Registry
from compliance.rules.declarative import load_declarative
from compliance.rules.metadata import clauses
from compliance.rules.pack import RulePack
from compliance.verify import unfilled
from tests.conftest import ROOT

PACK = """\
pack: my-pack
title: {zh: 测试, en: test}
clauses: [LOCAL-HOURS]
rules:
  TST001:
    severity: warning
    title: {zh: 测试规则, en: a test rule}
    message: {zh: "{end} 结束", en: "ends at {end}"}
"""


def load(tmp_path: Path, text: str) -> RulePack:
    path = tmp_path / "pack.yaml"
    path.write_text(text, encoding="utf-8")
    return RulePack.from_yaml(path)


def error(tmp_path: Path, text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        load(tmp_path, text)
    assert info.value.file == str(tmp_path / "pack.yaml")
    return info.value


def test_a_valid_pack_loads(tmp_path: Path) -> None:
    assert load(tmp_path, PACK).rules["TST001"].clauses == ["LOCAL-HOURS"]


def test_an_unknown_rule_key_names_file_line_and_the_near_key(tmp_path: Path) -> None:
    exc = error(tmp_path, PACK + "    mesage: {zh: 多余, en: extra}\n")
    assert exc.line == 9
    assert "unknown key 'mesage' (did you mean 'message'?)" in str(exc)


def test_an_unknown_pack_key_is_an_error(tmp_path: Path) -> None:
    exc = error(tmp_path, PACK.replace("clauses: [LOCAL-HOURS]", "clause: [LOCAL-HOURS]"))
    assert exc.line == 3 and "'clause' (did you mean 'clauses'?)" in str(exc)


def test_an_unquoted_comma_in_a_flow_text_is_an_error_not_a_cut_title(tmp_path: Path) -> None:
    exc = error(tmp_path, PACK.replace("en: a test rule}", "en: a rule (exam, interview)}"))
    assert exc.line == 7
    assert "'interview)'" in str(exc) and "quote it" in str(exc)


def test_an_unknown_clause_key_is_an_error(tmp_path: Path) -> None:
    text = PACK.replace("rules:", "clause_texts:\n  MY-1:\n    document: {zh: 文件, en: a "
                        "document}\n    txt: 条文\nrules:")
    exc = error(tmp_path, text)
    assert exc.line == 7 and "'txt' (did you mean 'text'?)" in str(exc)


def test_a_rule_without_a_clause_fails_to_load(tmp_path: Path) -> None:
    exc = error(tmp_path, PACK.replace("clauses: [LOCAL-HOURS]\n", ""))
    assert "TST001 cites no clause" in str(exc) and exc.line == 5


def test_a_rule_citing_an_unknown_clause_fails_to_load(tmp_path: Path) -> None:
    exc = error(tmp_path, PACK.replace("[LOCAL-HOURS]", "[LOCAL-HOUR]"))
    assert "unknown clause 'LOCAL-HOUR' (did you mean 'LOCAL-HOURS'?)" in str(exc)


def test_a_clause_quoted_in_the_pack_file_may_be_cited(tmp_path: Path) -> None:
    text = PACK.replace("[LOCAL-HOURS]", "[MY-1]").replace(
        "rules:", "clause_texts:\n  MY-1:\n    document: {zh: 文件, en: a document}\n"
        "    text: 条文\nrules:")
    assert load(tmp_path, text).rules["TST001"].citation("en") == "MY-1 a document: 条文"


def test_a_placeholder_only_one_language_uses_is_an_error(tmp_path: Path) -> None:
    exc = error(tmp_path, PACK.replace('en: "ends at {end}"', 'en: "ends at {ennd}"'))
    assert exc.line == 8
    assert "the zh message fills {end} and the en message {ennd}" in str(exc)


# -- the shipped metadata ---------------------------------------------------------


def registry() -> Registry:
    return Registry.build(make_plugin_manager(entry_points=False,
                                              modules=["compliance_class_size"]))


PAIRS = {"(": ")", "（": "）", "[": "]", "“": "”", "《": "》", "〔": "〕"}


def unbalanced(text: str) -> bool:
    return any(text.count(a) != text.count(b) for a, b in PAIRS.items())


def test_every_title_message_and_citation_renders_whole_in_both_languages() -> None:
    reg = registry()
    assert len(reg.rules) > 30
    problems = []
    for code, meta in reg.rules.items():
        for lang in ("zh", "en"):
            texts = {"title": meta.title[lang], "message": meta.message[lang],
                     "citation": meta.citation(lang), "description": meta.description[lang]}
            for what, text in texts.items():
                if unbalanced(text) or text != text.strip() or text.endswith((",", "，", "、")):
                    problems.append(f"{code} {what} {lang}: {text!r}")
            # every clause the rule cites is in its citation
            problems += [f"{code} {lang}: {cid} missing" for cid in meta.clauses
                         if cid not in meta.citation(lang)]
    assert problems == []


def test_the_texts_a_comma_once_cut_are_whole() -> None:
    reg = registry()
    assert reg.rules["ENR002"].title["en"] == (
        "a selective admission (exam, interview or competition)")
    assert clauses()["MINORS-33"].document["en"] == "Law on the Protection of Minors, art. 33"
    assert clauses()["EDU-LAW-12"].document["en"] == "Compulsory Education Law, art. 12"
    assert "art. 12" in reg.rules["ENR001"].citation("en")


def test_every_shipped_rule_file_passes_the_schema() -> None:
    files = sorted((ROOT / "rules").glob("*.yaml")) + sorted(
        (ROOT / "plugins").rglob("*.yaml")) + sorted((ROOT / "tests" / "fixtures").rglob("*.yaml"))
    packs = [f for f in files if re.search(r"^rules:", f.read_text(encoding="utf-8"), re.M)
             and f.name != "expected.yaml"]
    assert len(packs) >= 7
    for path in packs:
        if "declarative: true" in path.read_text(encoding="utf-8"):
            load_declarative(path)
        else:
            RulePack.from_yaml(path)


# -- placeholders at run time (compliance verify) ---------------------------------


PLUGIN = '''
from pathlib import Path
from compliance.host.markers import hookimpl
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml(Path(__file__).with_name("late.yaml"))


@pack.check("LAT001")
def late(ctx):
    for entry in ctx.records("schedule"):
        yield ctx.finding("LAT001", entry, column="end", subject={"end": entry["end"]},
                          latest_end="17:00")


@hookimpl
def compliance_rule_packs():
    return [pack]
'''


def test_verify_reports_a_placeholder_the_rule_never_fills(tmp_path: Path) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "late_rules.py").write_text(PLUGIN, encoding="utf-8")
    (plugins / "late.yaml").write_text(PACK.replace("TST001", "LAT001").replace(
        '{zh: "{end} 结束", en: "ends at {end}"}',
        '{zh: "{end} 晚于 {latestend}", en: "ends at {end}, after {latestend}"}'),
        encoding="utf-8")
    case = tmp_path / "cases" / "late"
    shutil.copytree(ROOT / "tests" / "verify" / "hrs-eight-to-five", case)
    (case / "expected.yaml").write_text("select: [LAT]\nfindings:\n", encoding="utf-8")
    rows = (case / "schedule.csv").read_text(encoding="utf-8").count("\n") - 1
    (case / "expected.yaml").write_text(
        "select: [LAT]\nfindings:\n" + "".join(
            f"  - {{code: LAT001, file: schedule.csv, line: {i + 2}}}\n" for i in range(rows)),
        encoding="utf-8")
    script = Path(sys.executable).with_name("compliance")
    result = subprocess.run(
        [str(script), "verify", str(tmp_path / "cases"), "--lang", "en", "--no-entry-points",
         "-p", "late_rules"], capture_output=True, text=True,
        env={"PYTHONPATH": str(plugins), "PATH": ""})
    assert result.returncode == 1, result.stdout + result.stderr
    assert "LAT001: the message leaves {latestend} unfilled" in result.stdout


def test_unfilled_is_quiet_for_filled_messages() -> None:
    from compliance.inputs.model import Location
    from compliance.rules.finding import Finding

    done = Finding("X1", "error", "p", "s", "ends at 18:00, after 17:00", Location("f"))
    assert unfilled([done]) == []
