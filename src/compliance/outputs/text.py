"""``--format text``: plain lines for pipes, logs and ``NO_COLOR`` terminals."""

from __future__ import annotations

from typing import IO

from compliance.host.markers import hookimpl
from compliance.outputs.labels import clause_groups, clean, clean_schools, passed_over_lines, t, waiver_line
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from compliance.rounds.baseline import LABELS, counts_line, school_counts


class TextReporter:
    name = "text"
    uses_schedules = False  # the week view's data (report.schedules) is HTML-only
    binary = False
    suffix = ".txt"

    def render(self, report: Report, out: IO[str], options: RenderOptions) -> None:
        lang = options.lang
        write = out.write
        rounds = school_counts(report)  # with a baseline: 新增 / 未整改 / 已整改 per school
        groups = report.by_school()
        for school_id in rounds:
            groups.setdefault(school_id, [])  # every finding fixed: the school still shows
        for school_id, findings in groups.items():
            name = report.schools.get(school_id or "", "") if school_id else ""
            head = f"{school_id} {name}".strip() if school_id else t("no_school", lang)
            write(f"== {clean(head)}\n")
            if school_id in rounds:
                write(f"   {counts_line(rounds[school_id], lang)}\n")
            for f in findings:
                loc = f.location
                column = f" [{loc.column}]" if loc.column else ""
                mark = f" ({t('waived', lang)})" if f.waived else ""
                if f.baseline == "new":
                    mark += f" [{LABELS['new'][lang]}]"
                write(f"{clean(loc)}{clean(column)}: {f.code} {t(f.severity, lang)}{mark}: "
                      f"{clean(f.message)}\n")
            cited = clause_groups(report, sorted({f.code for f in findings}), lang)
            if cited:
                write(f"  {t('clauses_head', lang)}:\n")
                for codes, text in cited:
                    write(f"    {' '.join(codes)}: {clean(text)}\n")
            write("\n")
        summary = report.summary()
        counts = ", ".join(f"{n} {t(s, lang)}" for s, n in summary["by_severity"].items())
        write(f"{t('summary', lang)}: {summary['schools']} {t('schools', lang)}, "
              f"{summary['files']} {t('files', lang)}, {summary['findings']} "
              f"{t('findings', lang)}" + (f" ({counts})" if counts else "") + "\n")
        if summary["by_code"]:
            write("  " + "  ".join(f"{c}×{n}" for c, n in summary["by_code"].items()) + "\n")
        if not report.findings:
            write(t("clean", lang) + "\n")
        spotless = clean_schools(report)
        if spotless and report.findings:
            write(f"{t('clean_schools', lang)}: {', '.join(map(clean, spotless))}\n")
        for skipped in report.skipped:
            write(f"{t('skipped', lang)}: {clean(skipped.school_id)}: "
                  f"{', '.join(skipped.codes)}: {clean(skipped.reason)}\n")
        if report.waivers:
            write(f"{t('waivers', lang)}:\n")
            for waiver in report.waivers:
                write(f"  {clean(waiver_line(waiver, lang))}\n")
        passed = passed_over_lines(report, lang)
        if passed:
            write(f"{t('passed_over', lang)}:\n")
            for line in passed:
                write(f"  {clean(line)}\n")
        if report.found_above:
            write(f"{t('found_above', lang)}: {', '.join(map(clean, report.found_above))}\n")
        if report.rows_rejected:
            write(rows_not_checked(report, lang) + "\n")
        if report.incomplete:
            write(t("incomplete", lang) + "\n")


def rows_not_checked(report: Report, lang: str) -> str:
    """The line that says how many data rows went unchecked: nothing is lost silently."""
    n, m = report.rows_rejected, report.rows_read
    if lang == "zh":
        return f"共读取 {m} 行数据，其中 {n} 行未参与检查（见 INP 项）。"
    return f"{n} of {m} data row(s) not checked (see the INP findings)."


@hookimpl
def compliance_reporters() -> list[TextReporter]:
    return [TextReporter()]
