"""Every code example in README.md and docs/*.md runs (or, for a fragment, compiles
and imports what it names), so the docs cannot drift from the code."""

from __future__ import annotations

import ast
import inspect
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.host import hookspecs
from tests.conftest import ROOT, SAMPLES

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(\w*)\n(.*?)^```", re.M | re.S)
SCRIPT = Path(sys.executable).with_name("compliance")


def blocks() -> list[tuple[str, str, str]]:
    out = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            out.append((f"{path.name}:{line}", match.group(1), match.group(2)))
    return out


BLOCKS = blocks()


def by_lang(*langs: str) -> list[tuple[str, str]]:
    return [pytest.param(code, id=where) for where, lang, code in BLOCKS if lang in langs]


def env(**extra: str) -> dict[str, str]:
    return {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"),
            "NO_COLOR": "1", "COLUMNS": "100", "COMPLIANCE_NO_ENTRY_POINTS": "1",
            # the fingerprint key file and the run's time: as conftest sets them
            "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"],
            "SOURCE_DATE_EPOCH": os.environ["SOURCE_DATE_EPOCH"], **extra}


def test_the_docs_have_examples() -> None:
    langs = [lang for _, lang, _ in BLOCKS]
    assert langs.count("python") >= 15 and langs.count("yaml") >= 8


# -- python ------------------------------------------------------------------------


SIGNATURE = re.compile(r"^def (\w+)\((.*)\) -> .+$")

PACK_YAML = """\
pack: trips
title: {zh: 活动, en: trips}
clauses: [LOCAL-HOURS]
rules:
  TRP001:
    severity: warning
    title: {zh: 活动结束过晚, en: an activity ends late}
    message: {zh: "活动在 {end} 结束", en: "an activity ends at {end}"}
    parameters: {latest_end: "18:00"}
"""

PROFILE_YAML = "name: our-district\nextends: national-2021\ntitle: {zh: 本区, en: ours}\n"
PLAN_YAML = "name: zhejiang-2023\nextends: national-2022\ngrades:\n  3-6: {minimum: {体育与健康: 4}}\n"


@pytest.mark.parametrize("code", by_lang("python"))
def test_python_example(code: str, tmp_path: Path) -> None:
    one_line = code.strip()
    if SIGNATURE.match(one_line):  # a hook's signature: it must be the spec's
        name, params = SIGNATURE.match(one_line).groups()  # type: ignore[union-attr]
        spec = getattr(hookspecs, name)
        assert list(inspect.signature(spec).parameters) == [
            p.split(":")[0].strip() for p in params.split(",") if p.strip()]
        return
    if one_line.startswith("compliance_check("):  # the fixture's signature
        fn = ast.parse("def " + one_line + ": ...").body[0]
        assert isinstance(fn, ast.FunctionDef)
        from compliance.verify import run_engine

        documented = {a.arg for a in fn.args.kwonlyargs} | {a.arg for a in fn.args.args}
        assert fn.args.vararg is not None and fn.args.vararg.arg == "paths"
        assert documented == set(inspect.signature(run_engine).parameters) - {"paths"} | {
            "rows", "school"}
        return
    if "def test_" in code:  # a test for the compliance_check fixture: run it
        (tmp_path / "test_doc_example.py").write_text(code, encoding="utf-8")
        result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                                 str(tmp_path / "test_doc_example.py")], capture_output=True,
                                text=True, cwd=tmp_path, env=env(), timeout=300)
        assert result.returncode == 0, result.stdout[-3000:]
        return
    if "@hookimpl" in code:  # a plugin module: load it and run a check with it
        (tmp_path / "doc_plugin.py").write_text(code, encoding="utf-8")
        (tmp_path / "rules.yaml").write_text(PACK_YAML, encoding="utf-8")
        (tmp_path / "our-district.yaml").write_text(PROFILE_YAML, encoding="utf-8")
        (tmp_path / "zhejiang-2023.yaml").write_text(PLAN_YAML, encoding="utf-8")
        fmt = "count" if "CountReporter" in code else "json"
        result = subprocess.run([str(SCRIPT), "check", str(SAMPLES / "zhongshan"), "-p",
                                 "doc_plugin", "--format", fmt, "--lang", "en"],
                                capture_output=True, text=True, env=env(PYTHONPATH=str(tmp_path)),
                                timeout=300)
        assert result.returncode in (0, 1), result.stderr
        # a check comparing values of the wrong type would raise: ERR001
        assert "ERR001" not in result.stdout and "INP003" not in result.stdout, result.stdout
        return
    # a fragment: it must compile, and what it imports must exist
    tree = ast.parse(code)
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("compliance"):
            module = __import__(node.module, fromlist=["*"])
            for alias in node.names:
                assert hasattr(module, alias.name), f"{node.module}.{alias.name}"


# -- yaml --------------------------------------------------------------------------


def school_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "school"
    folder.mkdir()
    shutil.copy(SAMPLES / "zhongshan" / "zs-001" / "school.yaml", folder / "school.yaml")
    return folder


def check_json(*paths: Path, extra: tuple[str, ...] = ()) -> dict:
    import json

    result = subprocess.run([str(SCRIPT), "check", *map(str, paths), "--format", "json",
                             "--lang", "en", *extra], capture_output=True, text=True, env=env(),
                            timeout=300)
    assert result.returncode in (0, 1, 2), result.stderr
    return json.loads(result.stdout)


@pytest.mark.parametrize("code", by_lang("yaml"))
def test_yaml_example(code: str, tmp_path: Path) -> None:
    from compliance.inputs.yaml_reader import load_text

    data = load_text(code)
    path = tmp_path / "example.yaml"
    path.write_text(code, encoding="utf-8")
    if isinstance(data, list) or (isinstance(data, dict) and "rows" in data):
        # a document a school hands in: read without an input problem
        folder = school_folder(tmp_path)
        name = "homework.yaml" if isinstance(data, list) else "doc.yaml"
        shutil.copy(path, folder / name)
        report = check_json(folder)
        assert not [f for f in report["findings"] if f["code"].startswith("INP")], report
    elif data.get("declarative"):
        from tests.test_declarative import load_with_kinds

        load_with_kinds(path)
    elif data and all(isinstance(v, dict) and set(v) & {"school", "role"} for v in data.values()):
        from compliance.web.tokens import Tokens  # serve's tokens.yaml

        assert len(Tokens.load(path)) == len(data)
    elif "official" in data or "holidays" in data:  # a calendar.yaml
        from compliance.inputs.model import District, Location
        from compliance.inputs.school_files import parse_calendar

        problems_: list = []
        parse_calendar(data, Location("calendar.yaml"), problems_, District(Location(".")))
        assert not problems_
    elif "zones" in data:
        from compliance.inputs.model import Location
        from compliance.inputs.school_files import parse_zones

        problems: list = []
        assert len(parse_zones(data, Location("zones.yaml"), problems)) >= 2 and not problems
    elif "waivers" in data:
        from compliance.host.waivers import load_waivers

        assert load_waivers(path)
    elif "findings" in data:
        from compliance.verify import load_expected

        load_expected(path)
    elif "official" in data:  # a calendar file (docs/calendar.md)
        from compliance.inputs.official_years import read_calendar_file

        calendar = read_calendar_file(str(path))
        assert calendar.official and not calendar.problems, calendar.problems
    elif "extends" in data:
        from compliance.host.profiles import load_profile

        assert load_profile(path).name == data["name"]
    else:  # settings
        from compliance.host.config import load_config

        config = load_config(str(path))
        assert config.values


@pytest.mark.parametrize("code", by_lang("csv"))
def test_csv_example(code: str, tmp_path: Path) -> None:
    lines = [line.split("←")[0].rstrip() for line in code.splitlines()]
    folder = school_folder(tmp_path)
    (folder / "materials.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    report = check_json(folder)
    marked = {i + 1 for i, line in enumerate(code.splitlines()) if "← WBK" in line}
    got = {f["location"]["line"] for f in report["findings"] if f["code"].startswith("WBK")}
    assert marked <= got
    assert not [f for f in report["findings"] if f["code"].startswith("INP")]


# -- shell -------------------------------------------------------------------------


def command_blocks() -> list[tuple[str, str]]:
    """Each shell block's ``compliance`` lines, run in order in one folder (a later
    command may read what an earlier one wrote, as ``history rounds.db`` does)."""
    out = []
    for where, lang, code in BLOCKS:
        if lang not in ("", "sh"):
            continue
        lines = [line.split("  #")[0].strip().removeprefix("$ ") for line in code.splitlines()]
        # `serve` starts a server that runs until stopped: tests/test_serve.py covers it
        lines = [line for line in lines if (line.startswith("compliance ") or _file_step(line))
                 and "…" not in line and not line.startswith("compliance serve")]
        if lines:
            out.append(pytest.param(lines, id=where))
    return out


def _file_step(line: str) -> bool:
    """A walk-through's own step on its files (``cp -r samples/zhongshan round2``,
    ``sed -i 3d round2/…``, ``mv``): run too, inside the example's folder only."""
    args = shlex.split(line) if line.startswith(("cp ", "mv ", "sed -i ")) else []
    return bool(args) and not any(a.startswith("/") or ".." in a for a in args[1:])


@pytest.mark.parametrize("lines", command_blocks())
def test_shell_example(lines: list[str], tmp_path: Path) -> None:
    for name in ("samples", "plugins", "tests"):
        (tmp_path / name).symlink_to(ROOT / name)
    for _, lang, code in BLOCKS:  # files the docs show by name (`# no-late-exams.yaml`)
        first = code.splitlines()[0] if code else ""
        if lang == "yaml" and re.fullmatch(r"# [\w.-]+\.yaml", first) and first != "# expected.yaml":
            (tmp_path / first[2:]).write_text(code, encoding="utf-8")
    ran = 0
    for line in lines:
        if _file_step(line):
            subprocess.run(shlex.split(line), cwd=tmp_path, check=True, timeout=60)
            continue
        args = shlex.split(line)[1:]
        paths = [a for a in args if ("/" in a or a.endswith((".yaml", ".db"))) and
                 not a.startswith("-") and ":" not in a and "--history" not in args]
        if args[0] in ("check", "verify", "history"):
            paths.append(args[1])
        if any(not (tmp_path / p).exists() for p in paths):
            continue  # a folder of the reader's own (my-school/, district/, round2)
        result = subprocess.run([str(SCRIPT), *args], capture_output=True, text=True,
                                cwd=tmp_path, env=env(COMPLIANCE_NO_ENTRY_POINTS=""), timeout=300)
        # the samples hold violations on purpose: exit 1 is the expected answer there
        assert result.returncode in (0, 1), (line, result.stderr)
        ran += 1
    if not ran:
        pytest.skip("every command names a folder of the reader's own")
