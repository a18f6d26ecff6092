"""``--format json``: the machine-readable report of cli.md, byte-identical for the same input."""

from __future__ import annotations

import re
from json.encoder import encode_basestring as _string  # the C one where there is one
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
    whenever ``indent`` is set.  Containers of plain values are written by orjson.
    """
    pending: list[str] = []
    size = 0

    def emit(piece: str) -> None:
        nonlocal pending, size
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
    items: Any
    if isinstance(value, dict):
        items = ((_key(key) + ": ", item) for key, item in value.items())
        opener, closer = "{", "}"
    elif isinstance(value, list | tuple | GeneratorType):
        items = (("", item) for item in value)
        opener, closer = "[", "]"
    else:
        raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
    first = True
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
    emit(opener + closer if first else newline + closer)


_INT64 = 1 << 63
#: items looked at before a container is left to the pure writer (a cycle, a giant)
_MAX_ITEMS = 100_000
#: strings with nothing to escape seen before (keys, clause texts, file names), bounded
_CLEAN: set[str] = set()


def _clean(text: str) -> bool:
    """No character :func:`_escape` would change (remembered for texts that recur)."""
    if text in _CLEAN:
        return True
    clean = "\x7f" not in text if text.isascii() else _UNSAFE.search(text) is None
    if clean and len(_CLEAN) < 8192:
        _CLEAN.add(text)
    return clean


def _plain(value: Any) -> bool:
    """Whether orjson writes ``value`` exactly as this writer would: plain dicts with
    ``str`` keys, lists, tuples, ``str`` with nothing to escape, 64-bit ``int``, ``bool``
    and ``None``.  Floats are left to the pure writer (orjson writes ``1e16`` and
    ``null`` for NaN where json writes ``1e+16`` and ``NaN``), and so are subclasses,
    which deserve no bet."""
    stack = [value]
    pop, push, extend = stack.pop, stack.append, stack.extend
    known = _CLEAN
    seen = 0
    while stack:
        item = pop()
        seen += 1
        cls = item.__class__
        if cls is str:
            if item not in known and not _clean(item):
                return False
        elif cls is dict:
            for key, inner in item.items():
                if key not in known and (key.__class__ is not str or not _clean(key)):
                    return False
                push(inner)
        elif cls is list or cls is tuple:
            extend(item)
        elif cls is int:
            if not -_INT64 <= item < _INT64:
                return False
        elif item is not None and cls is not bool:
            return False
        if seen > _MAX_ITEMS:
            return False
    return True


def _fast(value: Any, newline: str) -> str | None:
    """``value`` indented as ``_encode`` would, written by orjson (in C), or ``None``.

    orjson's two-space indentation is json's; a JSON text holds no raw line break (one
    in a string is written ``\\n``), so indenting each line break by ``newline`` puts
    the whole value at the depth it stands at.
    """
    if orjson is None or not _plain(value):
        return None
    try:
        text: str = orjson.dumps(value, option=orjson.OPT_INDENT_2).decode()
    except (TypeError, ValueError):  # a lone surrogate, say: the pure writer decides
        return None
    return text.replace("\n", newline) if newline != "\n" else text


@hookimpl
def compliance_reporters() -> list[JsonReporter]:
    return [JsonReporter()]
