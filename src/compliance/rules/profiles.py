"""The built-in profiles, ``default`` and ``national-2021``, as a plugin."""

from __future__ import annotations

from compliance.host.markers import hookimpl
from compliance.rules.metadata import rules_dir


@hookimpl
def compliance_profiles() -> list[str]:
    return [str(p) for p in sorted((rules_dir() / "profiles").glob("*.yaml"))]
