"""Hook specifications: what a plugin can add to ``compliance``.

Every built-in feature — the four table kinds, the YAML/JSON/CSV/XLSX readers,
the five rule packs, the reporters and the official calendar — is a plugin
implementing these same hooks (see ``compliance.host.manager.BUILTIN_PLUGINS``).
A third-party plugin is a module or package with functions marked
``@compliance.hookimpl``, found through the ``compliance`` entry-point group,
``-p MODULE`` or ``--plugins-dir``.

Hooks are called with keyword arguments; an implementation declares only the
arguments it needs.  ``docs/hooks.md`` documents each hook with an example.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from compliance.host.markers import hookspec

if TYPE_CHECKING:
    from compliance.inputs.calendar import YearCalendar
    from compliance.inputs.kinds import DocumentKind
    from compliance.inputs.raw import Reader
    from compliance.outputs.reporter import Reporter
    from compliance.rules.pack import RulePack

# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------


@hookspec
def compliance_document_kinds() -> list[DocumentKind]:
    """Document kinds this plugin defines (a table's fields, aliases and parsers).

    Called once per run while the registry is built.

    :returns: a list of :class:`~compliance.inputs.kinds.DocumentKind`; a kind's
        ``name`` must be unique across plugins.
    """


@hookspec
def compliance_readers() -> list[Reader]:
    """File-format readers this plugin provides.

    Called once per run while the registry is built.  A file is given to the
    first reader (in plugin order, later-registered plugins first) whose
    ``suffixes`` include the file's suffix.

    A reader's ``read(path)`` may return ``None`` to hand the file back: the next
    reader of the suffix (in the end the built-in one) reads it.

    :returns: a list of objects with ``name``, ``suffixes`` and
        ``read(path) -> list[RawTable | RawMapping] | None``.
    """


@hookspec
def compliance_period_names() -> dict[str, str]:
    """Period names this plugin adds to the schedule's vocabulary (``午练``, ``晨诵``).

    Called once per run while the registry is built.  The names are read wherever the
    built-in period names are: a schedule export's ``节次``/``内容`` cells, its
    ``活动类型`` column, and a timetable's period cells (a non-lesson activity makes the
    row no lessons).  A name the built-in table already has keeps its built-in activity.

    :returns: ``{name: activity}``, an activity of the schedule kind (``lesson``,
        ``morning_reading``, ``exercise``, ``self_study`` …); two plugins giving one
        name two activities is an error naming both.
    """


# --------------------------------------------------------------------------
# Rules
# --------------------------------------------------------------------------


@hookspec
def compliance_rule_packs() -> list[RulePack]:
    """Rule packs this plugin provides.

    Called once per run while the registry is built.  Rule codes must be unique
    across all packs; a clash is an error naming both plugins.

    :returns: a list of :class:`~compliance.rules.pack.RulePack`.
    """


@hookspec(firstresult=True)
def compliance_official_calendar(year: int) -> YearCalendar | None:
    """The official public holidays and make-up working days of ``year``.

    Called lazily, once per year a rule asks about.  Stops at the first
    non-None result; the built-in implementation (``trylast``) uses the
    maintained ``chinese_calendar`` package.

    :param year: the calendar year.
    :returns: a :class:`~compliance.inputs.calendar.YearCalendar`, or ``None``
        when this plugin does not know the year (then INP007 is reported).
    """


@hookspec
def compliance_curricula() -> list[str]:
    """Curriculum plan files (YAML) this plugin ships, for the CUR pack.

    Called once per run while the engine is built; ``--curriculum NAME`` and
    ``curriculum:`` in a settings file or profile choose among them by ``name``.

    :returns: paths of plan YAML files (the shape of ``rules/curricula/national-2022.yaml``);
        a plan's ``name`` must be unique.
    """


@hookspec
def compliance_profiles() -> list[str]:
    """Parameter profile files (YAML) this plugin ships.

    :returns: paths of profile YAML files; a profile's ``name`` must be unique.
    """


# --------------------------------------------------------------------------
# Outputs
# --------------------------------------------------------------------------


@hookspec
def compliance_reporters() -> list[Reporter]:
    """Report formats this plugin provides.

    Called once per run while the registry is built.

    :returns: a list of :class:`~compliance.outputs.reporter.Reporter`, each with
        a unique ``name`` used by ``--format``.
    """


__all__ = [
    "compliance_curricula",
    "compliance_document_kinds",
    "compliance_official_calendar",
    "compliance_period_names",
    "compliance_profiles",
    "compliance_readers",
    "compliance_reporters",
    "compliance_rule_packs",
]
