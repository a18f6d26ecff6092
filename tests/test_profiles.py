"""Profiles: built-in default and national-2021, user profiles that override and extend."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine, RunOptions
from compliance.host.errors import ConfigError, UsageError
from compliance.host.profiles import Profiles, load_profile, typed
from compliance.rules.metadata import rules_dir
from tests.packs_support import district, run

RUNNER = CliRunner()


def engine(profile: str) -> Engine:
    return Engine(RunOptions(profile=profile, entry_points=False))


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_builtin_profiles_name_only_existing_rules_and_parameters() -> None:
    eng = engine("default")
    for path in sorted((rules_dir() / "profiles").glob("*.yaml")):
        profile = load_profile(path)
        for key, values in profile.parameters.items():
            metas = [m for m in eng.registry.rules.values() if key in (m.code, m.pack)]
            assert metas, f"{path.name}: {key} is neither a rule code nor a pack"
            for name in values:
                assert any(name in m.parameters for m in metas), f"{path.name}: {key}.{name}"


def test_national_2021_fills_the_homework_limits_by_grade_band() -> None:
    eng = engine("national-2021")
    rules = eng.registry.rules
    assert eng.settings.params(rules["HWK005"])["no_written_grades"] == [1, 2]
    assert eng.settings.params(rules["HWK006"])["max_avg_minutes"] == {"3-6": 60, "7-9": 90}
    assert eng.settings.params(rules["HWK007"])["max_day_minutes"] == {"3-6": 60, "7-9": 90}


def test_default_has_no_homework_limits() -> None:
    eng = engine("default")
    assert eng.settings.params(eng.registry.rules["HWK006"])["max_avg_minutes"] is None
    assert eng.settings.params(eng.registry.rules["HWK005"])["no_written_grades"] == []


def test_user_profile_overrides_parameters_and_severities_of_its_base(tmp_path: Path) -> None:
    path = write(tmp_path / "strict.yaml", """\
name: strict
extends: national-2021
title: {zh: 从严, en: strict}
parameters:
  HWK006: {max_avg_minutes: {"3-6": 40, "7-9": 90}}
  workbooks: {max_per_subject: 2}
severities:
  HWK007: error
  workbooks: info
""")
    eng = engine(str(path))
    rules = eng.registry.rules
    assert eng.settings.profile == "strict"
    assert [p.name for p in eng.settings.chain] == ["default", "national-2021", "strict"]
    assert eng.settings.params(rules["HWK006"])["max_avg_minutes"]["3-6"] == 40
    assert eng.settings.params(rules["HWK005"])["no_written_grades"] == [1, 2]  # inherited
    assert eng.settings.params(rules["WBK004"])["max_per_subject"] == 2  # pack-wide
    assert eng.settings.severity(rules["HWK007"]) == "error"
    assert {eng.settings.severity(rules[c]) for c in ("WBK001", "WBK004")} == {"info"}


def test_user_profile_changes_what_a_check_finds(tmp_path: Path) -> None:
    homework = "".join(f"- {{date: 2025-09-2{d}, class: 3-1, subject: 数学, minutes: 50}}\n"
                       for d in range(2, 7))
    root = district(tmp_path, {"t-001": {"homework.yaml": homework}})
    profile = write(tmp_path / "strict.yaml", "name: strict\nextends: national-2021\n"
                    "parameters:\n  HWK006: {max_avg_minutes: 45}\nseverities: {HWK006: warning}\n")
    assert [f for f in run(root, "national-2021").findings if f.code == "HWK006"] == []
    found = [f for f in run(root, str(profile)).findings if f.code == "HWK006"]
    assert [(f.code, f.severity) for f in found] == [("HWK006", "warning")]


def test_user_profile_may_extend_another_profile_file(tmp_path: Path) -> None:
    write(tmp_path / "base.yaml", "name: base\nextends: national-2021\n"
          "parameters: {HWK007: {max_day_minutes: 30}}\n")
    child = write(tmp_path / "child.yaml", "name: child\nextends: base.yaml\n"
                  "severities: {HWK007: error}\n")
    eng = engine(str(child))
    meta = eng.registry.rules["HWK007"]
    assert [p.name for p in eng.settings.chain] == ["default", "national-2021", "base", "child"]
    assert eng.settings.params(meta)["max_day_minutes"] == 30
    assert eng.settings.source_of(meta, "max_day_minutes") == "profile base"


def test_a_profile_extending_itself_is_an_error(tmp_path: Path) -> None:
    write(tmp_path / "a.yaml", "name: a\nextends: b.yaml\n")
    b = write(tmp_path / "b.yaml", "name: b\nextends: a.yaml\n")
    with pytest.raises(ConfigError, match="loop"):
        engine(str(b))


def test_unknown_base_profile_is_a_usage_error_naming_the_known_ones(tmp_path: Path) -> None:
    path = write(tmp_path / "x.yaml", "name: x\nextends: nationl-2021\n")
    with pytest.raises(UsageError, match="national-2021"):
        engine(str(path))


def test_a_bad_severity_names_the_file_and_line(tmp_path: Path) -> None:
    path = write(tmp_path / "x.yaml", "name: x\nseverities:\n  HWK007: fatal\n")
    with pytest.raises(ConfigError) as info:
        Profiles([str(path)])
    assert "x.yaml" in str(info.value) and ":3" in str(info.value)


def test_a_profile_without_a_name_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="name"):
        Profiles([str(write(tmp_path / "x.yaml", "parameters: {}\n"))])


def test_parameter_values_are_typed_like_yaml() -> None:
    assert typed({"a": "60", "b": ["1", "2"], "c": "08:20", "d": "1.5", "e": "007", "f": "true"}) == {
        "a": 60, "b": [1, 2], "c": "08:20", "d": 1.5, "e": "007", "f": True}


def test_cli_profiles_lists_the_builtin_profiles() -> None:
    result = RUNNER.invoke(app, ["profiles", "--lang", "en"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].startswith("default") and "local policy as written" in lines[0]
    assert lines[1].startswith("national-2021") and "(extends default)" in lines[1]


def test_cli_explain_shows_the_values_in_force_under_a_profile() -> None:
    result = RUNNER.invoke(app, ["explain", "HWK006", "--profile", "national-2021", "--lang", "en"])
    assert result.exit_code == 0
    assert 'max_avg_minutes = {"3-6": 60, "7-9": 90}    (profile national-2021)' in result.output
    assert "HOMEWORK-2021" in result.output
    plain = RUNNER.invoke(app, ["explain", "HWK006", "--lang", "en"])
    assert "max_avg_minutes = null    (rule default)" in plain.output


def test_cli_explain_under_a_user_profile_file(tmp_path: Path) -> None:
    path = write(tmp_path / "mine.yaml",
                 "name: mine\nparameters: {ENR001: {exempt_categories: [军人子女]}}\n")
    result = RUNNER.invoke(app, ["explain", "ENR001", "--profile", str(path), "--lang", "zh"])
    assert result.exit_code == 0
    assert 'exempt_categories = ["军人子女"]    （配置 mine）' in result.output


def test_cli_unknown_profile_is_one_line_and_exit_2() -> None:
    result = RUNNER.invoke(app, ["explain", "HWK006", "--profile", "nope"])
    assert result.exit_code == 2
    assert "unknown profile 'nope'" in result.output
    assert "Traceback" not in result.output


def test_a_profile_naming_an_unknown_code_is_an_error(tmp_path: Path) -> None:
    path = write(tmp_path / "typo.yaml", "name: typo\nparameters:\n  HWK06: {max_avg_minutes: 50}\n")
    with pytest.raises(ConfigError, match="HWK06") as info:
        engine(str(path))
    assert "typo.yaml" in str(info.value)
