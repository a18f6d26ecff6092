"""Finding plugins (entry points, -p, --plugins-dir), turning them off, and the one-line
errors a broken plugin gives."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from compliance.host.errors import PluginError
from compliance.host.manager import make_plugin_manager
from compliance.host.registry import Registry
from tests.conftest import FIXTURES, SAMPLES

PLUGINS = FIXTURES / "plugins"


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("compliance")
    base = {"PATH": "", "LANG": "C", "PYTHONPATH": str(PLUGINS / "good"),
            "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"]}  # the key file: conftest
    return subprocess.run([str(script), *args], capture_output=True, text=True,
                          env={**base, **(env or {})})


def one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture
def fake_dist(tmp_path: Path) -> Path:
    """A folder that, on PYTHONPATH, holds an installed distribution with a
    `compliance` entry point (no pip needed)."""
    (tmp_path / "fake_rules.py").write_text(
        (PLUGINS / "good" / "good_plugin.py").read_text(encoding="utf-8").replace(
            'Path(__file__).with_name("good.yaml")', f'Path({str(PLUGINS / "good" / "good.yaml")!r})'),
        encoding="utf-8")
    info = tmp_path / "fake_rules-2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-rules\nVersion: 2.3\n",
                                   encoding="utf-8")
    (info / "entry_points.txt").write_text("[compliance]\nfake = fake_rules\n", encoding="utf-8")
    return tmp_path


def test_entry_point_plugin_is_found_with_its_version(fake_dist: Path) -> None:
    result = cli("plugins", "--format", "json", env={"PYTHONPATH": str(fake_dist)})
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    assert rows["fake"]["origin"] == "entry point"
    assert rows["fake"]["version"] == "2.3"
    assert rows["fake"]["source"] == "fake-rules"
    assert rows["fake"]["hooks"] == ["compliance_rule_packs"]


def test_no_entry_points_option_and_environment_variable(fake_dist: Path) -> None:
    env = {"PYTHONPATH": str(fake_dist)}
    by_option = json.loads(cli("plugins", "--format", "json", "--no-entry-points", env=env).stdout)
    by_env = json.loads(cli("plugins", "--format", "json",
                            env={**env, "COMPLIANCE_NO_ENTRY_POINTS": "1"}).stdout)
    assert [r["name"] for r in by_option] == []
    assert [r["name"] for r in by_env] == []


def test_broken_entry_point_names_package_and_remedy(fake_dist: Path) -> None:
    (fake_dist / "fake_rules.py").write_text("raise RuntimeError('boom')\n", encoding="utf-8")
    line = one_line_error(cli("rules", env={"PYTHONPATH": str(fake_dist)}))
    assert line == ("compliance: error: plugin 'fake' (entry point 'fake_rules' of package "
                    "'fake-rules') failed to import: RuntimeError: boom. Fix or uninstall the "
                    "package, or run with --no-entry-points.")


def test_p_module_and_plugins_dir_are_loaded_with_their_origin() -> None:
    result = cli("plugins", "--format", "json", "--no-entry-points", "-p", "good_plugin",
                 "--plugins-dir", str(FIXTURES.parent.parent / "plugins"))
    rows = {row["name"]: row["origin"] for row in json.loads(result.stdout)}
    assert rows == {"good_plugin": "-p", "markdown_report": "plugins dir"}


def test_all_lists_builtins_with_their_hooks() -> None:
    rows = json.loads(cli("plugins", "--all", "--format", "json", "--no-entry-points").stdout)
    builtin = {r["name"]: r for r in rows if r["origin"] == "built-in"}
    assert builtin["compliance.rules.declarative"]["hooks"] == ["compliance_rule_packs"]
    assert builtin["compliance.outputs.text"]["version"]


def test_plain_table_when_not_a_terminal() -> None:
    out = cli("plugins", "--no-entry-points", "-p", "good_plugin").stdout.splitlines()
    assert out[0].split() == ["good_plugin", "-", "-p", "compliance_rule_packs"]


def test_plugin_rule_runs_in_check() -> None:
    result = cli("check", str(SAMPLES / "zhongshan"), "--no-entry-points", "-p", "good_plugin",
                 "--select", "GDP", "--format", "json")
    codes = [f["code"] for f in json.loads(result.stdout)["findings"]]
    assert "GDP001" in codes


def test_failing_p_module_is_one_line() -> None:
    line = one_line_error(cli("rules", "-p", "compliance_no_such_plugin"))
    assert line.startswith("compliance: error: plugin module 'compliance_no_such_plugin' (-p) "
                           "failed to import: ModuleNotFoundError")
    assert line.endswith("Check the module name and that its package is installed.")


def test_failing_plugins_dir_file_is_one_line() -> None:
    line = one_line_error(cli("rules", "--plugins-dir", str(PLUGINS / "broken")))
    assert "broken_plugin.py (--plugins-dir) failed to import: ModuleNotFoundError" in line
    assert line.endswith(f"Fix the file or move it out of {PLUGINS / 'broken'}.")


def test_wrong_signature_names_plugin_hook_and_the_right_signature() -> None:
    line = one_line_error(cli("rules", "--plugins-dir", str(PLUGINS / "wrong_signature")))
    assert line == ("compliance: error: plugin 'wrong_signature' (plugins dir): hook "
                    "compliance_rule_packs takes argument(s) config that the hook does not pass; "
                    "its signature is compliance_rule_packs() — declare only those arguments "
                    "(docs/hooks.md).")


def test_misspelt_hook_suggests_the_right_one() -> None:
    line = one_line_error(cli("rules", "--plugins-dir", str(PLUGINS / "unknown_hook")))
    assert "implements 'compliance_rule_pack', which is not a compliance hook; did you mean " \
           "compliance_rule_packs?" in line


def test_two_plugins_defining_one_code_name_both_and_the_hook() -> None:
    line = one_line_error(cli("rules", "--no-entry-points", "--plugins-dir", str(PLUGINS / "clash")))
    assert line == ("compliance: error: rule code 'HOL001' is defined by both plugin "
                    "'clash' and plugin 'compliance.rules.packs.holiday_classes' (hook "
                    "compliance_rule_packs); rename it in one of them, or leave one out "
                    "(uninstall it, or run with --no-entry-points)")


def test_a_hook_that_raises_names_plugin_and_hook() -> None:
    class Raising:
        __name__ = "raising"

        from compliance import hookimpl

        @hookimpl
        def compliance_reporters(self):
            raise ValueError("nope")

    plugins = make_plugin_manager(entry_points=False, extra=[Raising()])
    with pytest.raises(PluginError, match=r"^plugin 'raising': hook compliance_reporters raised "
                                          r"ValueError: nope$"):
        Registry.build(plugins)


def test_trace_variable_traces_hook_calls_to_stderr() -> None:
    result = cli("check", str(SAMPLES / "zhongshan" / "zs-001"), "--no-entry-points",
                 "--format", "json", env={"COMPLIANCE_TRACE_PLUGINS": "1"})
    trace = [line for line in result.stderr.splitlines() if line.startswith("[compliance trace]")]
    assert ("[compliance trace] compliance_rule_packs by plugin compliance.rules.declarative: "
            "1 item(s)") in trace
    assert "[compliance trace] call compliance_official_calendar(year=2025) -> " \
           "compliance.inputs.calendar" in trace
    assert json.loads(result.stdout)["schema_version"] == 1  # the report itself is untouched


def test_no_trace_without_the_variable() -> None:
    env = {k: v for k, v in os.environ.items() if k != "COMPLIANCE_TRACE_PLUGINS"}
    result = cli("rules", "--no-entry-points", env={"HOME": env.get("HOME", "/")})
    assert "[compliance trace]" not in result.stderr
