"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards.

One run; the driver lists every rule that has a finding (id, bilingual-chosen title,
default level); each finding is a result with its file and line.  A waived finding
carries an ``external``/``accepted`` suppression with the waiver's reason; the
waivers themselves are in ``runs[0].properties.waivers``.
"""

from __future__ import annotations

from typing import IO, Any
from urllib.parse import quote

from compliance.host.markers import hookimpl
from compliance.outputs.json import write
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from compliance.rules.finding import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: the key of our fingerprint in ``partialFingerprints`` (versioned as SARIF advises)
FINGERPRINT = "compliance/v1"
LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def uri_of(path: str) -> str:
    """A relative file path as a SARIF ``uri`` (forward slashes, percent-encoded)."""
    return quote(path.replace("\\", "/"), safe="/:@-._~")


def _result(f: Finding, index: dict[str, int]) -> dict[str, Any]:
    loc = f.location
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri_of(loc.file)}}
    if loc.line is not None and loc.line >= 1:
        physical["region"] = {"startLine": loc.line}
    result: dict[str, Any] = {
        "ruleId": f.code,
        "ruleIndex": index[f.code],
        "level": LEVEL.get(f.severity, "warning"),
        "message": {"text": f.message},
        "locations": [{"physicalLocation": physical}],
        "properties": {"school_id": f.school_id, "pack": f.pack, "severity": f.severity,
                       "subject": f.subject},
    }
    logical = [{"name": v, "kind": k} for k, v in (("sheet", loc.sheet), ("column", loc.column)) if v]
    if logical:
        result["locations"][0]["logicalLocations"] = logical
    if f.citation:
        result["properties"]["citation"] = f.citation
    if f.fingerprint:  # rounds.md: stable across re-sorted, renamed, re-exported files
        result["partialFingerprints"] = {FINGERPRINT: f.fingerprint}
    if f.baseline is not None:
        result["baselineState"] = f.baseline
    if f.waived:
        waiver = f.waiver or {}
        result["suppressions"] = [{
            "kind": "external",
            "status": "accepted",
            "justification": f"{waiver.get('reason', '')} ({waiver.get('approved_by', '')}, "
                             f"expires {waiver.get('expires', '')})",
        }]
    return result


def sarif_dict(report: Report, lang: str) -> dict[str, Any]:
    """The SARIF log as plain data."""
    fixed = report.fixed or []
    found = {f.code: f.severity for f in report.findings}  # the last of each code's
    codes = sorted(found.keys() | {item["code"] for item in fixed})
    index = {code: i for i, code in enumerate(codes)}
    severity = {item["code"]: item.get("severity", "warning") for item in fixed}
    severity.update(found)
    rules = []
    for code in codes:
        title = report.titles.get(code, {})
        rule: dict[str, Any] = {
            "id": code,
            "shortDescription": {"text": title.get(lang) or code},
            "defaultConfiguration": {"level": LEVEL.get(severity[code], "warning")},
        }
        if title:
            rule["properties"] = {"title": dict(title)}
        rules.append(rule)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": report.tool.get("name", "compliance"),
                            "version": report.tool.get("version", ""),
                            "rules": rules}},
        "columnKind": "unicodeCodePoints",
        # made one at a time as the writer reaches them (a city has 100,000s)
        "results": (result for part in ((_result(f, index) for f in report.findings),
                                        (_absent(item, index) for item in fixed))
                    for result in part),
        "properties": {"profile": report.profile, "summary": report.summary(),
                       "waivers": report.waivers},
    }
    if report.evidence is not None:
        _evidence(run, report.evidence)
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def _absent(item: dict[str, Any], index: dict[str, int]) -> dict[str, Any]:
    """A finding of the baseline that is gone (fixed): ``baselineState: absent``."""
    loc = item.get("location") or {}
    physical: dict[str, Any] = {"artifactLocation": {"uri": uri_of(str(loc.get("file", "")))}}
    if isinstance(loc.get("line"), int) and loc["line"] >= 1:
        physical["region"] = {"startLine": loc["line"]}
    return {
        "ruleId": item["code"],
        "ruleIndex": index[item["code"]],
        "level": LEVEL.get(item.get("severity", ""), "warning"),
        "message": {"text": str(item.get("message", ""))},
        "locations": [{"physicalLocation": physical}],
        "partialFingerprints": {FINGERPRINT: item["fingerprint"]},
        "baselineState": "absent",
        "properties": {"school_id": item.get("school_id"), "subject": item.get("subject", {})},
    }


def _evidence(run: dict[str, Any], evidence: dict[str, Any]) -> None:
    """The run's evidence: input files as artifacts (length, SHA-256), the time as the
    invocation's, versions and sources in ``properties.run``."""
    record = evidence["run"]
    run["artifacts"] = [{"location": {"uri": uri_of(f["path"])}, "length": f["size"],
                         "hashes": {"sha-256": f["sha256"]}} for f in evidence["files"]]
    run["invocations"] = [{"executionSuccessful": True, "endTimeUtc": record["time"]}]
    extensions = [{"name": p["name"], "version": p["version"]} if p["version"]
                  else {"name": p["name"]}
                  for p in record["plugins"] if p["origin"] != "built-in"]
    if extensions:
        run["tool"]["extensions"] = extensions
    run["properties"]["run"] = record


class SarifReporter:
    name = "sarif"
    uses_schedules = False  # the week view's data (report.schedules) is HTML-only
    binary = False
    suffix = ".sarif"

    def render(self, report: Report, out: IO[str], options: RenderOptions) -> None:
        write(sarif_dict(report, options.lang), out)
        out.write("\n")


@hookimpl
def compliance_reporters() -> list[SarifReporter]:
    return [SarifReporter()]
