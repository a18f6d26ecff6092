"""What a caller of the page may choose: the profiles and the curriculum plans.

Built once when the server starts, from the same engines the checks run on, so the
page offers exactly what ``compliance profiles`` and ``compliance curricula`` list
(built-in and plugins', plus the server's own ``--profile``/``--curriculum`` file).
A caller picks by name only; the worker is given the name, or the server's file.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from compliance.rules.curriculum_plan import load_plan


def resolved(choice: str | None) -> str | None:
    """A ``--profile``/``--curriculum`` value as the worker (which runs in the upload
    folder) must get it: a YAML file made absolute, a name as it is."""
    if choice is not None and choice.endswith((".yaml", ".yml")):
        return str(Path(choice).resolve())
    return choice


@dataclass
class Choices:
    """The profiles and plans of one server.

    ``profiles``/``plans``: name -> what the worker is given (a name, or a file);
    ``plan_of``: the plan each profile checks with when the caller picks none (the
    server's ``--curriculum``, else the one the profile names, else the built-in
    default); ``kinds``: the document kinds loaded (plugin kinds included), for the
    blank templates.
    """

    default: str
    profiles: dict[str, str]
    titles: dict[str, dict[str, str]]
    kinds: dict[str, Any] = field(default_factory=dict)
    plans: dict[str, str] = field(default_factory=dict)
    plan_titles: dict[str, dict[str, str]] = field(default_factory=dict)
    plan_of: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, profile: str, curriculum: str | None, entry_points: bool, modules: list[str]) -> Choices:
        """Build the engines of every profile once (raises ``ComplianceError`` for a bad
        profile or plan, so the server refuses to start with one line)."""
        from compliance.host.engine import Engine, RunOptions

        options = RunOptions(profile=resolved(profile) or "default", curriculum=resolved(curriculum),
                             entry_points=entry_points, modules=modules)
        engine = Engine(options)
        profiles = {name: name for name in engine.profiles.by_name}
        default = engine.settings.profile
        if profile.endswith((".yaml", ".yml")):
            profiles[default] = options.profile
        titles = {name: dict(p.title) for name, p in engine.profiles.by_name.items()}
        known = dict(engine.curricula.files)  # built-in and plugins' plans, by name
        plans = dict.fromkeys(known, "")
        plan_of: dict[str, str] = {}
        for name, given in profiles.items():
            # the plugins are loaded once; each profile only settles its own plan
            each = engine if name == default else Engine(replace(options, profile=given),
                                                         plugins=engine.plugins)
            plan_of[name] = each.plan.name
            plans.setdefault(each.plan.name, each.plan.source)  # a file the server or profile names
        files = tuple(sorted(known.items()))
        plan_titles = {name: dict(load_plan(known.get(name) or plans[name], files).title)
                       for name in plans}
        # by name where the engine knows it by name; else the file itself
        plans = {name: name if name in known else str(Path(file).resolve()) for name, file in plans.items()}
        return cls(default, profiles, titles, dict(engine.registry.kinds), plans, plan_titles, plan_of)

    def plan_for(self, profile: str, asked: str | None) -> str | None:
        """What the worker is given as ``--curriculum`` for ``asked`` under ``profile``:
        ``None`` when it is the profile's own plan (the warm engine has it already)."""
        if asked is None or asked == self.plan_of.get(profile):
            return None
        return self.plans[asked]
