"""Comparing a run with an earlier one: each finding ``new`` or ``unchanged`` (未整改),
and the earlier findings now gone listed as ``fixed`` (已整改).

Findings are matched by fingerprint and counted: two findings with one fingerprint
before and one now make one ``unchanged`` and one ``fixed``.  Only what this run
looked at can be fixed: an earlier finding counts as fixed only if its school was
checked this time and its rule was selected.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from compliance.host.errors import UsageError
from compliance.outputs.report import Report
from compliance.outputs.spilled import rewrite
from compliance.rules.finding import Finding

#: the JSON report versions this module can read
SCHEMA_VERSIONS = (1,)
#: what a ``fixed`` entry keeps of the earlier finding
FIXED_KEYS = ("code", "severity", "pack", "school_id", "message", "location", "subject",
              "fingerprint")
STATES = ("new", "unchanged", "fixed")
LABELS = {
    "new": {"zh": "新增", "en": "new"},
    "unchanged": {"zh": "未整改", "en": "not rectified"},
    "fixed": {"zh": "已整改", "en": "fixed"},
}


def load_baseline(path: str | Path) -> list[dict[str, Any]]:
    """The findings of an earlier JSON report.

    :raises UsageError: the file cannot be read, is not a compliance JSON report, has a
        ``schema_version`` this version does not know, or has findings without
        fingerprints (made before they existed).
    """
    where = f"--baseline {path}"
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise UsageError(f"{where}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"{where}: cannot read: {getattr(exc, 'strerror', None) or exc}"
                         ) from None
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise UsageError(f"{where}: not a compliance JSON report (not JSON: {exc}); "
                         "give a report written by `compliance check --format json`") from None
    tool = data.get("tool") if isinstance(data, dict) else None
    if (not isinstance(data, dict) or not isinstance(tool, dict)
            or tool.get("name") != "compliance" or "schema_version" not in data
            or not isinstance(data.get("findings"), list)):
        raise UsageError(f"{where}: not a compliance JSON report (it needs schema_version, "
                         "tool.name 'compliance' and findings); give a report written by "
                         "`compliance check --format json`")
    version = data["schema_version"]
    if version not in SCHEMA_VERSIONS:
        raise UsageError(f"{where}: unknown schema_version {version!r}; this compliance "
                         f"reads {', '.join(map(str, SCHEMA_VERSIONS))}")
    findings: list[dict[str, Any]] = data["findings"]
    for index, item in enumerate(findings, start=1):
        if (not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str)
                or not item["fingerprint"] or not isinstance(item.get("code"), str)):
            raise UsageError(f"{where}: finding {index} has no fingerprint (a report from a "
                             "version before fingerprints?); check the earlier round again "
                             "with this version, or use --history")
    return findings


def compare(report: Report, previous: list[dict[str, Any]]) -> Report:
    """Mark every finding of ``report`` ``new`` or ``unchanged`` against ``previous`` and
    set ``report.fixed``, in place.

    :param previous: earlier findings as JSON dicts (``code``, ``school_id``,
        ``fingerprint``, ``message``, ``location`` …).
    """
    checked_schools = set(report.schools) | {f.school_id for f in report.findings}
    checked_schools.add(None)
    checked_codes = set(report.checked)
    before = Counter(p["fingerprint"] for p in previous)

    def mark(finding: Finding) -> Finding:
        if before[finding.fingerprint] > 0:
            before[finding.fingerprint] -= 1
            finding.baseline = "unchanged"
        else:
            finding.baseline = "new"
        return finding

    report.findings = rewrite(report.findings, mark)
    fixed = []
    for item in previous:
        fp = item["fingerprint"]
        if before[fp] <= 0:
            continue
        code = item.get("code", "")
        if item.get("school_id") not in checked_schools:
            continue
        if checked_codes and code not in checked_codes and not code.startswith(("INP", "ERR")):
            continue
        before[fp] -= 1
        fixed.append({k: item[k] for k in FIXED_KEYS if k in item})
    report.fixed = fixed
    report.round_counts = None
    report.round_counts = school_counts(report)  # kept: --new-only drops the unchanged
    return report


def only_new(report: Report) -> Report:
    """Keep only the ``new`` findings (``--new-only``): they alone are reported and
    decide the exit status."""
    report.findings = rewrite(report.findings, lambda f: f if f.baseline == "new" else None)
    return report


def school_counts(report: Report) -> dict[str | None, dict[str, int]]:
    """Per school: how many findings are new, unchanged (未整改) and fixed (已整改);
    waived findings are not counted.  Empty when the run had no baseline."""
    if report.fixed is None:
        return {}
    if report.round_counts is not None:
        return report.round_counts
    out: dict[str | None, dict[str, int]] = {}
    for finding in report.findings:
        if finding.waived or finding.baseline is None:
            continue
        out.setdefault(finding.school_id, dict.fromkeys(STATES, 0))[finding.baseline] += 1
    for item in report.fixed:
        out.setdefault(item.get("school_id"), dict.fromkeys(STATES, 0))["fixed"] += 1
    return dict(sorted(out.items(), key=lambda kv: kv[0] or "\uffff"))


def counts_line(counts: dict[str, int], lang: str) -> str:
    """``新增 2 · 未整改 3 · 已整改 1`` (or in English)."""
    return " · ".join(f"{LABELS[s][lang]} {counts.get(s, 0)}" for s in STATES)
