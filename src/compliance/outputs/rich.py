"""``--format rich``: the terminal report, grouped by school, readable at 80 columns."""

from __future__ import annotations

import re
from typing import IO, Any

from rich.cells import cell_len

from compliance.host.markers import hookimpl
from compliance.outputs.labels import clause_groups, clean, clean_schools, passed_over_lines, t, waiver_line
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from compliance.outputs.text import rows_not_checked
from compliance.rounds.baseline import LABELS, counts_line, school_counts
from compliance.rules.finding import Finding

STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}


class RichReporter:
    name = "rich"
    uses_schedules = False  # the week view's data (report.schedules) is HTML-only
    binary = False
    suffix = ".txt"

    def render(self, report: Report, out: IO[str], options: RenderOptions) -> None:
        from rich.console import Console
        from rich.text import Text

        lang = options.lang
        console = Console(file=out, width=options.width or 100, color_system="auto"
                          if options.color else None, force_terminal=options.color,
                          no_color=not options.color, highlight=False, emoji=False,
                          soft_wrap=False)
        title = Text(t("report_title", lang), style="bold")
        title.append(f"  ({t('profile', lang)}: {report.profile})", style="dim")
        console.print(title)
        width = options.width or 100
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
            if not findings:
                continue
            console.print(_findings_table(findings, lang, width))
            cited = clause_groups(report, sorted({f.code for f in findings}), lang)
            if cited:
                clauses = Text(t("clauses_head", lang), style="dim bold")
                for codes, text in cited:
                    lead = "  " + " ".join(codes) + "  "
                    lines = wrap_tokens(clean(text), max(width - cell_len(lead), 20))
                    clauses.append("\n" + lead, style="dim bold")
                    clauses.append(("\n" + " " * cell_len(lead)).join(lines), style="dim")
                console.print(clauses)
        summary = report.summary()
        console.rule(Text(t("summary", lang), style="bold"), align="left")
        line = Text(f"{summary['schools']} {t('schools', lang)} · {summary['files']} "
                    f"{t('files', lang)} · {summary['findings']} {t('findings', lang)}")
        for severity, count in summary["by_severity"].items():
            line.append(f"  {count} {t(severity, lang)}", style=STYLE[severity])
        console.print(line)
        if summary["by_code"]:
            # one wrapped line of CODE×N, not a table as long as the findings
            severities = {f.code: f.severity for f in report.findings}
            by_code = Text()
            for code, count in summary["by_code"].items():
                if by_code:
                    by_code.append("  ")
                by_code.append(f"{code}×{count}", style=STYLE.get(severities.get(code, ""), ""))
            console.print(by_code)
        else:
            console.print(Text(t("clean", lang), style="green"))
        spotless = clean_schools(report)
        if spotless and report.active:
            joiner = "、" if lang == "zh" else ", "
            console.print(Text(f"{t('clean_schools', lang)}: {joiner.join(map(clean, spotless))}",
                               style="green"))
        if report.found_above:
            console.print(Text(f"{t('found_above', lang)}: "
                               f"{', '.join(map(clean, report.found_above))}", style="dim"))
        for skipped in report.skipped:
            console.print(Text(f"{t('skipped', lang)}: {clean(skipped.school_id)}: "
                               f"{', '.join(skipped.codes)} — {clean(skipped.reason)}",
                               style="dim"))
        if report.waivers:
            console.print(Text(t("waivers", lang), style="bold"))
            for waiver in report.waivers:
                style = "dim" if waiver.get("status") == "expired" else ""
                console.print(Text("  " + clean(waiver_line(waiver, lang)), style=style))
        passed = passed_over_lines(report, lang)
        if passed:
            console.print(Text(f"{t('passed_over', lang)}:", style="bold"))
            for entry in passed:
                console.print(Text("  " + clean(entry), style="dim"))
        if report.rows_rejected:
            console.print(Text(rows_not_checked(report, lang), style="red"))
        if report.incomplete:
            console.print(Text(t("incomplete", lang), style="bold red"))


# the location column never takes more than this many cells (long names fold at "/")
WHERE_MAX = 30


def _findings_table(findings: list[Finding], lang: str, width: int) -> Any:
    """One school's findings: where, code, severity in words, message.

    Columns are sized to their content and the message is wrapped here, between
    words and Chinese characters, never inside a token such as ``ZS-002`` or
    ``enrollment.yaml`` (rich would fold those at the column edge).
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    wheres = [_where(f) for f in findings]
    where_w = min(max(cell_len(t("where", lang)), *(cell_len(w) for w in wheres)), WHERE_MAX)
    code_w = max(cell_len(t("code", lang)), *(cell_len(_code(f, lang)) for f in findings))
    sev_w = max(cell_len(t("severity", lang)), *(cell_len(t(f.severity, lang)) for f in findings))
    # between four columns: three dividers of one cell, each padded by a cell either side
    message_w = max(width - where_w - code_w - sev_w - 9, 20)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False,
                  padding=(0, 1))
    table.add_column(t("where", lang), width=where_w, min_width=where_w, overflow="fold")
    table.add_column(t("code", lang), width=code_w, min_width=code_w, no_wrap=True)
    table.add_column(t("severity", lang), width=sev_w, min_width=sev_w, no_wrap=True)
    table.add_column(t("message", lang), width=message_w, no_wrap=True)
    for f, where in zip(findings, wheres, strict=True):
        style = STYLE.get(f.severity, "")
        code = Text(f.code, style=style)
        if f.baseline == "new":  # a finding the previous round did not have
            code.append(_code(f, lang)[len(f.code):], style="bold magenta")
        severity = Text(t(f.severity, lang), style=style)
        text = clean(f.message) + (f" ({t('waived', lang)})" if f.waived else "")
        message = Text("\n".join(wrap_tokens(text, message_w)))
        if f.waived:
            code.stylize("dim strike")
            message.stylize("dim")
        table.add_row(Text(fold_path(where, where_w)), code, severity, message)
    return table


def _code(f: Finding, lang: str) -> str:
    """The code column's text: the code, and 新增 / new for a finding new this round."""
    return f"{f.code} {LABELS['new'][lang]}" if f.baseline == "new" else f.code


def _where(f: Finding) -> str:
    loc = f.location
    where = clean(loc.file.rsplit("/", 1)[-1])
    if loc.sheet:
        where += f"[{clean(loc.sheet)}]"
    if loc.line is not None:
        where += f":{loc.line}"
    return where


# a word, a space run or one character, with the opening punctuation before it and
# the closing punctuation after it: a line never starts with "，" or "》"
_TOKEN = re.compile(r"[（《「『“‘(\[]*(?:[A-Za-z0-9_.:/\\@#%+*\-…]+|\s+|.)"
                    r"[，。、；：！？）》」』”’,;:!?)\]]*")


# a token too long for a line comes apart into these: its opening punctuation goes
_PIECE = re.compile(r"(?:[A-Za-z0-9_.:/\\@#%+*\-…]+|.)[，。、；：！？）》」』”’,;:!?)\]]*")


def wrap_tokens(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` cells, broken between words or Chinese
    characters; a token longer than a line (a long path) is split from its punctuation
    first, and only a word longer than a whole line is ever cut."""
    lines: list[str] = []
    line, used = "", 0
    tokens = _TOKEN.findall(text)
    tokens.reverse()
    while tokens:
        token = tokens.pop()
        size = cell_len(token)
        if token.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if size > width:
            pieces = _PIECE.findall(token)
            if len(pieces) > 1:
                tokens.extend(reversed(pieces))
                continue
        if used + size > width and line.strip():
            lines.append(line.rstrip())
            line, used = "", 0
        while size > width:  # one word longer than a line: nothing else can be done
            lines.append(token[:width])
            token = token[width:]
            size = cell_len(token)
        line, used = line + token, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines or [""]


def fold_path(text: str, width: int) -> str:
    """A location that is too long breaks after a ``/``, ``.`` or ``]``, else at ``width``."""
    if cell_len(text) <= width:
        return text
    cut = max((text.rfind(ch, 0, width) for ch in "/.]"), default=-1)
    cut = cut + 1 if cut > 0 else width
    return text[:cut] + "\n" + fold_path(text[cut:], width)


def report_titles(report: Report, code: str, lang: str) -> str:
    return report.titles.get(code, {}).get(lang, "")


@hookimpl
def compliance_reporters() -> list[RichReporter]:
    return [RichReporter()]
