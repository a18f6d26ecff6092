"""Period names plugins add (the ``compliance_period_names`` hook), collected once per run.

A bureau's exports may name periods the built-in vocabulary (``exports.md``) lacks —
``午练``, ``晨诵``, ``写字课``.  A plugin returns ``{name: activity}``; the registry checks
each activity against the schedule kind's activities, refuses two plugins giving one name
two activities (naming both), and leaves out a name the built-in table already has: the
built-in activity wins (``COMPLIANCE_TRACE_PLUGINS=1`` says so).  The names belong to
the engine (``Engine.registry.period_names``): each of its runs puts them in force while
it reads (:func:`compliance.inputs.periods.plugin_names_in_force`), in its worker
processes too, where the schedule's shaping and parsing and the timetable reader use
them — another engine in the process, with other plugins, reads by its own.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from compliance.host.errors import ComplianceError, PluginError
from compliance.host.manager import trace
from compliance.inputs.periods import PERIOD_NAMES, builtin_activity, name_key

if TYPE_CHECKING:
    from compliance.host.registry import Registry


def activities(registry: Registry) -> list[str]:
    """The activities a period name may give: the schedule kind's, and the period table's."""
    out = list(PERIOD_NAMES)
    schedule = registry.kinds.get("schedule")
    spec = schedule.field("activity") if schedule is not None else None
    choices = getattr(spec.parser, "choices", None) if spec is not None else None
    if isinstance(choices, Mapping):
        out += [a for a in choices if a not in out]
    return out


def collect_period_names(registry: Registry, caller: Any) -> dict[str, str]:
    """Every plugin's period names, checked, as ``{name: activity}`` (built-in names left out).

    :raises PluginError: for a result that is no mapping of texts, an unknown activity,
        or one name given two activities by two plugins.
    """
    known = activities(registry)
    out: dict[str, str] = {}
    given_by: dict[str, str] = {}
    for impl in reversed(caller.get_hookimpls()):
        plugin = impl.plugin_name
        try:
            result = impl.function()
        except ComplianceError:
            raise
        except Exception as exc:
            raise PluginError(f"plugin {plugin!r}: hook {caller.name} raised "
                              f"{type(exc).__name__}: {exc}") from exc
        if result is None:
            continue
        if not isinstance(result, Mapping):
            raise PluginError(f"plugin {plugin!r}: hook {caller.name} must return a dict "
                              f"{{name: activity}}, not {type(result).__name__}")
        for name, activity in result.items():
            if not isinstance(name, str) or not name_key(name) or not isinstance(activity, str):
                raise PluginError(f"plugin {plugin!r}: hook {caller.name}: {name!r}: "
                                  f"{activity!r} is no period name and activity")
            if activity not in known:
                raise PluginError(f"plugin {plugin!r}: hook {caller.name}: period name "
                                  f"{name!r} gives unknown activity {activity!r}; activities: "
                                  f"{', '.join(known)}")
            builtin = builtin_activity(name)
            if builtin is not None:
                trace(f"{caller.name} by plugin {plugin}: {name!r} is a built-in period name "
                      f"({builtin}); the built-in activity is kept")
                continue
            key = name_key(name)
            if key in out and out[key] != activity:
                raise PluginError(
                    f"period name {name!r} is {out[key]!r} for plugin {given_by[key]!r} and "
                    f"{activity!r} for plugin {plugin!r} (hook {caller.name}); keep one, or "
                    "leave one plugin out (uninstall it, or run with --no-entry-points)")
            out[key], given_by[key] = activity, plugin
        trace(f"{caller.name} by plugin {plugin}: {len(result)} name(s)")
    return out
