"""``--format json``: the machine-readable report of cli.md, byte-identical for the same input."""

from __future__ import annotations

import json
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
        json.dump(report_dict(report), out, ensure_ascii=False, indent=2)
        out.write("\n")


@hookimpl
def compliance_reporters() -> list[JsonReporter]:
    return [JsonReporter()]
