"""INP — input problems. Reported by the inputs layer (and INP007 by calendar rules);
always on: ``--ignore`` and ``--select`` never silence them."""

from __future__ import annotations

from compliance.host.markers import hookimpl
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml("inputs")


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    return [pack]
