"""Every user-visible text exists in Chinese and in English."""

from __future__ import annotations

import re
from collections.abc import Iterator
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
