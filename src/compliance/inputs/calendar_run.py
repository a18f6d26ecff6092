"""The run's calendar: the calendar files it was given, and its evidence per year.

A run's official calendar consults, first found first: the years declared in
``--calendar`` files, then in the settings' ``calendar:`` files (or the calendar
written inline there), then (per school)
in the district folders' ``calendar.yaml``, then the ``compliance_official_calendar``
hook (plugins, then the packaged ``chinesecalendar``).  The local rest and make-up
days of the run's calendar files apply to every school.

Every report names, for each year the run looked at, where that year came from:
:func:`calendar_evidence`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from compliance.host.errors import UsageError
from compliance.inputs.calendar import CalendarSource, OfficialCalendar, hook_lookup
from compliance.inputs.official_years import (
    CalendarFile,
    calendar_from_mapping,
    read_calendar_file,
)
from compliance.inputs.raw import LMap, ReadError


def read_calendar_files(paths: Sequence[str]) -> list[CalendarFile]:
    """Each calendar file read; one that cannot be read at all is a usage error naming it.

    A file that reads but declares something wrong keeps its problems
    (``CalendarFile.problems``): they become input findings of the run.
    """
    out = []
    for path in dict.fromkeys(paths):  # the same file named twice is read once
        try:
            out.append(read_calendar_file(path))
        except ReadError as exc:
            where = f"{path}, line {exc.line}" if exc.line else path
            raise UsageError(f"--calendar {where}: {exc.message}") from None
    return out


def settings_calendar_files(config: Any) -> list[CalendarFile]:
    """The calendar files the settings name (``calendar: FILE`` or a list of files), or the
    calendar written inline under ``calendar:`` in a YAML settings file."""
    value = config.get("calendar")
    if not isinstance(value, dict):
        return read_calendar_files(config.paths("calendar"))
    source = str(config.source or "")
    if not source.endswith((".yaml", ".yml")):
        raise UsageError(f"{source or 'settings'}: `calendar` must name a calendar file "
                         "(calendar = \"calendar.yaml\")")
    from pathlib import Path

    from compliance.rules.metadata import load_yaml_file

    inline = load_yaml_file(Path(source)).get("calendar")
    if not isinstance(inline, LMap):  # the settings were read, so this is the same mapping
        raise UsageError(f"{source}: `calendar` must be a file name or a mapping")
    return [calendar_from_mapping(inline, source)]


def run_calendar(files: Sequence[CalendarFile], hook_caller: Any) -> OfficialCalendar:
    """The official calendar of a run: the files' declared years (first file first),
    then the ``compliance_official_calendar`` hook."""
    return OfficialCalendar(
        hook_lookup(hook_caller),
        [f.official for f in files if f.official],
        {day for f in files for day in f.holidays},
        {day for f in files for day in f.workdays},
    )


def calendar_evidence(per_school: Iterable[Mapping[int, CalendarSource | None]],
                      ) -> dict[str, dict[str, Any]]:
    """``{"2027": {"kind": "declared", "source": …, "file": …, "line": …}, …}`` for
    every year any school's checks looked at, in year order.

    ``kind`` is ``declared``, ``package``, ``plugin`` or ``uncovered`` (nothing covers
    the year: its dates were INP007).  When schools of different districts used
    different sources for one year, the first (by file; ``uncovered`` last) is given and
    the others are listed under ``also``.
    """
    seen: dict[int, dict[str, dict[str, Any]]] = {}
    for sources in per_school:
        for year, source in sources.items():
            entry = source.to_dict() if source is not None else {"kind": "uncovered",
                                                                 "source": None}
            key = repr(sorted(entry.items()))
            seen.setdefault(year, {}).setdefault(key, entry)
    out: dict[str, dict[str, Any]] = {}
    for year in sorted(seen):
        entries = sorted(seen[year].values(), key=lambda e: (
            e["kind"] == "uncovered", e.get("file") or "", e.get("line") or 0, e["kind"]))
        first = dict(entries[0])
        if len(entries) > 1:
            first["also"] = entries[1:]
        out[str(year)] = first
    return out


def evidence_text(sources: Mapping[str, Mapping[str, Any]], lang: str) -> list[str]:
    """The evidence as lines for people: ``2027: 国务院办公厅…通知 (calendar.yaml:3)``."""
    lines = []
    for year, entry in sources.items():
        parts = [entry, *entry.get("also", [])]
        lines.append(f"{year}: " + " | ".join(_one(p, lang) for p in parts))
    return lines


def _one(entry: Mapping[str, Any], lang: str) -> str:
    if entry["kind"] == "uncovered":
        return "未覆盖（INP007）" if lang == "zh" else "not covered (INP007)"
    source = CalendarSource(entry["kind"], entry["source"], entry.get("file"), entry.get("line"),
                            entry.get("differs_from"), tuple(entry.get("differences", ())))
    return source.text(lang)
