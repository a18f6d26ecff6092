"""``--format xlsx``: a workbook for people who live in Excel or WPS.

Sheet 1 lists the findings (the CSV columns), sheet 2 the summary (counts by
severity and by rule), sheet 3 the waivers when there are any.  Every sheet has a
frozen, bold header row, an autofilter and column widths that fit the text (CJK
characters count double).  Submitted text is always stored as text, never as a
formula.
"""

from __future__ import annotations

import unicodedata
from typing import IO, Any

from compliance.host.markers import hookimpl
from compliance.outputs.csv import finding_row, header
from compliance.outputs.labels import clean, t
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions

MAX_WIDTH = 80


def display_width(value: Any) -> int:
    """Columns a value needs: wide (CJK) characters count two."""
    text = str(value)
    longest = max((line for line in text.splitlines() or [""]), key=len)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in longest)


def _sheet(wb: Any, title: str, head: list[str], rows: list[list[Any]], first: bool = False) -> Any:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    ws = wb.active if first else wb.create_sheet()
    ws.title = title
    widths = [display_width(h) for h in head]
    for r, values in enumerate([head, *rows], start=1):
        for c, value in enumerate(values, start=1):
            if isinstance(value, str):
                value = clean(value)
            cell = ws.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # text like "=1+1" stays text, not a formula
            if r == 1:
                cell.font = Font(bold=True)
            widths[c - 1] = max(widths[c - 1], display_width(value if value is not None else ""))
    for c, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(c)].width = min(width + 2, MAX_WIDTH)
    ws.freeze_panes = "A2"
    if rows:
        ws.auto_filter.ref = ws.dimensions
    return ws


class XlsxReporter:
    name = "xlsx"
    uses_schedules = False  # the week view's data (report.schedules) is HTML-only
    binary = True
    suffix = ".xlsx"

    def render(self, report: Report, out: IO[bytes], options: RenderOptions) -> None:
        from openpyxl import Workbook

        lang = options.lang
        wb = Workbook()
        _sheet(wb, t("findings_table", lang), header(lang),
               [finding_row(report, f, lang) for f in report.findings], first=True)
        summary = report.summary()
        rows: list[list[Any]] = [
            [t("n_schools", lang), summary["schools"], ""],
            [t("n_files", lang), summary["files"], ""],
            [t("findings_table", lang), summary["findings"], ""],
        ]
        rows += [[t(sev, lang), n, ""] for sev, n in summary["by_severity"].items()]
        if summary.get("waived"):
            rows.append([t("waived", lang), summary["waived"], ""])
        rows += [[code, n, report.titles.get(code, {}).get(lang, "")]
                 for code, n in summary["by_code"].items()]
        _sheet(wb, t("summary", lang), [t("summary", lang), t("count", lang), t("title", lang)], rows)
        if report.waivers:
            keys = ("status", "code", "school_id", "match", "reason", "approved_by", "expires",
                    "waived_count")
            wrows = [[t(w.get("status", "active"), lang), w.get("code", ""), w.get("school_id") or "",
                      ", ".join(f"{k}={v}" for k, v in (w.get("match") or {}).items()),
                      w.get("reason", ""), w.get("approved_by", ""), w.get("expires", ""),
                      w.get("waived", 0)] for w in report.waivers]
            _sheet(wb, t("waivers", lang), [t(k, lang) for k in keys], wrows)
        wb.save(out)


@hookimpl
def compliance_reporters() -> list[XlsxReporter]:
    return [XlsxReporter()]
