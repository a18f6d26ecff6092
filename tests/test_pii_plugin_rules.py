"""A plugin rule that repeats a child's personal data under keys of its own choosing
(``child``, ``who``) or quotes it in a text still shows it masked in every report,
unless ``--show-pii`` is given: the finding factory masks the row's own id, name and
address wherever the finding repeats them, read by rows or by columns."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from compliance.cli import app

PACK = """pack: quoting
title: {zh: 引用个人信息的插件规则, en: a plugin rule quoting personal data}
clauses: [LOCAL-CATCHMENT]
rules:
  QUO001:
    severity: warning
    title: {zh: 引用学生, en: quotes the student}
    message: {zh: "{who} 的记录：{note}", en: "record of {who}: {note}"}
"""
PLUGIN = '''
from pathlib import Path
from compliance import hookimpl
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml(Path(__file__).with_name("quoting.yaml"))


@pack.check("QUO001")
def quoting(ctx):
    for row in ctx.records("enrollment"):
        if row["grade"] == 3:
            note = f"学生{row['student_id']}住{row['residence_address']}"
            yield ctx.finding("QUO001", row, subject={"child": row["name"], "note": note,
                                                       "family": [row["name"], "父亲"]},
                              who=row["name"], note=note)


@hookimpl
def compliance_rule_packs():
    return [pack]
'''
SCHOOL = "school:\n  id: {id}\n  name: 测试学校\n  level: primary\n  catchment: [Z01]\n"
HEADER = "学籍号,姓名,年级,居住学区,居住地址,录取方式\n"
# the one row the plugin quotes: marked values (capital letters masking removes)
QUOTED = "GQXKVZ20190042,欧阳QXKV,3,Z01,解放路QXKV号,就近\n"


def district(root: Path) -> Path:
    filler = "".join(f"G{n:012d},张三,1,Z01,,就近\n" for n in range(1200))  # over 16 KiB
    for sid, rows in (("S-1", QUOTED), ("S-2", QUOTED + filler)):  # by rows; by columns
        folder = root / sid
        folder.mkdir(parents=True)
        (folder / "school.yaml").write_text(SCHOOL.format(id=sid), encoding="utf-8")
        (folder / "enrollment.csv").write_text(HEADER + rows, encoding="utf-8")
    return root


@pytest.mark.parametrize("fmt", ["json", "text", "csv", "sarif"])
@pytest.mark.parametrize("show_pii", [False, True])
def test_a_plugin_rule_quoting_a_child_shows_it_masked(tmp_path: Path, fmt: str,
                                                          show_pii: bool) -> None:
    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "quoting.yaml").write_text(PACK, encoding="utf-8")
    (plugins / "quotingplugin.py").write_text(PLUGIN, encoding="utf-8")
    out = tmp_path / f"report.{fmt}"
    result = CliRunner().invoke(app, [
        "check", str(district(tmp_path / "d")), "--no-entry-points", "--plugins-dir",
        str(plugins), "-f", fmt, "-o", str(out), "--jobs", "1", "--lang", "zh",
        *(["--show-pii"] if show_pii else [])])
    assert result.exit_code in (0, 1), result.output
    text = out.read_text("utf-8")
    assert text.count("QUO001") >= 2, text[:2000]  # both schools, both ways of reading
    for value in ("GQXKVZ20190042", "欧阳QXKV", "解放路QXKV号"):
        assert (value in text) == show_pii, value
    if not show_pii:
        assert "0042" in text and "欧**" in text  # masked, not dropped
        assert "父亲" in text or fmt != "json"  # the rest of a list is left as it is
