"""Everything the plugins contributed, collected once per run and checked for clashes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compliance.host.errors import ComplianceError, PluginError
from compliance.host.manager import PluginSet, trace
from compliance.host.period_names import collect_period_names
from compliance.inputs.kinds import DocumentKind
from compliance.inputs.raw import Reader
from compliance.outputs.reporter import Reporter
from compliance.rules.metadata import RuleMeta
from compliance.rules.pack import RulePack


@dataclass
class Registry:
    """Kinds, readers, packs, rules and reporters by name, with the plugin each came from."""

    plugins: PluginSet
    kinds: dict[str, DocumentKind] = field(default_factory=dict)
    readers: list[Reader] = field(default_factory=list)
    packs: dict[str, RulePack] = field(default_factory=dict)
    rules: dict[str, RuleMeta] = field(default_factory=dict)
    reporters: dict[str, Reporter] = field(default_factory=dict)
    origin: dict[str, str] = field(default_factory=dict)
    #: period names plugins add (``compliance_period_names``): name -> activity
    period_names: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, plugins: PluginSet) -> Registry:
        reg = cls(plugins)
        hook = plugins.pm.hook
        for plugin, kinds in reg._results(hook.compliance_document_kinds):
            for kind in kinds:
                reg._unique("document kind", kind.name, plugin, "compliance_document_kinds")
                reg.kinds[kind.name] = kind
        for _plugin, readers in reg._results(hook.compliance_readers):
            reg.readers.extend(readers)
        for plugin, packs in reg._results(hook.compliance_rule_packs):
            for pack in packs:
                reg._unique("rule pack", pack.name, plugin, "compliance_rule_packs")
                reg.packs[pack.name] = pack
                for code, meta in pack.rules.items():
                    reg._unique("rule code", code, plugin, "compliance_rule_packs")
                    reg.rules[code] = meta
        for pack in reg.packs.values():
            if pack.validate is not None:
                pack.validate(reg.kinds)
        reg.period_names = collect_period_names(reg, hook.compliance_period_names)
        for plugin, reporters in reg._results(hook.compliance_reporters):
            for reporter in reporters:
                reg._unique("report format", reporter.name, plugin, "compliance_reporters")
                reg.reporters[reporter.name] = reporter
        return reg

    @property
    def personal_fields(self) -> frozenset[str]:
        """Every field a loaded kind declares personal (a child's id, name, address …),
        with the built-in ones: what a finding masks by its key."""
        from compliance.inputs.personal import PERSONAL_KEYS

        declared = (kind.personal_fields for kind in self.kinds.values())
        return PERSONAL_KEYS.union(*declared)

    def _results(self, caller: Any) -> list[tuple[str, list[Any]]]:
        """Call a list-returning hook implementation by implementation, naming the culprit."""
        out = []
        for impl in reversed(caller.get_hookimpls()):
            name = impl.plugin_name
            try:
                result = impl.function()
            except ComplianceError as exc:
                # a rule file's own error already names file and line
                if name == "--rules":
                    raise
                raise PluginError(f"plugin {name!r} (hook {caller.name}): {exc}") from exc
            except Exception as exc:
                raise PluginError(f"plugin {name!r}: hook {caller.name} raised "
                                  f"{type(exc).__name__}: {exc}") from exc
            trace(f"{caller.name} by plugin {name}: "
                  f"{'nothing' if result is None else f'{len(result)} item(s)'}"
                  if isinstance(result, list | tuple | type(None)) else
                  f"{caller.name} by plugin {name}: {type(result).__name__}")
            if result is None:
                continue
            if not isinstance(result, list | tuple):
                raise PluginError(f"plugin {name!r}: hook {caller.name} must return a list, "
                                  f"not {type(result).__name__}")
            out.append((name, list(result)))
        return out

    def _unique(self, what: str, name: str, plugin: str, hook: str) -> None:
        key = f"{what}:{name}"
        if key in self.origin:
            raise PluginError(
                f"{what} {name!r} is defined by both plugin {self.origin[key]!r} and plugin "
                f"{plugin!r} (hook {hook}); rename it in one of them, or leave one out "
                "(uninstall it, or run with --no-entry-points)"
            )
        self.origin[key] = plugin

    def plugin_of(self, what: str, name: str) -> str | None:
        return self.origin.get(f"{what}:{name}")
