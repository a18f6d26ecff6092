"""What may be opened at all: checks made at the reading boundary, before a reader runs.

A submission is an upload: its links may point at ``/etc/passwd`` or ``/dev/zero``,
its "files" may be FIFOs that block forever, and a 2 KB file may claim gigabytes.
So only regular files are read, a link only when its target stays inside the path
the user gave, every reader refuses a file over its size cap before reading it,
and file names that are not valid UTF-8 are shown with replacement characters.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from compliance.inputs.raw import ReadError
from compliance.inputs.reasons import Msg

MB = 1024 * 1024
#: size caps, checked before a byte is read: whole-file parsers (YAML, JSON) hold the
#: file and its tree in memory; CSV is streamed; XLSX is checked again once unpacked
MAX_YAML_BYTES = 64 * MB
MAX_JSON_BYTES = 64 * MB
MAX_CSV_BYTES = 4096 * MB
MAX_XLSX_BYTES = 256 * MB


def shown(text: str) -> str:
    """A path for a report: bytes that are not UTF-8 (kept by Python as lone surrogates,
    e.g. a GBK folder name from a Windows zip) become U+FFFD, so every format stays valid."""
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def stat_or_none(path: Path, follow: bool = True) -> os.stat_result | None:
    """``os.stat`` (or ``lstat``), ``None`` when it fails (no permission, gone, a loop)."""
    try:
        return path.stat() if follow else path.lstat()
    except (OSError, ValueError):
        return None


def is_dir(path: Path) -> bool:
    """Whether ``path`` is a folder, ``False`` where it cannot even be looked at."""
    st = stat_or_none(path)
    return st is not None and stat.S_ISDIR(st.st_mode)


def is_file(path: Path) -> bool:
    """Whether ``path`` is a regular file, ``False`` where it cannot even be looked at."""
    st = stat_or_none(path)
    return st is not None and stat.S_ISREG(st.st_mode)


def is_link(path: Path) -> bool:
    """Whether ``path`` is a symbolic link, ``False`` where it cannot be looked at."""
    st = stat_or_none(path, follow=False)
    return st is not None and stat.S_ISLNK(st.st_mode)


def inside(path: Path, root: Path) -> bool:
    """Whether ``path``, links resolved, stays inside ``root`` (links resolved too)."""
    real = os.path.realpath(path)
    base = os.path.realpath(root)
    return real == base or real.startswith(base.rstrip(os.sep) + os.sep)


def unsafe(path: Path, root: Path) -> Msg | None:
    """Why ``path`` (found under ``root``) must not be opened, or ``None`` when it may.

    Nothing is opened here: a FIFO or a device is told by ``stat`` alone.
    """
    if path != root and is_link(path) and not inside(path, root):
        return Msg("file.link_outside")
    st = stat_or_none(path)
    if st is None:
        return None  # the reader's own error says why (missing, no permission)
    if stat.S_ISREG(st.st_mode):
        return None
    what = ("file.what_fifo" if stat.S_ISFIFO(st.st_mode)
            else "file.what_socket" if stat.S_ISSOCK(st.st_mode)
            else "file.what_device" if stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode)
            else "file.what_other")
    return Msg("file.not_regular", what=Msg(what))


def check_size(path: Path, limit: int) -> int:
    """The size of ``path``; :class:`ReadError` if over ``limit`` bytes (or not a file)."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise ReadError(Msg("file.os_error", error=exc.strerror or type(exc).__name__)) from None
    if not stat.S_ISREG(st.st_mode):
        raise ReadError(Msg("file.not_regular", what=Msg("file.what_other")))
    if st.st_size > limit:
        raise ReadError(Msg("file.too_big", mb=-(-st.st_size // MB), max=limit // MB))
    return st.st_size
