"""Parameter profiles: named sets of parameter values and severities.

A profile is a YAML file::

    name: my-district
    extends: national-2021          # optional; profiles chain up to `default`
    title: {zh: 某区口径, en: Our district}
    parameters:
      working-hours: {areas: [urban, rural]}   # a pack name: every rule of the pack
      HRS002: {latest_end: "17:30"}            # a code: that rule only
    severities:
      HRS003: error
    curriculum: our-province-plan.yaml  # the CUR pack's plan (a name, or a file beside this one)

``extends`` names a known profile or a YAML file (relative to the extending file).
Values are read as YAML would type them: ``60`` is a number, ``"08:20"`` a time text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from compliance.host.errors import ConfigError, UsageError
from compliance.inputs.raw import LMap
from compliance.rules.finding import SEVERITIES
from compliance.rules.metadata import RuleMeta, load_yaml_file, plain

_INT = re.compile(r"[+-]?\d+")
_FLOAT = re.compile(r"[+-]?(\d+\.\d*|\.\d+)")


def typed(value: Any) -> Any:
    """Parameter values with numbers and booleans typed.

    The project's YAML loader keeps every scalar as text (data files need
    ``007`` to stay ``007``); parameters are settings, so ``60`` means 60.
    """
    if isinstance(value, dict):
        return {k: typed(v) for k, v in value.items()}
    if isinstance(value, list):
        return [typed(v) for v in value]
    if isinstance(value, str):
        text = value.strip()
        if _INT.fullmatch(text) and not (text.lstrip("+-").startswith("0") and len(text.lstrip("+-")) > 1):
            return int(text)
        if _FLOAT.fullmatch(text):
            return float(text)
        if text.lower() in ("true", "false"):
            return text.lower() == "true"
    return value


@dataclass
class Profile:
    name: str
    title: dict[str, str]
    extends: str | None
    parameters: dict[str, dict[str, Any]] = field(default_factory=dict)
    severities: dict[str, str] = field(default_factory=dict)
    source: str = ""
    #: the curriculum plan this profile chooses: a plan's name, or a file (made absolute)
    curriculum: str | None = None


def load_profile(path: Path) -> Profile:
    data = load_yaml_file(path)
    name = data.get("name") or data.get("profile")
    if not name:
        raise ConfigError("a profile needs `name:`", str(path), data.line)
    params = plain(data.get("parameters") or {})
    if not isinstance(params, dict) or any(not isinstance(v, dict) for v in params.values()):
        raise ConfigError("`parameters:` maps a code or pack to a mapping of values",
                          str(path), data.line_of("parameters"))
    severities = {str(k): str(v) for k, v in plain(data.get("severities") or {}).items()}
    for code, level in severities.items():
        if level not in SEVERITIES:
            raise ConfigError(f"severity of {code} must be one of {', '.join(SEVERITIES)}",
                              str(path), cast(LMap, data.get("severities")).line_of(code))
    curriculum = data.get("curriculum")
    if curriculum is not None:
        curriculum = str(curriculum)
        if curriculum.endswith((".yaml", ".yml")):
            curriculum = str((path.parent / curriculum).resolve())
    title = plain(data.get("title") or {})
    if isinstance(title, str):
        title = {"zh": title, "en": title}
    return Profile(
        name=str(name),
        title={"zh": title.get("zh", str(name)), "en": title.get("en", str(name))},
        extends=None if data.get("extends") is None else str(data["extends"]),
        parameters=params,
        severities=severities,
        source=str(path),
        curriculum=curriculum,
    )


class Profiles:
    """The profiles known to a run: built-in ones from plugins, then the user's files."""

    def __init__(self, files: list[str]):
        self.by_name: dict[str, Profile] = {}
        for file in files:
            profile = load_profile(Path(file))
            self.by_name[profile.name] = profile

    def add_file(self, path: Path) -> Profile:
        """Load a user profile file, and any profile files it extends."""
        profile = load_profile(path)
        self.by_name[profile.name] = profile
        seen = {path.resolve()}
        current = profile
        while current.extends and current.extends.endswith((".yaml", ".yml")):
            base_path = (Path(current.source).parent / current.extends).resolve()
            if base_path in seen:
                raise ConfigError(f"profile {current.name!r} extends {current.extends} in a loop",
                                  current.source)
            seen.add(base_path)
            base = load_profile(base_path)
            self.by_name.setdefault(base.name, base)
            current.extends = base.name
            current = base
        return profile

    def chain(self, name: str) -> list[Profile]:
        """The profile and its ancestors, root first."""
        chain: list[Profile] = []
        seen: set[str] = set()
        current: str | None = name
        while current is not None:
            if current in seen:
                raise ConfigError(f"profile {current!r} extends itself in a loop")
            seen.add(current)
            profile = self.by_name.get(current)
            if profile is None:
                known = ", ".join(sorted(self.by_name))
                raise UsageError(f"unknown profile {current!r}; known profiles: {known} "
                                 "(or give a profile YAML file)")
            chain.append(profile)
            current = profile.extends or (None if profile.name == "default" else "default")
        return list(reversed(chain))


@dataclass
class Settings:
    """Parameter values and severities in force for a run."""

    profile: str
    chain: list[Profile]
    overrides: dict[str, dict[str, Any]] = field(default_factory=dict)
    severity_overrides: dict[str, str] = field(default_factory=dict)
    #: where a value set with :meth:`set_param` came from, by (pack or code, name)
    set_by: dict[tuple[str, str], str] = field(default_factory=dict)

    def set_param(self, key: str, name: str, value: Any, source: str) -> None:
        """Set one parameter of a pack or rule above every profile (``--curriculum``)."""
        self.overrides = {**self.overrides, key: {**self.overrides.get(key, {}), name: value}}
        self.set_by[(key, name)] = source

    def params(self, meta: RuleMeta) -> dict[str, Any]:
        values = dict(meta.parameters)
        layers = [p.parameters for p in self.chain] + [self.overrides]
        for layer in layers:
            values.update(layer.get(meta.pack, {}))
            values.update(layer.get(meta.code, {}))
        return cast("dict[str, Any]", typed(values))

    def severity(self, meta: RuleMeta) -> str:
        severity = meta.severity
        for layer in [p.severities for p in self.chain] + [self.severity_overrides]:
            severity = layer.get(meta.code, layer.get(meta.pack, severity))
        return severity

    def validate(self, rules: dict[str, RuleMeta]) -> None:
        """Refuse a profile that sets values for a code or pack no loaded plugin defines.

        A typo such as ``HWK06`` would otherwise be silently ignored.
        """
        known = set(rules) | {meta.pack for meta in rules.values()}
        for profile in self.chain:
            for key in [*profile.parameters, *profile.severities]:
                if key not in known:
                    raise ConfigError(
                        f"profile {profile.name!r} sets {key}, which is neither a rule code nor a "
                        "pack of the loaded plugins (see `compliance rules`)", profile.source)

    def source_of(self, meta: RuleMeta, name: str) -> str:
        """Which layer set a parameter (for ``compliance explain``)."""
        where = "rule default"
        for profile in self.chain:
            if name in profile.parameters.get(meta.pack, {}) or name in profile.parameters.get(
                meta.code, {}
            ):
                where = f"profile {profile.name}"
        if name in self.overrides.get(meta.pack, {}) or name in self.overrides.get(meta.code, {}):
            where = "config"
        return self.set_by.get((meta.code, name)) or self.set_by.get((meta.pack, name)) or where
