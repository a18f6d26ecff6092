"""``--format json``: the machine-readable report of cli.md, byte-identical for the same input."""

from __future__ import annotations

import re
from json.encoder import encode_basestring as _string  # the C one where there is one
from types import GeneratorType
from typing import IO, Any

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
    if report.skipped:
        out["skipped"] = [s.to_dict() for s in report.skipped]
    if report.waivers:
        out["waivers"] = report.waivers
    return out


class JsonReporter:
    name = "json"
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

    The bytes are those of ``json.dumps(value, ensure_ascii=False, indent=2)`` (the
    tests compare them); this writer exists because ``json`` falls back to its
    pure-Python encoder, token by token, whenever ``indent`` is set.
    """
    pending: list[str] = []
    size = 0

    def emit(piece: str) -> None:
        nonlocal pending, size
        pending.append(piece)
        size += len(piece)
        if size > 1 << 16:
            out.write(_escape("".join(pending)))
            pending, size = [], 0

    _encode(value, "\n", emit)
    out.write(_escape("".join(pending)))


def _scalar(value: Any) -> str | None:
    """The JSON text of a scalar, or ``None`` for a container."""
    cls = value.__class__
    if cls is str:
        return _string(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _string(value)
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
        return _string(key)
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
        if text is not None:
            emit(head + text)
        else:
            emit(head)
            _encode(item, inner, emit)
    emit(opener + closer if first else newline + closer)


@hookimpl
def compliance_reporters() -> list[JsonReporter]:
    return [JsonReporter()]
