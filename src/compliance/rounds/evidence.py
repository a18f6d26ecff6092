"""What a report records of its run, so it can serve as evidence later: the tool and
plugin versions, profile, curriculum plan, calendar source per year, the time of the
run, and every input file's path, size and SHA-256.

The time is ``SOURCE_DATE_EPOCH`` (seconds, UTC) if set, else ``COMPLIANCE_TODAY``
(a date, taken at midnight UTC), else now: with either set, reports are byte-stable.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from compliance import __version__
from compliance.inputs.loader import IGNORED_PREFIXES, display_path
from compliance.outputs.report import run_time as run_time  # the run's one clock


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def input_files(paths: Sequence[str]) -> list[dict[str, Any]]:
    """Every file under ``paths`` the loader would look at (hidden files, Office lock
    files and READMEs are not), as ``{path, size, sha256}`` sorted by path; ``path``
    is shown as in findings' locations."""
    out: dict[str, dict[str, Any]] = {}
    for given in paths:
        root = Path(given)
        found = [root] if root.is_file() else sorted(_walk(root))
        for path in found:
            shown = display_path(given, path, root)
            try:
                out[shown] = {"path": shown, "size": path.stat().st_size,
                              "sha256": sha256(path)}
            except OSError:  # unreadable: the loader reports it as INP003
                continue
    return [out[k] for k in sorted(out)]


def _walk(folder: Path) -> list[Path]:
    try:
        children = list(folder.iterdir())
    except OSError:
        return []
    out = []
    for child in children:
        if child.name.startswith(IGNORED_PREFIXES):
            continue
        if child.is_dir():
            out.extend(_walk(child))
        elif child.is_file():
            out.append(child)
    return out


def file_entry(path: str | None) -> dict[str, Any] | None:
    """``{path, size, sha256}`` of a settings-like file the run used (waivers, baseline)."""
    if not path:
        return None
    try:
        p = Path(path)
        return {"path": Path(path).as_posix(), "size": p.stat().st_size, "sha256": sha256(p)}
    except OSError:
        return None


def run_record(engine: Any, *, calendar: Mapping[str, Any] | None = None,
               curriculum: Any = None, extra: Mapping[str, Any] | None = None,
               ) -> dict[str, Any]:
    """The ``run`` object of the JSON report.

    :param calendar: calendar source per year — a run's ``Report.calendar_sources``
        (``{"2025": {"kind": "package", "source": "chinesecalendar 1.11.0"}}``, see
        :func:`compliance.inputs.calendar_run.calendar_evidence`), or plain strings;
        when ``None``, taken from ``engine.calendar_sources()`` if the engine has it.
    :param curriculum: the curriculum plan in force (name or file), if any.
    """
    if calendar is None:
        sources = getattr(engine, "calendar_sources", None)
        calendar = sources() if callable(sources) else {}
    plugins = []
    for info in engine.plugins.infos.values():
        version = info.version or (__version__ if info.origin == "built-in" else None)
        plugins.append({"name": info.name, "version": version, "origin": info.origin})
    plugins.sort(key=lambda p: (p["origin"] != "built-in", p["name"]))
    out: dict[str, Any] = {
        "tool": {"name": "compliance", "version": __version__},
        "plugins": plugins,
        "profile": engine.settings.profile,
        "curriculum": curriculum,
        "calendar": {str(k): v for k, v in sorted(calendar.items(), key=lambda kv: str(kv[0]))},
        "time": run_time(),
        "fingerprint_key": engine.fingerprinter.key.known_id(),
    }
    out.update(extra or {})
    return out
