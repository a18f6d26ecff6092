"""What an upload may be: its size, how many files, and which zips are unpacked.

Zip entries are checked before anything is written: no absolute paths, no ``..``,
no symbolic links or device files, no archive inside the archive, no more than
ten times the upload limit once unpacked, no entry (or archive) that compresses
more than 100 to 1.  Every refusal is a :class:`~compliance.web.refusals.Refusal`
that names the entry.
"""

from __future__ import annotations

import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from compliance.web.refusals import Refusal, size_text

#: names office software and file managers add, never a submission
IGNORED_NAMES = frozenset({".ds_store", "thumbs.db", "desktop.ini"})
IGNORED_FOLDERS = frozenset({"__macosx"})
#: archive types that may not sit inside an uploaded zip (an .xlsx is a zip too, and allowed)
ARCHIVE_SUFFIXES = (".zip", ".7z", ".rar", ".tar", ".tgz", ".gz", ".bz2", ".xz", ".zst")
#: the ratio limit applies to single entries from this size on (small repetitive files
#: compress well and are harmless), and always to the archive as a whole
RATIO_FLOOR = 1024 * 1024
MAX_RATIO = 100
EXPANSION = 10
MAX_NAME = 255
MAX_PATH = 1024


@dataclass(frozen=True)
class Limits:
    """The limits of one server (``--max-upload-mb``; the rest are fixed by the contract)."""

    max_upload_bytes: int = 50 * 1024 * 1024
    max_files: int = 2000

    @property
    def max_unpacked_bytes(self) -> int:
        """The most an uploaded zip may expand to."""
        return EXPANSION * self.max_upload_bytes

    def check_size(self, size: int) -> None:
        """Refuse (413) an upload of ``size`` bytes over the limit."""
        if size > self.max_upload_bytes:
            raise Refusal("too_large", size=size_text(size), limit=size_text(self.max_upload_bytes))

    def check_count(self, count: int) -> None:
        """Refuse (400) more files than the limit."""
        if count > self.max_files:
            raise Refusal("too_many_files", limit=f"{self.max_files:,}")


def safe_relative(name: str) -> PurePosixPath | None:
    """``name`` (from a zip entry or an upload's file name) as a safe relative path.

    Backslashes count as separators (zips made on Windows).  Returns ``None`` for
    names to skip silently (``__MACOSX/``, ``.DS_Store``, folders); refuses absolute
    paths, ``..``, and names with control characters.
    """
    shown = name[:200]
    if "\x00" in name or any(unicodedata.category(c) == "Cc" for c in name):
        raise Refusal("bad_name", entry=ascii(shown), reason="control characters")
    text = name.replace("\\", "/")
    if text.startswith("/") or (len(text) > 1 and text[1] == ":" and text[0].isalpha()):
        raise Refusal("absolute_path", entry=shown)
    parts = [p for p in text.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise Refusal("parent_path", entry=shown)
    if not parts or text.endswith("/"):
        return None
    if any(p.lower() in IGNORED_FOLDERS for p in parts) or parts[-1].lower() in IGNORED_NAMES:
        return None
    if parts[-1].startswith("._"):  # macOS resource forks beside every file
        return None
    if len(text) > MAX_PATH or any(len(p.encode("utf-8")) > MAX_NAME for p in parts):
        raise Refusal("bad_name", entry=shown, reason="too long")
    return PurePosixPath(*parts)


def entry_name(info: zipfile.ZipInfo) -> str:
    """An entry's name, decoded as a Chinese Windows zip tool wrote it.

    Without the UTF-8 flag, :mod:`zipfile` reads names as cp437; tools on Chinese
    Windows write GBK there, and some write UTF-8 without setting the flag.
    """
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def is_archive_name(path: PurePosixPath) -> bool:
    """Whether ``path`` names an archive (refused inside a zip)."""
    return path.name.lower().endswith(ARCHIVE_SUFFIXES)


def plan_zip(archive: zipfile.ZipFile, limits: Limits) -> list[tuple[zipfile.ZipInfo, PurePosixPath]]:
    """Check every entry of ``archive``; returns the files to unpack and where.

    Nothing is written; the first unsafe entry raises a :class:`Refusal`.
    """
    plan: list[tuple[zipfile.ZipInfo, PurePosixPath]] = []
    total = packed = 0
    seen: set[str] = set()
    for info in archive.infolist():
        name = entry_name(info)
        mode = info.external_attr >> 16
        if mode and stat.S_ISLNK(mode):
            raise Refusal("symlink", entry=name)
        if mode and (stat.S_ISCHR(mode) or stat.S_ISBLK(mode) or stat.S_ISFIFO(mode)
                     or stat.S_ISSOCK(mode)):
            raise Refusal("device", entry=name)
        target = safe_relative(name)
        if target is None or info.is_dir():
            continue
        if is_archive_name(target):
            raise Refusal("nested_zip", entry=name)
        if info.flag_bits & 0x1:
            raise Refusal("encrypted_zip", entry=name)
        key = target.as_posix().casefold()
        if key in seen:
            raise Refusal("duplicate_name", entry=name)
        seen.add(key)
        if info.file_size >= RATIO_FLOOR and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise Refusal("ratio_too_high", entry=name,
                          ratio=f"{info.file_size // max(info.compress_size, 1):,}")
        total += info.file_size
        packed += info.compress_size
        if total > limits.max_unpacked_bytes:
            raise Refusal("expands_too_much", size=f"> {size_text(limits.max_unpacked_bytes)}",
                          limit=size_text(limits.max_unpacked_bytes))
        plan.append((info, target))
        limits.check_count(len(plan))
    if total >= RATIO_FLOOR and total > MAX_RATIO * max(packed, 1):
        raise Refusal("ratio_too_high", entry="(zip)", ratio=f"{total // max(packed, 1):,}")
    return plan


def unpack_zip(path: Path, dest: Path, limits: Limits, shown_name: str) -> int:
    """Unpack the zip at ``path`` into ``dest`` after :func:`plan_zip` accepted it.

    Sizes are counted while writing, so an entry whose header lies about its size
    is refused too.  Returns the number of files written.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            plan = plan_zip(archive, limits)
            budget = limits.max_unpacked_bytes
            for info, target in plan:
                out = dest / target
                out.parent.mkdir(parents=True, exist_ok=True)
                written = 0
                with archive.open(info) as src, out.open("xb") as fh:
                    while chunk := src.read(1024 * 1024):
                        written += len(chunk)
                        budget -= len(chunk)
                        if written > info.file_size or budget < 0:
                            limit = size_text(limits.max_unpacked_bytes)
                            raise Refusal("expands_too_much", size=f"> {limit}", limit=limit)
                        fh.write(chunk)
            return len(plan)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, NotImplementedError) as exc:
        raise Refusal("bad_zip", name=shown_name, reason=str(exc) or type(exc).__name__) from None
    except FileExistsError:
        raise Refusal("duplicate_name", entry=shown_name) from None
