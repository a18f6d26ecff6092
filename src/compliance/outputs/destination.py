"""Where a rendered report goes: standard output, or a file replaced only when complete.

A report file is written to a temporary file beside its target and renamed over it
once the reporter has finished and the data is on disk.  A reporter that raises, a
full disk or a Ctrl-C mid-write therefore leaves the earlier file as it was, and two
runs writing the same file leave one complete report (the later one), never a mix.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, cast

from compliance.host.interrupts import PLUGIN_FAULTS
from compliance.outputs.reporter import RenderOptions


class OutputFailed(Exception):
    """One report could not be written; :attr line: what to tell the user (one line)."""

    def __init__(self, line: str):
        super().__init__(line)
        self.line = line


@contextlib.contextmanager
def replaced(path: Path, binary: bool) -> Iterator[IO[Any]]:
    """A file object whose content replaces ``path`` only if the block completes."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=directory)
    try:
        if binary:
            fh: IO[Any] = os.fdopen(fd, "wb")
        else:
            fh = os.fdopen(fd, "w", encoding="utf-8", newline="\n")
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(temporary, _mode_for(path))
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _mode_for(path: Path) -> int:
    """The target's permissions if it exists, else what a plain ``open`` would give."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_report(report: Any, reporter: Any, target: str | None, lang: str, label: str,
                 owner: str = "?", stdout: IO[str] | None = None) -> None:
    """Render ``report`` with ``reporter`` to ``target`` (``None``: standard output).

    :param label: how the user named this output (``--output out.json``,
        ``--report json:out.json``), for the error line.
    :param owner: the plugin the reporter came from, for the error line.
    :param stdout: the real standard output (plugins' prints are sent elsewhere).
    :raises OutputFailed: the reporter raised, or the file could not be written; the
        earlier file at ``target`` is then untouched.
    """
    out = stdout or sys.stdout
    terminal = target is None and out.isatty()
    options = RenderOptions(
        lang=lang,
        color=terminal and not os.environ.get("NO_COLOR"),
        width=shutil.get_terminal_size((100, 24)).columns if terminal else 100,
        terminal=terminal,
    )
    kept = "" if target is None else (
        "; the earlier file there is left untouched" if Path(target).exists() else
        "; no file was written")
    try:
        if target is None:
            reporter.render(report, cast(Any, out).buffer if reporter.binary else out, options)
            return
        with replaced(Path(target), reporter.binary) as fh:
            reporter.render(report, fh, options)
    except OSError as exc:
        if target is None:
            raise  # a closed pipe is no plugin's fault: the caller knows what to do
        raise OutputFailed(f"{label}: cannot write: {exc.strerror or exc}{kept}") from None
    except PLUGIN_FAULTS as exc:
        name = getattr(reporter, "name", "?")
        where = f"{label}: " if target is not None else ""
        raise OutputFailed(f"{where}plugin {owner!r}: the {name!r} reporter raised "
                           f"{type(exc).__name__}: {exc}; the report is incomplete{kept} "
                           "(rerun with another --format)") from exc
