"""``--format rich``: the terminal report, grouped by school, readable at 80 columns."""

from __future__ import annotations

from typing import IO

from compliance.host.markers import hookimpl
from compliance.outputs.labels import clean, t, waiver_line
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from compliance.outputs.text import rows_not_checked
from compliance.rounds.baseline import LABELS, counts_line, school_counts

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class RichReporter:
    name = "rich"
    uses_schedules = False  # the week view's data (report.schedules) is HTML-only
    binary = False
    suffix = ".txt"

    def render(self, report: Report, out: IO[str], options: RenderOptions) -> None:
        from rich import box
        from rich.console import Console
        from rich.table import Table
        from rich.text import Text

        lang = options.lang
        console = Console(file=out, width=options.width or 100, color_system="auto"
                          if options.color else None, force_terminal=options.color,
                          no_color=not options.color, highlight=False, emoji=False,
                          soft_wrap=False)
        title = Text(t("report_title", lang), style="bold")
        title.append(f"  ({t('profile', lang)}: {report.profile})", style="dim")
        console.print(title)
        rounds = school_counts(report)  # with a baseline: 新增 / 未整改 / 已整改 per school
        groups = report.by_school()
        for school_id in rounds:
            groups.setdefault(school_id, [])
        for school_id, findings in groups.items():
            name = report.schools.get(school_id or "", "") if school_id else ""
            head = f"{school_id} {name}".strip() if school_id else t("no_school", lang)
            console.rule(Text(clean(head), style="bold"), align="left")
            if school_id in rounds:
                console.print(Text(counts_line(rounds[school_id], lang), style="bold"))
            table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=True)
            table.add_column(t("where", lang), overflow="fold", ratio=3)
            table.add_column(t("code", lang), no_wrap=True)
            table.add_column(t("message", lang), overflow="fold", ratio=6)
            for f in findings:
                loc = f.location
                where = Text(clean(loc.file.rsplit("/", 1)[-1]))
                if loc.sheet:
                    where.append(f"[{clean(loc.sheet)}]")
                if loc.line is not None:
                    where.append(f":{loc.line}")
                code = Text(f.code, style=STYLE.get(f.severity, ""))
                message = Text(clean(f.message))
                if f.baseline == "new":
                    code.append(f" {LABELS['new'][lang]}", style="bold magenta")
                if f.waived:
                    code.stylize("dim strike")
                    message.append(f" ({t('waived', lang)})", style="dim")
                table.add_row(where, code, message)
            console.print(table)
        summary = report.summary()
        console.rule(Text(t("summary", lang), style="bold"), align="left")
        line = Text(f"{summary['schools']} {t('schools', lang)} · {summary['files']} "
                    f"{t('files', lang)} · {summary['findings']} {t('findings', lang)}")
        for severity, count in summary["by_severity"].items():
            line.append(f"  {count} {t(severity, lang)}", style=STYLE[severity])
        console.print(line)
        if summary["by_code"]:
            codes = Table(box=box.SIMPLE, show_edge=False, pad_edge=False)
            codes.add_column(t("code", lang))
            codes.add_column(t("count", lang), justify="right")
            codes.add_column(t("title", lang), overflow="fold")
            titles = {f.code: f for f in report.findings}
            for code, count in summary["by_code"].items():
                sev = titles[code].severity
                codes.add_row(Text(code, style=STYLE.get(sev, "")), str(count),
                              Text(clean(report_titles(report, code, lang))))
            console.print(codes)
        else:
            console.print(Text(t("clean", lang), style="green"))
        for skipped in report.skipped:
            console.print(Text(f"{t('skipped', lang)}: {clean(skipped.school_id)}: "
                               f"{', '.join(skipped.codes)} — {clean(skipped.reason)}",
                               style="dim"))
        if report.waivers:
            console.print(Text(t("waivers", lang), style="bold"))
            for waiver in report.waivers:
                style = "dim" if waiver.get("status") == "expired" else ""
                console.print(Text("  " + clean(waiver_line(waiver, lang)), style=style))
        if report.rows_rejected:
            console.print(Text(rows_not_checked(report, lang), style="red"))
        if report.incomplete:
            console.print(Text(t("incomplete", lang), style="bold red"))


def report_titles(report: Report, code: str, lang: str) -> str:
    return report.titles.get(code, {}).get(lang, "")


@hookimpl
def compliance_reporters() -> list[RichReporter]:
    return [RichReporter()]
