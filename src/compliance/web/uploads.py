"""Receive a multipart upload straight into a private folder.

The body is streamed: every byte is counted against the upload limit as it
arrives (a ``Content-Length`` over the limit is refused before reading), file
parts are written to disk under their checked relative names, and a single
``.zip`` is unpacked by :mod:`compliance.web.limits`.  Nothing is kept in memory
or in the system's shared temporary folder.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import IO

from python_multipart.exceptions import MultipartParseError
from python_multipart.multipart import MultipartParser, parse_options_header

from compliance.web.limits import Limits, safe_relative, unpack_zip
from compliance.web.refusals import Refusal


@dataclass
class Upload:
    """What was received: the folder to check (relative to ``root``) and its files."""

    root: Path
    #: the folder holding the submission, relative to ``root`` (named after the zip, or ``upload``)
    folder: str
    files: list[str] = field(default_factory=list)
    bytes: int = 0


class _Parts:
    """python-multipart callbacks that write file parts under ``dest``."""

    def __init__(self, dest: Path, limits: Limits) -> None:
        self.dest = dest
        self.limits = limits
        self.header_name = b""
        self.header_value = b""
        self.disposition = b""
        self.current: IO[bytes] | None = None
        self.names: list[PurePosixPath] = []
        self.seen: set[str] = set()

    def on_part_begin(self) -> None:
        self.disposition = b""

    def on_header_field(self, data: bytes, start: int, end: int) -> None:
        self.header_name += data[start:end]

    def on_header_value(self, data: bytes, start: int, end: int) -> None:
        self.header_value += data[start:end]

    def on_header_end(self) -> None:
        if self.header_name.strip().lower() == b"content-disposition":
            self.disposition = self.header_value
        self.header_name = self.header_value = b""

    def on_headers_finished(self) -> None:
        _, options = parse_options_header(self.disposition)
        raw = options.get(b"filename")
        if raw is None:  # a plain form field: options travel in the query string
            self.current = None
            return
        name = raw.decode("utf-8", errors="replace")
        target = safe_relative(name)
        if target is None:
            self.current = None
            return
        key = target.as_posix().casefold()
        if key in self.seen:
            raise Refusal("duplicate_name", entry=target.as_posix())
        self.seen.add(key)
        self.names.append(target)
        self.limits.check_count(len(self.names))
        path = self.dest / target
        path.parent.mkdir(parents=True, exist_ok=True)
        self.current = path.open("xb")

    def on_part_data(self, data: bytes, start: int, end: int) -> None:
        if self.current is not None:
            self.current.write(data[start:end])

    def on_part_end(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None

    def close(self) -> None:
        if self.current is not None:
            self.current.close()
            self.current = None


async def receive(content_type: str, content_length: str | None, body: AsyncIterator[bytes],
                  root: Path, limits: Limits) -> Upload:
    """Stream a multipart body into ``root``; returns what arrived.

    Raises :class:`Refusal` for a body over the limit (413), too many files, a name
    that is not safe, a zip that is not safe, or a body that is not multipart.
    """
    kind, params = parse_options_header(content_type or "")
    boundary = params.get(b"boundary")
    if kind != b"multipart/form-data" or not boundary:
        raise Refusal("not_multipart")
    if content_length and content_length.isdigit():
        limits.check_size(int(content_length))
    staging = root / "received"
    staging.mkdir()
    parts = _Parts(staging, limits)
    parser = MultipartParser(boundary, {
        "on_part_begin": parts.on_part_begin, "on_header_field": parts.on_header_field,
        "on_header_value": parts.on_header_value, "on_header_end": parts.on_header_end,
        "on_headers_finished": parts.on_headers_finished, "on_part_data": parts.on_part_data,
        "on_part_end": parts.on_part_end,
    })
    size = 0
    try:
        async for chunk in body:
            size += len(chunk)
            limits.check_size(size)
            parser.write(chunk)
        parser.finalize()
    except MultipartParseError as exc:
        raise Refusal("bad_multipart", reason=str(exc)[:120]) from None
    finally:
        parts.close()
    if not parts.names:
        raise Refusal("no_files")
    zips = [n for n in parts.names if n.suffix.lower() == ".zip"]
    if zips and len(parts.names) > 1:
        raise Refusal("zip_with_files", name=zips[0].name)
    if zips:
        label = _label(zips[0].stem)
        target = root / "in" / label
        target.mkdir(parents=True)
        count = unpack_zip(staging / zips[0], target, limits, zips[0].name)
        (staging / zips[0]).unlink()
        if not count:
            raise Refusal("no_files")
        upload = Upload(root / "in", label, bytes=size)
    else:
        (root / "in").mkdir()
        staging.rename(root / "in" / "upload")
        upload = Upload(root / "in", "upload", [n.as_posix() for n in parts.names], size)
    final = _descend(upload.root / upload.folder)
    # The worker runs in the folder's parent, so report locations start at the folder's name.
    upload.root, upload.folder = final.parent, final.name
    return upload


def _label(stem: str) -> str:
    """A folder name for a zip's contents: its own name when that is a plain one."""
    cleaned = "".join(c for c in stem if c.isalnum() or c in "-_. ").strip(" .")
    return cleaned[:80] or "upload"


def _descend(current: Path) -> Path:
    """Step into a folder that is the only thing in its parent (a zip of ``district/``)."""
    while True:
        entries = list(current.iterdir())
        if len(entries) != 1 or not entries[0].is_dir():
            return current
        current = entries[0]
