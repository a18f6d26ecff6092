"""Settings files: ``--config FILE``, else the nearest ``compliance.yaml`` or
``pyproject.toml`` with a ``[tool.compliance]`` table, looking in the current folder
and then each parent folder in turn (as ruff and pytest find theirs).

Every key is optional; command-line options win::

    profile: national-2021
    select: [HRS, HOL]
    ignore: [HRS003]
    pack: [working-hours]
    fail_on: warning
    lang: zh
    waivers: waivers.yaml
    profiles: [profiles/our-district.yaml]
    plugins: [our_bureau_rules]
    plugins_dir: local-plugins
    calendar: calendars/2027.yaml   # official years and local days (or a list of files)
    parameters:
      HRS002: {latest_end: "17:30"}
    severities:
      HRS003: error
    curriculum: plans/our-province.yaml   # the CUR pack's curriculum plan
"""

from __future__ import annotations

import builtins
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.host.errors import ConfigError
from compliance.rules.metadata import load_yaml_file, plain

KEYS = {
    "profile", "select", "ignore", "pack", "packs", "fail_on", "fail-on", "lang", "format",
    "waivers", "profiles", "plugins", "plugins_dir", "plugins-dir", "parameters", "severities",
    "show_pii", "jobs", "rules", "rule_timeout", "calendar", "fingerprint_key", "curriculum",
}


@dataclass
class Config:
    """Settings from a file; ``source`` names it for messages."""

    values: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    base: Path = field(default_factory=Path.cwd)

    def get(self, key: str, default: Any = None) -> Any:
        for name in (key, key.replace("_", "-")):
            if name in self.values:
                return self.values[name]
        return default

    def list(self, key: str) -> list[str]:
        value = self.get(key)
        if value is None:
            return []
        if isinstance(value, str):
            return [v.strip() for v in value.split(",") if v.strip()]
        return [str(v) for v in value]

    def path(self, key: str) -> str | None:
        """A path setting, relative to the settings file's folder."""
        value = self.get(key)
        return None if value is None else str(self.base / str(value))

    def paths(self, key: str) -> builtins.list[str]:  # `list` is the method above here
        return [str(self.base / p) for p in self.list(key)]


def load_config(explicit: str | None, cwd: Path | None = None) -> Config:
    cwd = cwd or Path.cwd()
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise ConfigError("settings file not found", explicit)
        if path.suffix == ".toml":
            return _from_toml(path, required=True)
        return _from_yaml(path)
    for folder in (cwd, *cwd.resolve().parents):
        local = folder / "compliance.yaml"
        if local.is_file():
            return _from_yaml(local)
        pyproject = folder / "pyproject.toml"
        # a pyproject.toml without [tool.compliance] belongs to something else: look further up
        if pyproject.is_file() and (found := _from_toml(pyproject, required=False)).source:
            return found
    return Config()


def _from_yaml(path: Path) -> Config:
    data = load_yaml_file(path)
    values = plain(data)
    _check_keys(values, str(path), data)
    return Config(values, str(path), path.parent)


def _from_toml(path: Path, required: bool) -> Config:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"not valid TOML: {exc}", str(path)) from None
    values = data.get("tool", {}).get("compliance")
    if values is None:
        if required:
            raise ConfigError("no [tool.compliance] table", str(path))
        return Config()
    _check_keys(values, f"{path} [tool.compliance]", None)
    return Config(values, f"{path} [tool.compliance]", path.parent)


def _check_keys(values: dict[str, Any], where: str, data: Any) -> None:
    for key in values:
        if key not in KEYS:
            line = data.line_of(key) if data is not None else None
            raise ConfigError(f"unknown setting {key!r}; known: {', '.join(sorted(KEYS))}",
                              where, line)
