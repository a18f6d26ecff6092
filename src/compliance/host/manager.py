"""The one factory that builds a plugin manager for a run.

Built-in plugins are registered first, then installed packages found through the
``compliance`` entry-point group, then ``--plugins-dir`` files and ``-p`` modules.
Each plugin's origin is remembered for ``compliance plugins``.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from types import ModuleType
from typing import Any

import pluggy

from compliance.host import hookspecs
from compliance.host.errors import PluginError
from compliance.host.markers import PROJECT

BUILTIN_PLUGINS: tuple[str, ...] = (
    "compliance.inputs.timetable",  # before the table kinds: listed after them
    "compliance.inputs.builtin_kinds",
    "compliance.inputs.yaml_reader",
    "compliance.inputs.json_reader",
    "compliance.inputs.csv_reader",
    "compliance.inputs.xlsx_reader",
    "compliance.inputs.calendar",
    "compliance.rules.packs.inputs",
    "compliance.rules.packs.working_hours",
    "compliance.rules.packs.holiday_classes",
    "compliance.rules.packs.workbooks",
    "compliance.rules.packs.homework",
    "compliance.rules.packs.enrollment",
    "compliance.rules.packs.curriculum",
    "compliance.rules.declarative",
    "compliance.rules.profiles",
    "compliance.outputs.text",
    "compliance.outputs.rich",
    "compliance.outputs.json",
    "compliance.outputs.html",
    "compliance.outputs.sarif",
    "compliance.outputs.junit",
    "compliance.outputs.csv",
    "compliance.outputs.xlsx",
)

ENTRY_POINT_GROUP = PROJECT
ENV_NO_ENTRY_POINTS = "COMPLIANCE_NO_ENTRY_POINTS"
ENV_TRACE = "COMPLIANCE_TRACE_PLUGINS"


@dataclass
class PluginInfo:
    """What ``compliance plugins`` shows about one registered plugin."""

    name: str
    origin: str  # built-in | entry point | plugins dir | -p
    version: str | None = None
    source: str | None = None


@dataclass
class PluginSet:
    """A plugin manager plus where each of its plugins came from."""

    pm: pluggy.PluginManager
    infos: dict[str, PluginInfo] = field(default_factory=dict)

    def hooks_of(self, name: str) -> list[str]:
        plugin = self.pm.get_plugin(name)
        if plugin is None:
            return []
        return sorted(h.name for h in self.pm.get_hookcallers(plugin) or [])


def make_plugin_manager(
    *,
    modules: Sequence[str] = (),
    plugins_dir: str | Path | None = None,
    entry_points: bool = True,
    extra: Iterable[object] = (),
    builtins: Sequence[str] = BUILTIN_PLUGINS,
) -> PluginSet:
    """Build a fresh plugin manager with every plugin this run should see.

    :param modules: module names given with ``-p``.
    :param plugins_dir: a folder whose ``*.py`` files are each loaded as a plugin.
    :param entry_points: load installed plugins (off with ``--no-entry-points``
        or ``COMPLIANCE_NO_ENTRY_POINTS=1``).
    :param extra: plugin objects registered directly (tests, the Python API).
    :raises PluginError: naming the plugin, the hook and what to do.
    """
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    plugins = PluginSet(pm)
    for name in builtins:
        _register(plugins, importlib.import_module(name), name, "built-in")
    if entry_points and not os.environ.get(ENV_NO_ENTRY_POINTS):
        _load_entry_points(plugins)
    if plugins_dir is not None:
        _load_dir(plugins, Path(plugins_dir))
    for name in modules:
        try:
            module = importlib.import_module(name)
        except Exception as exc:
            raise PluginError(
                f"plugin module {name!r} (-p) failed to import: {type(exc).__name__}: {exc}. "
                "Check the module name and that its package is installed."
            ) from exc
        _register(plugins, module, name, "-p")
    for index, obj in enumerate(extra):
        _register(plugins, obj, getattr(obj, "__name__", f"extra-{index}"), "api")
    try:
        pm.check_pending()
    except pluggy.PluginValidationError as exc:
        raise PluginError(
            f"plugin {_plugin_name(pm, exc.plugin)!r} implements a hook that does not exist: "
            f"{exc}. See docs/hooks.md for the hook names."
        ) from exc
    if os.environ.get(ENV_TRACE):
        pm.add_hookcall_monitoring(_trace_before, _trace_after)
    return plugins


def trace(text: str) -> None:
    """One line on stderr when ``COMPLIANCE_TRACE_PLUGINS`` is set."""
    if os.environ.get(ENV_TRACE):
        sys.stderr.write(f"[compliance trace] {text}\n")


def _trace_before(hook_name: str, impls: Sequence[pluggy.HookImpl],
                  kwargs: Mapping[str, Any]) -> None:
    args = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
    trace(f"call {hook_name}({args}) -> {', '.join(i.plugin_name for i in impls) or 'no plugin'}")


def _trace_after(outcome: pluggy.Result[Any], hook_name: str,
                 impls: Sequence[pluggy.HookImpl], kwargs: Mapping[str, Any]) -> None:
    try:
        result = outcome.get_result()
    except BaseException as exc:
        trace(f"{hook_name} raised {type(exc).__name__}: {exc}")
        return
    shown = f"{len(result)} result(s)" if isinstance(result, list) else type(result).__name__
    trace(f"{hook_name} returned {shown}")


def _check_signatures(pm: pluggy.PluginManager, obj: object, name: str, origin: str) -> None:
    """Refuse hook implementations with an unknown name or arguments, in one line."""
    import difflib
    import inspect

    for attr in dir(obj):
        opts = pm.parse_hookimpl_opts(obj, attr)
        if opts is None:
            continue
        hook = opts.get("specname") or attr
        spec = getattr(hookspecs, hook, None)
        if spec is None or not hook.startswith(PROJECT):
            if opts.get("optionalhook"):
                continue
            close = difflib.get_close_matches(hook, hookspecs.__all__, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            raise PluginError(
                f"plugin {name!r} ({origin}) implements {hook!r}, which is not a compliance hook; "
                f"{hint}the hooks are listed in docs/hooks.md.")
        wanted = set(inspect.signature(spec).parameters)
        given = [p for p in inspect.signature(getattr(obj, attr)).parameters if p != "self"]
        extra = [p for p in given if p not in wanted]
        if extra:
            expected = f"{hook}({', '.join(inspect.signature(spec).parameters)})"
            raise PluginError(
                f"plugin {name!r} ({origin}): hook {hook} takes argument(s) "
                f"{', '.join(extra)} that the hook does not pass; its signature is {expected} "
                "— declare only those arguments (docs/hooks.md).")


def _plugin_name(pm: pluggy.PluginManager, plugin: object) -> str:
    return pm.get_name(plugin) or str(getattr(plugin, "__name__", repr(plugin)))


def _register(plugins: PluginSet, obj: object, name: str, origin: str, version: str | None = None,
              source: str | None = None) -> None:
    if plugins.pm.has_plugin(name):
        return
    _check_signatures(plugins.pm, obj, name, origin)
    try:
        plugins.pm.register(obj, name=name)
    except pluggy.PluginValidationError as exc:
        raise PluginError(f"plugin {name!r} ({origin}): {exc}. Fix the hook signature "
                          "to use only the arguments in docs/hooks.md.") from exc
    module_file = getattr(obj, "__file__", None)
    # a -p module or plugins-dir file has no distribution: its __version__, if any
    version = version or getattr(obj, "__version__", None)
    plugins.infos[name] = PluginInfo(name, origin, version, source or module_file)


def _load_entry_points(plugins: PluginSet) -> None:
    for dist in metadata.distributions():
        for ep in dist.entry_points:
            if ep.group != ENTRY_POINT_GROUP:
                continue
            if plugins.pm.has_plugin(ep.name) or plugins.pm.is_blocked(ep.name):
                continue
            try:
                obj = ep.load()
            except Exception as exc:
                raise PluginError(
                    f"plugin {ep.name!r} (entry point {ep.value!r} of package "
                    f"{dist.metadata['name']!r}) failed to import: {type(exc).__name__}: {exc}. "
                    f"Fix or uninstall the package, or run with --no-entry-points."
                ) from exc
            _register(plugins, obj, ep.name, "entry point", dist.version, dist.metadata["name"])


def _load_dir(plugins: PluginSet, folder: Path) -> None:
    if not folder.is_dir():
        raise PluginError(f"--plugins-dir {folder}: not a folder")
    for path in sorted(folder.glob("*.py")):
        name = f"plugins_dir.{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise PluginError(f"plugin file {path}: cannot be loaded as a Python module")
        module: ModuleType = importlib.util.module_from_spec(spec)
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise PluginError(
                f"plugin file {path} (--plugins-dir) failed to import: {type(exc).__name__}: "
                f"{exc}. Fix the file or move it out of {folder}."
            ) from exc
        _register(plugins, module, path.stem, "plugins dir", source=str(path))
