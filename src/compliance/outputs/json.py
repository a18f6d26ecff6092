"""``--format json``: the machine-readable report of cli.md, byte-identical for the same input."""

from __future__ import annotations

import re
from collections.abc import Iterable
from itertools import chain, compress, islice, repeat
from json.encoder import encode_basestring as _string  # the C one where there is one
from operator import eq, is_
from types import GeneratorType
from typing import IO, Any

try:
    import orjson
except ImportError:  # pragma: no cover - a dependency; the pure writer gives the same bytes
    orjson = None  # type: ignore[assignment]

from compliance.host.markers import hookimpl
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions


def report_dict(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema_version": 1,
        "tool": report.tool,
        "profile": report.profile,
        # made one at a time as the writer reaches them (a city has 100,000s)
        "findings": (f.to_dict() for f in report.findings),
        "summary": report.summary(),
    }
    files = {path: notes.to_dict(report.lang) for path, notes in report.file_notes.items()}
    if files:
        out["files"] = [files[path] for path in sorted(files)]
    if report.skipped:
        out["skipped"] = [s.to_dict() for s in report.skipped]
    if report.waivers:
        out["waivers"] = report.waivers
    if report.fixed is not None:  # rounds.md: with a baseline
        out["fixed"] = report.fixed
    if report.evidence is not None:
        # one object per file: the evidence's size and hash beside shaping's title and notes
        for entry in report.evidence["files"]:
            files[entry["path"]] = {**files.get(entry["path"], {"title": None, "notes": []}), **entry}
        out["files"] = [files[path] for path in sorted(files)]
        out["run"] = report.evidence["run"]
    return out


class JsonReporter:
    name = "json"
    uses_schedules = False  # the week view's data (report.schedules) is HTML-only
    binary = False
    suffix = ".json"

    def render(self, report: Report, out: IO[str], options: RenderOptions) -> None:
        write(report_dict(report), out)
        out.write("\n")


# Characters that are valid in JSON strings but unsafe to show raw: C1 controls, the
# line/paragraph separators (which end a line in JavaScript), and the bidirectional
# controls that make a viewer show text in another order than it is (a school name
# or cell could carry them).  They are written as \uXXXX escapes; everything else,
# Chinese included, stays readable.
_UNSAFE = re.compile("[\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(text: str) -> str:
    if _UNSAFE.search(text) is None:
        return text
    return _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def write(value: Any, out: IO[str]) -> None:
    """``value`` as the report's JSON: two-space indent, UTF-8 readable, unsafe characters
    escaped; written in pieces, so a city's 100 MB report is never one string.

    The bytes are those of ``json.dumps(value, ensure_ascii=False, indent=2)`` with the
    unsafe characters escaped (``tests/test_json_writer.py`` compares them); this writer
    exists because ``json`` falls back to its pure-Python encoder, token by token,
    whenever ``indent`` is set.  Containers of plain values are written by orjson, and a
    list's items (a report's findings) in runs of ``_RUN`` per call: a piece is at most
    a run's text (under a megabyte for findings).
    """
    pending: list[str] = []
    size = 0

    def emit(piece: str) -> None:
        nonlocal pending, size
        if len(piece) > 1 << 16:  # a run's text: written, not copied into a join
            out.write("".join(pending))
            out.write(piece)
            pending, size = [], 0
            return
        pending.append(piece)
        size += len(piece)
        if size > 1 << 16:
            out.write("".join(pending))
            pending, size = [], 0

    _encode(value, "\n", emit)
    out.write("".join(pending))


def _text(value: str) -> str:
    """A JSON string literal; unsafe characters appear only inside these, and are escaped."""
    return _escape(_string(value))


def _scalar(value: Any) -> str | None:
    """The JSON text of a scalar, or ``None`` for a container."""
    cls = value.__class__
    if cls is str:
        return _text(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _text(value)
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return float.__repr__(value)
    return None


def _key(key: Any) -> str:
    if isinstance(key, str):
        return _text(key)
    if isinstance(key, bool) or key is None:
        return _string("true" if key is True else "false" if key is False else "null")
    if isinstance(key, int | float):
        return _string(_scalar(key) or "")
    raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")


def _encode(value: Any, newline: str, emit: Any) -> None:
    """Emit ``value`` indented as ``json`` does with ``indent=2``; ``newline`` is the
    line break plus the current indentation."""
    text = _scalar(value)
    if text is not None:
        emit(text)
        return
    inner = newline + "  "
    if isinstance(value, dict):
        opener, closer = "{", "}"
        first = _items(((_key(key) + ": ", item) for key, item in value.items()), opener, inner, emit, True)
    elif isinstance(value, list | tuple | GeneratorType):
        opener, closer = "[", "]"
        first = True
        items = iter(value)
        # a run of items (a report's findings) written by one orjson call when it can be
        while run := list(islice(items, _RUN)):
            text = _fast_run(run, newline)
            if text is not None:
                emit(opener if first else ",")
                emit(text)
                first = False
            else:
                first = _items((("", item) for item in run), opener, inner, emit, first)
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    emit(opener + closer if first else newline + closer)


def _items(items: Iterable[tuple[str, Any]], opener: str, inner: str, emit: Any, first: bool) -> bool:
    """Emit each ``(label, item)`` on a line of its own; whether none was (still first)."""
    for label, item in items:
        head = (opener if first else ",") + inner + label
        first = False
        text = _scalar(item)
        if text is None:
            text = _fast(item, inner)
        if text is not None:
            emit(head + text)
        else:
            emit(head)
            _encode(item, inner, emit)
    return first


#: list items given to orjson in one call (512 findings: ≈ 0.7 MB of JSON)
_RUN = 512
#: values looked at before a container is left to the pure writer (a cycle, a giant)
_MAX_ITEMS = 100_000
#: orjson's own nesting limit; deeper values make it raise
_MAX_DEPTH = 254
#: the types :func:`_plain` accepts (ints and floats then checked by value)
_PLAIN_TYPES = frozenset({str, int, float, bool, type(None), dict, list, tuple})
#: subclasses, dataclasses and datetimes make orjson raise (the walks refuse them first)
_OPTIONS = 0 if orjson is None else (
    orjson.OPT_INDENT_2 | orjson.OPT_PASSTHROUGH_SUBCLASS
    | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_DATETIME)
#: the UTF-8 of the unsafe characters other than U+007F and U+061C (one fixed sequence
#: each), searched for in orjson's bytes; a lead byte starts each, so no match can
#: straddle two characters (``tests/test_json_writer.py`` checks every code point)
_UNSAFE_C1 = re.compile(b"\xc2[\x80-\x9f]")
_UNSAFE_GENERAL = re.compile(b"\xe2(?:\x80[\x8e\x8f\xa8-\xae]|\x81[\xa6-\xa9])")


def _plain(value: Any) -> bool:
    """Whether orjson writes ``value`` exactly as this writer would: plain dicts, lists,
    tuples, ``str``, ``bool``, ``None``, ``int`` within 64 bits, and floats whose text is
    json's (orjson writes ``null`` for NaN and ``0.00005`` where json writes ``NaN`` and
    ``5e-05``).  Subclasses deserve no bet.

    What orjson refuses itself is left to it (it raises, and the pure writer decides):
    keys other than ``str``, lone surrogates.  Unsafe characters are escaped in its output.
    """
    stack = [value]
    pop, extend = stack.pop, stack.extend
    seen = 0
    while stack:
        item = pop()
        seen += 1
        cls = item.__class__
        if cls is str or cls is bool or item is None:
            pass
        elif cls is dict:
            extend(item.values())
        elif cls is list or cls is tuple:
            extend(item)
        elif cls is int:
            if not -(1 << 63) <= item < 1 << 64:
                return False
        elif cls is float:
            if float.__repr__(item).encode() != orjson.dumps(item):
                return False
        else:
            return False
        if seen > _MAX_ITEMS:
            return False
    return True


def _plain_run(values: list[Any]) -> bool:
    """:func:`_plain` for every item of ``values`` at once: the walk goes level by level
    with ``map`` and ``compress``, so no Python code runs per value (a report's findings)."""
    level = values
    seen = depth = 0
    while level:
        seen += len(level)
        depth += 1
        if seen > _MAX_ITEMS or depth > _MAX_DEPTH:
            return False
        kinds = list(map(type, level))
        present = set(kinds)
        if not present <= _PLAIN_TYPES:
            return False
        if int in present:  # orjson would raise beyond 64 bits, but only after writing the rest
            ints = list(compress(level, map(is_, kinds, repeat(int))))
            if min(ints) < -(1 << 63) or max(ints) >= 1 << 64:
                return False
        if float in present:  # json writes float.__repr__: orjson must write the same text
            floats = list(compress(level, map(is_, kinds, repeat(float))))
            if not all(map(eq, map(str.encode, map(float.__repr__, floats)), map(orjson.dumps, floats))):
                return False
        nested: list[Any] = []
        if dict in present:
            dicts = compress(level, map(is_, kinds, repeat(dict)))
            nested.extend(chain.from_iterable(map(dict.values, dicts)))
        for sequence in (list, tuple):
            if sequence in present:
                nested.extend(chain.from_iterable(compress(level, map(is_, kinds, repeat(sequence)))))
        level = nested
    return True


def _orjson(value: Any, depth: int, head: int = 0, tail: int = 0) -> str | None:
    """orjson's text of ``value`` standing ``depth`` levels deep, unsafe characters
    escaped, less ``head`` and ``tail`` characters; ``None`` where orjson refuses it.

    The value is written inside ``depth`` one-item lists, so orjson indents it as it
    stands in the report, and the wrappers' brackets are cut off the bytes.
    """
    wrapped = value
    for _ in range(depth):
        wrapped = [wrapped]
    try:
        data = orjson.dumps(wrapped, option=_OPTIONS)
    except (TypeError, ValueError):  # a lone surrogate, a big int, an int key: the pure writer decides
        return None
    # a wrapper opens with "[", a line break and its item's indent; closes with a line break, its own and "]"
    start, end = depth * (depth + 3) + head, len(data) - depth * (depth + 1) - tail
    # a run's bytes (≈ 0.7 MB) decoded in place, not sliced first
    text = str(memoryview(data)[start:end], "utf-8") if end - start > 4096 else data[start:end].decode()
    return _escape(text) if _unsafe(data) else text


def _unsafe(data: bytes) -> bool:
    """Whether orjson's ``data`` may hold a character :func:`_escape` changes: orjson
    writes every character but controls, quote and backslash raw, so any shows."""
    if b"\x7f" in data:
        return True
    if data.isascii():
        return False
    # the lead bytes first, each one ``memchr``: Chinese text has none but U+2xxx's quotes
    return ((b"\xc2" in data and _UNSAFE_C1.search(data) is not None)
            or (b"\xd8" in data and b"\xd8\x9c" in data)
            or (b"\xe2" in data and _UNSAFE_GENERAL.search(data) is not None))


def _fast(value: Any, newline: str) -> str | None:
    """``value`` indented as ``_encode`` would at ``newline``, written by orjson (in C),
    or ``None``."""
    if orjson is None or not _plain(value):
        return None
    return _orjson(value, len(newline) // 2)


def _fast_run(run: list[Any], newline: str) -> str | None:
    """The items of ``run``, a list standing at ``newline``, as ``_encode`` would write
    them between its brackets (each after a line break, with commas), or ``None``."""
    if orjson is None or not _plain_run(run):
        return None
    return _orjson(run, len(newline) // 2, 1, len(newline) + 1)


@hookimpl
def compliance_reporters() -> list[JsonReporter]:
    return [JsonReporter()]
