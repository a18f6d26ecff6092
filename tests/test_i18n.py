"""Every user-visible text exists in Chinese and in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from typer.testing import CliRunner

from compliance.cli import app
from compliance.rules.metadata import load_yaml_file, plain, rules_dir
from tests.conftest import SAMPLES

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e]")
LATIN = re.compile(r"[A-Za-z]")


def bilingual(pair: Any, where: str) -> list[str]:
    """Problems with one ``{zh: …, en: …}`` pair (empty when it is fine)."""
    if not isinstance(pair, dict):
        return [f"{where}: not a {{zh, en}} pair: {pair!r}"]
    out = []
    if not CJK.search(str(pair.get("zh") or "")):
        out.append(f"{where}: no Chinese text: {pair.get('zh')!r}")
    if not LATIN.search(str(pair.get("en") or "")):
        out.append(f"{where}: no English text: {pair.get('en')!r}")
    return out


def yaml_pairs() -> Iterator[tuple[str, Any]]:
    root = rules_dir()
    for path in sorted(root.glob("*.yaml")):
        data = plain(load_yaml_file(path))
        if path.name == "clauses.yaml":
            for cid, clause in data.items():
                yield f"{path.name} {cid} document", clause.get("document")
            continue
        yield f"{path.name} title", data.get("title")
        for code, rule in (data.get("rules") or {}).items():
            for key in ("title", "message", "description"):
                if key in rule or key != "description":
                    yield f"{path.name} {code} {key}", rule.get(key)
            for part, text in (rule.get("example") or {}).items():
                yield f"{path.name} {code} example {part}", text
    for path in sorted((root / "profiles").glob("*.yaml")):
        data = plain(load_yaml_file(path))
        yield f"profiles/{path.name} title", data.get("title")


def test_every_rule_pack_text_is_in_both_languages() -> None:
    pairs = list(yaml_pairs())
    assert len(pairs) > 30
    problems = [p for where, pair in pairs for p in bilingual(pair, where)]
    assert problems == []


def test_every_report_label_is_in_both_languages() -> None:
    from compliance.host import waivers
    from compliance.outputs.labels import LABELS

    problems = [p for key, pair in LABELS.items() for p in bilingual(pair, f"labels {key}")]
    problems += [p for code, pair in waivers.TITLES.items() for p in bilingual(pair, f"{code} title")]
    problems += [p for code, pair in waivers.MESSAGES.items()
                 for p in bilingual(pair, f"{code} message")]
    problems += bilingual(waivers.ALL_SCHOOLS, "waivers ALL_SCHOOLS")
    assert problems == []


def test_every_value_label_and_document_kind_title_is_in_both_languages() -> None:
    from compliance.host.manager import make_plugin_manager
    from compliance.host.registry import Registry
    from compliance.rules.i18n import LABELS

    problems = [p for group, entries in LABELS.items() for key, pair in entries.items()
                for p in bilingual(pair, f"i18n {group}.{key}")]
    registry = Registry.build(make_plugin_manager(entry_points=False))
    problems += [p for name, kind in registry.kinds.items()
                 for p in bilingual(kind.title, f"kind {name}")]
    assert problems == []


def cli_helps() -> Iterator[tuple[str, str | None]]:
    command = typer.main.get_command(app)
    yield "compliance", command.help
    for name, sub in command.commands.items():
        yield name, sub.help
        for param in sub.params:
            if param.name != "help":
                yield f"{name} {'/'.join(param.opts)}", getattr(param, "help", None)
    for param in command.params:
        if param.name != "help":
            yield f"compliance {'/'.join(param.opts)}", getattr(param, "help", None)


def test_every_cli_help_string_has_chinese_and_english() -> None:
    helps = list(cli_helps())
    assert len(helps) > 40
    problems = [f"{where}: {text!r}" for where, text in helps
                if not text or not (CJK.search(text) and LATIN.search(text))]
    assert problems == []


@pytest.mark.parametrize("lang, env, expected, absent", [
    ("zh", {}, "汇总", "Summary:"),
    ("en", {"LANG": "zh_CN.UTF-8"}, "Summary:", "汇总"),
    (None, {"LANG": "zh_CN.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}, "汇总", "Summary:"),
    (None, {"LANG": "C.UTF-8", "LC_ALL": "", "LC_MESSAGES": ""}, "Summary:", "汇总"),
])
def test_language_comes_from_lang_option_else_the_locale(lang, env, expected, absent, monkeypatch) -> None:
    for key, value in env.items():
        if value:
            monkeypatch.setenv(key, value)
        else:
            monkeypatch.delenv(key, raising=False)
    monkeypatch.delenv("LANGUAGE", raising=False)
    args = ["check", str(SAMPLES / "zhongshan"), "--no-entry-points", "--format", "text"]
    if lang:
        args += ["--lang", lang]
    result = CliRunner().invoke(app, args)
    assert expected in result.stdout and absent not in result.stdout


# --- the reasons inside INP/ERR findings ------------------------------------------

BAD_SCHOOL = """\
school:
  id: I18N-1
  name: 双语测试学校
  level: university
  boarding: maybe
  classes: [3-1, 十班]
  catchment: [Z01]
  terms:
    - {name: 秋, start: 2035-09-01, end: 2036-01-16}
    - {name: 倒, start: 2025-09-01, end: 2025-08-01}
    - just a text
  disclosure: {homework: {published: perhaps, date: someday}}
"""

BAD_SCHEDULE = """\
days,date,start,end,activity,compulsory,grades,title
,2035-10-08,08:00,11:00,lesson,,,a
Mon-Fri,,25:00,11:00,lesson,,,b
Mon-Fri,2025-10-10,08:00,09:00,lesson,,,c
,,08:00,09:00,lesson,,,d
Mon-Fri,,10:00,09:00,lesson,,,e
Someday,,08:00,09:00,lesson,,,f
Mon-Fri,,08:00,09:00,dancing,,,g
Mon-Fri,,08:00,09:00,lesson,maybe,,h
Mon-Fri,,08:00,09:00,lesson,,十年级,i
Mon-Fri,,,09:00,lesson,,,j
Mon-Fri,,08:00,09:00,lesson,,,k,extra cell
Mon-Fri,,08:00
"""

BAD_HOMEWORK = """\
- {date: 2035-09-24, class: 3-1, subject: 语文, minutes: 20}
- {date: 2035-09-26, class: 3-1, subject: 数学, minutes: lots}
- {date: 2035-02-30, class: 3-1, subject: 数学, minutes: 10}
- just a text
"""

BAD_MATERIALS = "年级,学科,书名,类别,单价\n大一,数学,口算,workbook,free\n3,数学,口算,poster,1\n"
BAD_ENROLLMENT = "学籍号,姓名,年级,居住地址,录取方式\nG1,张三,1,无名路1号,就近\nG2,李四,1,幸福小区1号,就近\n"
BAD_ZONES = """\
zones:
  Z01: {name: 一区, communities: [幸福小区]}
  Z02: {name: 二区, communities: [幸福小区], streets: [[1, 2]]}
  Z03: just a text
"""


def bad_inputs(root: Path, plugins: Path) -> list[Path]:
    """The adversarial corpus, the samples, a failing plugin's files and a district of
    every other kind of bad input the loader knows: every INP and ERR reason there is."""
    import textwrap

    from tests.adversarial_corpus import build_all
    from tests.test_failing_plugins import PACK_YAML, PLUGIN

    plugins.mkdir()
    (plugins / "boom.yaml").write_text(PACK_YAML, encoding="utf-8")
    (plugins / "boomplugin.py").write_text(textwrap.dedent(PLUGIN), encoding="utf-8")
    corpus = build_all(root / "corpus")
    district = root / "district"
    school = district / "i18n-1"
    school.mkdir(parents=True)
    files = {
        district / "zones.yaml": BAD_ZONES,
        district / "calendar.yaml": "holidays: [2025-13-01, 2025-10-01]\n",
        district / "loose" / "schedule.csv": "school_id,days,start,end,activity\n"
                                              "NOPE-1,Mon-Fri,08:00,09:00,lesson\n,Mon,8:00,9:00,lesson\n",
        district / "copy" / "school.yaml": "school: {id: I18N-1}\n",
        district / "nameless" / "school.yaml": "school: {name: 无名}\n",
        school / "school.yaml": BAD_SCHOOL,
        school / "schedule.csv": BAD_SCHEDULE,
        school / "homework.yaml": BAD_HOMEWORK,
        school / "materials.csv": BAD_MATERIALS,
        school / "enrollment.csv": BAD_ENROLLMENT,
        school / "作息表.csv": "days,title\nMon-Fri,x\n",
        school / "data.csv": "foo,bar,baz\n1,2,3\n",
        school / "notes.docx": "not a document",
        school / "README": "ignored",
        school / "noext": "no suffix",
        school / "merge.yaml": "kind: schedule\nbase: &b {days: Mon}\nrows:\n  - <<: *b\n",
        school / "keys.yaml": "? [a, b]\n: c\n",
        school / "unknown.yaml": "something: else\n",
        school / "list.json": '["a", "b"]\n',
        school / "broken.json": '{"kind": "schedule", "rows": [}\n',
        school / "broken.yaml": "kind: schedule\nrows: [\n",
        school / "schedule.boom": "anything",
        school / "schedule.half": "anything",
        school / "weird.csv": "note\nfine\nboom\nfinish\n",
    }
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [corpus, district, SAMPLES / "zhongshan", SAMPLES / "single-file"]


@pytest.fixture(scope="module")
def messages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    """The INP/ERR messages of one run over every bad input, in each language."""
    import json

    from tests.adversarial_corpus import run_cli

    root = tmp_path_factory.mktemp("i18n")
    plugins = root / "plugins"
    paths = bad_inputs(root, plugins)
    out = {}
    for lang in ("zh", "en"):
        run = run_cli("--format", "json", "--plugins-dir", plugins, *paths, school=False,
                      timeout=180, lang=lang)
        assert run.status == 2 and "Traceback" not in run.output, run.output[-2000:]
        found = json.loads(run.stdout)["findings"]
        text = [f["message"] for f in found if f["code"].startswith(("INP", "ERR"))]
        for path in sorted(map(str, (root, *paths)), key=len, reverse=True):
            text = [t.replace(path, "") for t in text]  # file names are the user's
        out[lang] = text
    return out


# What is the user's, never translated: quoted values (`…`, '…', "…", “…”), rule codes.
USER_DATA = re.compile(r"`[^`\n]*`|'[^'\n]*'|\"[^\"\n]*\"|“[^”]*”|\b[A-Z]{2,}\d{3}\b")
ENGLISH_RUN = re.compile(r"[A-Za-z]+(?:[\s,;:()\-/]+[A-Za-z]+){2,}")


def test_input_problem_reasons_are_in_the_run_language(messages: dict[str, list[str]]) -> None:
    assert len(messages["zh"]) == len(messages["en"]) > 60
    english = [(m, run.group()) for m in messages["zh"]
               if (run := ENGLISH_RUN.search(USER_DATA.sub("", m)))]
    chinese = [m for m in messages["en"] if CJK.search(USER_DATA.sub("", m))]
    assert english == [] and chinese == []


def placeholders(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}


def test_every_reason_is_in_both_languages_with_the_same_placeholders() -> None:
    from compliance.inputs.reasons import REASONS, Msg

    assert len(REASONS) > 60
    problems = [p for key, pair in REASONS.items() for p in bilingual(pair, f"reason {key}")]
    problems += [f"reason {key}: {placeholders(pair['zh'])} != {placeholders(pair['en'])}"
                 for key, pair in REASONS.items()
                 if placeholders(pair["zh"]) != placeholders(pair["en"])]
    for key, pair in REASONS.items():
        values = {name: f"<{name}>" for name in placeholders(pair["en"])}
        for lang in ("zh", "en"):
            text = Msg(key, **values).render(lang)
            try:  # a template that does not format is shown raw: a mistake here
                assert text == pair[lang].format(**values)
            except (ValueError, IndexError, KeyError, AssertionError):
                problems.append(f"reason {key} {lang}: not a template: {pair[lang]!r}")
            problems += [f"reason {key} {lang}: {name} not shown" for name in values
                         if f"<{name}>" not in text]
    assert problems == []


def test_every_reason_key_used_exists_and_every_one_is_used() -> None:
    from compliance.inputs.reasons import REASONS

    src = Path(__file__).resolve().parents[1] / "src" / "compliance"
    code = "\n".join(p.read_text(encoding="utf-8") for p in src.rglob("*.py")
                     if p.name != "reasons.py")
    used = set(re.findall(r"Msg\(\s*\"([a-z_]+\.[a-z_]+)\"", code))
    assert used and used <= set(REASONS), used - set(REASONS)
    assert [key for key in REASONS if f'"{key}"' not in code] == []


def test_a_reason_is_rendered_with_the_finding_in_the_run_language() -> None:
    from compliance.host.engine import Engine, RunOptions
    from compliance.host.parallel import run_state
    from compliance.inputs.model import Location
    from compliance.inputs.problems import InputProblem
    from compliance.inputs.reasons import Msg

    problem = InputProblem("INP001", Location("a.csv", 3, "start"),
                           Msg("cell.unreadable", value="'25:00'", column="start",
                               expected=Msg("expect.time")))
    messages = {}
    for lang in ("zh", "en"):
        engine = Engine(RunOptions(entry_points=False, lang=lang))
        messages[lang] = engine._input_finding(problem, run_state(engine)).message
    assert messages == {"zh": "无法读取的值：`start` 中的 '25:00' 无法识别，应为时间，如 08:00",
                        "en": "a value cannot be read: cannot read '25:00' in `start`: "
                              "expected a time such as 08:00"}


PLAIN_PLUGIN = '''
from compliance.host.markers import hookimpl
from compliance.inputs.kinds import DocumentKind, Field
from compliance.inputs.raw import RawRow, RawTable, ReadError
from compliance.inputs.reasons import Msg
from compliance.inputs.values import BadValue


class PlainReader:
    name = "plain"
    suffixes = (".plain",)

    def read(self, path):
        raise ReadError("the plain reader says no", 2)


class PairReader:
    name = "pair"
    suffixes = (".pair",)

    def read(self, path):
        raise ReadError(Msg({"zh": "第 {n} 段无法读取", "en": "part {n} cannot be read"}, n=3))


class RowsReader:
    name = "rows"
    suffixes = (".rows",)

    def read(self, path):
        return [RawTable(["colour"], [RawRow(2, {"colour": "red"}, "a row of the plain kind"),
                                      RawRow(3, {"colour": "mauve"}),
                                      RawRow(4, {"colour": "blue"})], kind_hint="palette")]


def parse_colour(value):
    if value not in ("red", "blue"):
        raise BadValue("a colour a child can name", value)
    return value


def finish(values):
    return "blue is not allowed in a plain text" if values["colour"] == "blue" else None


@hookimpl
def compliance_readers():
    return [PlainReader(), PairReader(), RowsReader()]


@hookimpl
def compliance_document_kinds():
    return [DocumentKind(name="palette", fields=[Field("colour", parse_colour, required=True)],
                         finish=finish)]
'''


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_a_plugins_plain_text_reason_is_shown_as_it_is(tmp_path: Path, lang: str) -> None:
    from compliance.host.engine import Engine, RunOptions
    from compliance.host.parallel import run_state
    from compliance.inputs.model import Location
    from compliance.inputs.problems import InputProblem
    from tests.adversarial_corpus import SCHOOL

    plugins = tmp_path / "plugins"
    plugins.mkdir()
    (plugins / "plainplugin.py").write_text(PLAIN_PLUGIN, encoding="utf-8")
    school = tmp_path / "school"
    school.mkdir()
    for name in ("a.plain", "b.pair", "c.rows"):
        (school / name).write_text("x", encoding="utf-8")
    engine = Engine(RunOptions(school=str(SCHOOL), entry_points=False, plugins_dir=str(plugins),
                               lang=lang))
    report = engine.check([str(school)])
    found = {(Path(f.location.file).name, f.location.line): f.message for f in report.findings
             if f.code.startswith("INP")}
    zh = lang == "zh"
    assert found[("a.plain", 2)] == ("文件无法读取：" if zh else "file cannot be read: ") + \
        "the plain reader says no"
    assert found[("b.pair", None)] == ("文件无法读取：第 3 段无法读取" if zh
                                       else "file cannot be read: part 3 cannot be read")
    assert found[("c.rows", 2)].endswith("a row of the plain kind")
    assert found[("c.rows", 3)].endswith("a colour a child can name")
    assert "'mauve'" in found[("c.rows", 3)]
    assert found[("c.rows", 4)].endswith("：blue is not allowed in a plain text" if zh
                                         else ": blue is not allowed in a plain text")
    plain = InputProblem("INP005", Location("x.yaml"), "a plugin's own words")
    assert engine._input_finding(plain, run_state(engine)).message.endswith("a plugin's own words")
