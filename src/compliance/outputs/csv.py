"""``--format csv``: one row per finding, for Excel and WPS.

UTF-8 with a byte-order mark so Excel shows Chinese; a cell that starts with
``=``, ``+``, ``-``, ``@`` (or a tab or carriage return) gets a leading ``'`` so a
spreadsheet never runs submitted text as a formula.  Waived findings carry the
waiver in the last columns; expired and unused waivers are WVR001/WVR002 rows.
"""

from __future__ import annotations

import csv
from typing import IO, Any

from compliance.host.markers import hookimpl
from compliance.outputs.labels import clean, t
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from compliance.rules.finding import Finding

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
COLUMNS = ("school_id", "school_name", "file", "sheet", "line", "column", "code", "severity",
           "title", "message", "clause", "is_waived", "reason", "approved_by", "expires")


def neutralise(value: Any) -> Any:
    """A cell value a spreadsheet shows as text, never evaluates."""
    if isinstance(value, str) and value.startswith(DANGEROUS):
        return "'" + value
    return value


def finding_row(report: Report, f: Finding, lang: str) -> list[Any]:
    """One finding as the values of :data:`COLUMNS` (plain text, not yet neutralised)."""
    loc = f.location
    waiver = f.waiver or {}
    return [
        f.school_id or "", report.schools.get(f.school_id or "", ""), loc.file, loc.sheet or "",
        loc.line if loc.line is not None else "", loc.column or "", f.code, t(f.severity, lang),
        report.titles.get(f.code, {}).get(lang, ""), f.message, f.citation,
        t("yes" if f.waived else "no", lang), waiver.get("reason", ""),
        waiver.get("approved_by", ""), waiver.get("expires", ""),
    ]


def header(lang: str) -> list[str]:
    """The column titles in ``lang``."""
    return [t(c, lang) for c in COLUMNS]


class CsvReporter:
    name = "csv"
    uses_schedules = False  # the week view's data (report.schedules) is HTML-only
    binary = False
    suffix = ".csv"

    def render(self, report: Report, out: IO[str], options: RenderOptions) -> None:
        out.write("\ufeff")
        writer = csv.writer(out, lineterminator="\r\n")
        writer.writerow(header(options.lang))
        for f in report.findings:
            writer.writerow([neutralise(clean(v)) if isinstance(v, str) else v
                             for v in finding_row(report, f, options.lang)])


@hookimpl
def compliance_reporters() -> list[CsvReporter]:
    return [CsvReporter()]
