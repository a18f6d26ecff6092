"""``--format json``: the machine-readable report of cli.md, byte-identical for the same input."""

from __future__ import annotations

import json
import re
from typing import IO, Any

from compliance.host.markers import hookimpl
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions


def report_dict(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        "schema_version": 1,
        "tool": report.tool,
        "profile": report.profile,
        "findings": [f.to_dict() for f in report.findings],
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
    escaped; written in pieces, so a city's 100 MB report is never one string."""
    pending: list[str] = []
    size = 0
    for chunk in json.JSONEncoder(ensure_ascii=False, indent=2).iterencode(value):
        pending.append(chunk)
        size += len(chunk)
        if size > 1 << 16:
            out.write(_escape("".join(pending)))
            pending, size = [], 0
    out.write(_escape("".join(pending)))


@hookimpl
def compliance_reporters() -> list[JsonReporter]:
    return [JsonReporter()]
