"""``--format html``: one self-contained page for an inspector.

No network: styles, charts (inline SVG) and the small script are all in the file,
so it opens from disk and prints on A4.  The findings table filters by school,
rule code and severity with CSS alone (radio buttons and ``:checked``); with
JavaScript the same controls also update a count, accept a free-text search and
read a starting filter from the address (``report.html#school=ZS-002&severity=error``).
Each school gets a week view (weekdays across, hours down) of its schedule, with
the entries that have findings outlined in red and labelled with the rule codes.
Every piece of submitted text goes through :func:`esc`.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import IO, Any

from compliance.host.markers import hookimpl
from compliance.outputs.html_blank_grids import CSS as BLANK_CSS
from compliance.outputs.html_blank_grids import ROW_ID, blank_grid
from compliance.outputs.labels import clean, passed_over_lines, t
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from compliance.rules.finding import SEVERITIES, Finding
from compliance.rules.i18n import label

COLOURS = {"error": "#c62828", "warning": "#ef6c00", "info": "#1565c0"}


def esc(value: object) -> str:
    """Text safe inside HTML elements and quoted attributes."""
    return html.escape(clean(value), quote=True)


CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","PingFang SC","Microsoft YaHei",
 system-ui,sans-serif;margin:0 auto;max-width:1100px;padding:16px;color:#222;font-size:14px}
h1{font-size:22px;margin:0 0 4px}h2{font-size:18px;margin:24px 0 8px;border-bottom:2px solid #ddd}
h3{font-size:16px;margin:16px 0 6px}
.meta{color:#666;font-size:12px}
.cards{display:flex;flex-wrap:wrap;gap:8px;margin:12px 0}
.card{border:1px solid #ddd;border-radius:6px;padding:8px 14px;min-width:110px}
.card b{display:block;font-size:22px}
.sev-error{color:#c62828}.sev-warning{color:#ef6c00}.sev-info{color:#1565c0}
.banner{background:#fdecea;border:1px solid #c62828;padding:8px;border-radius:6px}
.charts{display:flex;flex-wrap:wrap;gap:16px}.chart{flex:1 1 420px}
table{border-collapse:collapse;width:100%;font-size:13px}
th,td{border-bottom:1px solid #e4e4e4;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f5f5f5}
td.msg{word-break:break-word}
td.nw,th.nw,table.dated th,table.dated td:nth-child(-n+2){white-space:nowrap}
td.where{overflow-wrap:anywhere;min-width:9em}
details.clause{margin-top:2px;font-size:12px;color:#555}
details.clause summary{cursor:pointer}
details.clause blockquote{margin:4px 0 2px 12px;padding-left:8px;border-left:3px solid #ddd}
tr.waived td{color:#888;text-decoration:line-through}
tr.waived td.wv{text-decoration:none}
.filters{border:1px solid #ddd;border-radius:6px;padding:6px 8px;margin:8px 0}
.filter-groups .group{display:flex;flex-wrap:wrap;gap:4px;align-items:center;padding:2px 0}
.filter-groups .group>b:first-child{min-width:70px}
figure{margin:0}
.filters input[type=radio]{position:absolute;opacity:0;width:1px;height:1px}
.filters label{border:1px solid #bbb;border-radius:12px;padding:1px 9px;cursor:pointer;font-size:12px}
.filter-groups{margin-bottom:8px}
.js-only{display:none!important}
.js .js-only{display:flex!important}
#q{padding:3px 6px;min-width:240px}
.week{overflow-x:auto}
.legend span{display:inline-block;margin-right:14px;font-size:12px}
.legend i{display:inline-block;width:14px;height:10px;margin-right:4px;vertical-align:middle}
@page{size:A4;margin:12mm}
@media print{
 body{max-width:none;padding:0;font-size:11px}
 .filter-groups,.js-only{display:none!important}
 .filters{border:0;padding:0}
 .school{break-before:page}
 tr,svg,.card,figure.chart{break-inside:avoid}
 .chart{flex:1 1 45%;min-width:0}.chart svg{max-height:240mm}
 a{color:inherit;text-decoration:none}
}
"""

SCRIPT = """
(function(){
document.documentElement.className+=' js';
var rows=[].slice.call(document.querySelectorAll('tr.row'));
var count=document.getElementById('shown');
var q=document.getElementById('q');
function val(name){var c=document.querySelector('input[name="'+name+'"]:checked');return c?c.value:'';}
function apply(){
 var s=val('school'),c=val('code'),v=val('severity'),b=val('baseline');
 var text=(q&&q.value||'').toLowerCase(),n=0;
 rows.forEach(function(r){
  var ok=(!s||r.getAttribute('data-school')===s)&&(!c||r.getAttribute('data-code')===c)&&
   (!v||r.getAttribute('data-severity')===v)&&(!b||r.getAttribute('data-baseline')===b)&&(!text||r.textContent.toLowerCase().indexOf(text)>=0);
  r.hidden=!ok; if(ok){n++;}
 });
 if(count){count.textContent=String(n);}
}
function fromHash(){
 var h=location.hash.replace(/^#/,'');
 if(!h){return;}
 h.split('&').forEach(function(part){
  var kv=part.split('='),k=decodeURIComponent(kv[0]||''),w=decodeURIComponent(kv[1]||'');
  if(k==='q'&&q){q.value=w;return;}
  [].slice.call(document.querySelectorAll('input[type=radio]')).forEach(function(i){
   if(i.name===k&&i.value===w){i.checked=true;}
  });
 });
}
document.addEventListener('change',apply);
if(q){q.addEventListener('input',apply);}
// a link to a finding's row (a blank timetable's): the row shown even if filtered out,
// and marked; in the web page's frame (about:srcdoc) the link would leave the report
document.addEventListener('click',function(e){
 var a=e.target.closest?e.target.closest('a[href^="#finding-"]'):null;
 var row=a?document.getElementById(a.getAttribute('href').slice(1)):null;
 if(!row){return;}
 if(row.hidden){
  ['fs-all','fc-all','fv-all','fb-all'].forEach(function(id){
   var i=document.getElementById(id);if(i){i.checked=true;}
  });
  if(q){q.value='';}
  apply();
 }
 [].forEach.call(document.querySelectorAll('tr.targeted'),function(r){r.classList.remove('targeted');});
 row.classList.add('targeted');
 if(location.protocol==='about:'){e.preventDefault();row.scrollIntoView({block:'center'});}
});
window.addEventListener('hashchange',function(){fromHash();apply();});
fromHash();apply();
})();
"""


def _readable_time(iso: str) -> str:
    """``2025-12-01T08:30:00Z`` as a reader writes it, ``2025-12-01 08:30 UTC`` (any
    other text as it is)."""
    if len(iso) == 20 and iso[10] == "T" and iso.endswith("Z"):
        return f"{iso[:10]} {iso[11:16]} UTC"
    return iso


class HtmlReporter:
    name = "html"
    uses_schedules = True  # draws each school's week from report.schedules
    binary = False
    suffix = ".html"

    def render(self, report: Report, out: IO[str], options: RenderOptions) -> None:
        out.write(render_html(report, options.lang))


def render_html(report: Report, lang: str) -> str:
    """The whole page as one string."""
    schools = sorted({*report.schools, *(f.school_id for f in report.findings if f.school_id)})
    codes = sorted({f.code for f in report.findings})
    from compliance.outputs import html_rounds  # the round parts (rounds.md)
    from compliance.rounds.baseline import STATES

    states = list(STATES) if report.fixed is not None else []
    parts: list[str] = []
    add = parts.append
    add(f'<!DOCTYPE html>\n<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n'
        '<meta charset="utf-8">\n<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<link rel="icon" href="data:,">\n'
        f"<title>{esc(t('report_title', lang))}</title>\n<style>{CSS}{BLANK_CSS}</style>\n"
        f"{_filter_css(schools, codes, states)}</head>\n<body>\n")
    add(f"<h1>{esc(t('report_title', lang))}</h1>\n")
    tool = report.tool
    meta = [f'{esc(t("generated_by", lang))}: {esc(tool.get("name", ""))} '
            f'{esc(tool.get("version", ""))}', f'{esc(t("profile", lang))}: {esc(report.profile)}']
    # with --evidence the run's own record says when; else the time the report was made
    when = ((report.evidence or {}).get("run") or {}).get("time") or report.generated_at
    if when:
        meta.append(f'{esc(t("generated_at", lang))}: {esc(_readable_time(when))}')
    if report.inputs:
        meta.append(f'{esc(t("inputs", lang))}: ' + ", ".join(
            f"<code>{esc(p)}</code>" for p in report.inputs))
    add(f'<p class="meta">{" · ".join(meta)}</p>\n')
    if report.found_above:
        add(f'<p class="meta">{esc(t("found_above", lang))}: ' + ", ".join(
            f"<code>{esc(p)}</code>" for p in report.found_above) + "</p>\n")
    add(_summary(report, lang))
    add(_charts(report, lang, schools))
    add(html_rounds.rounds_section(report, lang, lambda s: _school_label(report, s, lang)))
    add(_waivers(report, lang))
    add(_table(report, lang, schools, codes, states))
    for school_id in schools:
        add(_school_section(report, lang, school_id))
    add(html_rounds.evidence_section(report, lang))
    add(f"<script>{SCRIPT}</script>\n</body>\n</html>\n")
    return "".join(parts)


def _school_label(report: Report, school_id: str | None, lang: str) -> str:
    if not school_id:
        return t("no_school", lang)
    name = report.schools.get(school_id, "")
    return f"{school_id} {name}".strip()


def _filter_css(schools: list[str], codes: list[str], states: Sequence[str] = ()) -> str:
    """One rule per filter value: the CSS-only filter (no JavaScript needed)."""
    radios = ([(f"fs{i}", f"s{i}") for i in range(len(schools))]
              + [(f"fc{i}", f"c{i}") for i in range(len(codes))]
              + [(f"fv-{s}", f"v-{s}") for s in SEVERITIES]
              + [(f"fb-{s}", f"b-{s}") for s in states])
    hide = [f"#{ident}:checked~table tr.row:not(.{cls})" for ident, cls in radios]
    ids = [ident for ident, _ in radios] + ["fs-all", "fc-all", "fv-all"] + (
        ["fb-all"] if states else [])
    pressed = [f"#{ident}:checked~.filter-groups label[for={ident}]" for ident in ids]
    focused = [f"#{ident}:focus-visible~.filter-groups label[for={ident}]" for ident in ids]
    return ("<style>" + ",\n".join(hide) + "{display:none}\n" + ",\n".join(pressed)
            + "{background:#333;color:#fff;border-color:#333}\n" + ",\n".join(focused)
            + "{outline:2px solid #1565c0}</style>\n")


def _summary(report: Report, lang: str) -> str:
    summary = report.summary()
    cards = [
        (t("n_schools", lang), summary["schools"], ""),
        (t("n_files", lang), summary["files"], ""),
        (t("findings_table", lang), summary["findings"], ""),
    ]
    for sev in SEVERITIES:
        cards.append((t(sev, lang), summary["by_severity"].get(sev, 0), f"sev-{sev}"))
    if summary.get("waived"):
        cards.append((t("waived", lang), summary["waived"], ""))
    out = [f"<h2>{esc(t('summary', lang))}</h2>\n<div class=\"cards\">"]
    for name, value, cls in cards:
        out.append(f'<div class="card {cls}"><b>{value}</b>{esc(name)}</div>')
    out.append("</div>\n")
    if report.incomplete:
        out.append(f'<p class="banner">{esc(t("incomplete", lang))}</p>\n')
    if not report.active:
        out.append(f"<p>{esc(t('clean', lang))}</p>\n")
    for skipped in report.skipped:
        out.append(f'<p class="meta">{esc(t("skipped", lang))}: {esc(skipped.school_id)}: '
                   f'{esc(", ".join(skipped.codes))} — {esc(skipped.reason)}</p>\n')
    passed = passed_over_lines(report, lang)
    if passed:
        # what was read as a title, note or section rather than as data (exports.md)
        out.append(f'<details class="meta"><summary>{esc(t("passed_over", lang))} '
                   f"({len(passed)})</summary><ul>")
        out.extend(f"<li>{esc(line)}</li>" for line in passed)
        out.append("</ul></details>\n")
    return "".join(out)


def _text_px(text: str, size: int = 13) -> float:
    """About how wide ``text`` is drawn: a Chinese character is one em, others ~0.62 em."""
    return sum(size if unicodedata.east_asian_width(c) in "WF" else size * 0.62 for c in text)


def fit_label(text: str, max_px: float, keep: int = 0, size: int = 13) -> str:
    """``text`` cut with an ellipsis to fit ``max_px``; its first ``keep`` characters (a
    rule's code) always stay, so a right-aligned label never loses its start."""
    if _text_px(text, size) <= max_px:
        return text
    budget = max_px - _text_px(text[:keep], size) - _text_px("…", size)
    kept = keep
    while kept < len(text) and _text_px(text[keep:kept + 1], size) <= budget:
        kept += 1
    return text[:keep] + text[keep:kept].rstrip() + "…"


_WORDS = re.compile(r"[^\s\u3400-\u9fff（）《》、，]+\s*|[\u3400-\u9fff（）《》、，]\s*|\s+")


def wrap_label(text: str, max_px: float, keep: int = 0, most: int = 3) -> list[str]:
    """``text`` on lines of at most ``max_px``, broken between words (and between
    Chinese characters), at most ``most`` lines — only a label longer still ends in
    "…".  The first ``keep`` characters (a rule's code) stay together on line one."""
    lines: list[str] = []
    line = text[:keep]
    for word in _WORDS.findall(text[keep:]):
        if line.strip() and _text_px((line + word).rstrip()) > max_px:
            lines.append(line.rstrip())
            line = word.lstrip()
        else:
            line += word
    if line.strip():
        lines.append(line.rstrip())
    if len(lines) > most:
        lines = [*lines[:most - 1], fit_label(" ".join(lines[most - 1:]), max_px)]
    return [fit_label(line, max_px) for line in lines] or [""]


def _bar_chart(title: str, rows: list[tuple[str, Counter[str]]], chart_id: str,
               coded: bool = False) -> str:
    """A horizontal bar chart, one bar per row, stacked by severity.

    :param coded: each row's label starts with a rule code that is never cut.
    """
    label_w, bar_w, row_h, line_h = 240, 260, 22, 14
    labels = [wrap_label(name, label_w - 10, len(name.split(" ", 1)[0]) + 1 if coded else 0)
              for name, _ in rows]
    tops = [4]
    for lines in labels:  # a label of several lines makes its row taller
        tops.append(tops[-1] + row_h + line_h * (len(lines) - 1))
    height = max(tops[-1], row_h) + 4
    top = max([sum(c.values()) for _, c in rows] or [1]) or 1
    out = [f'<figure class="chart"><figcaption><h3>{esc(title)}</h3></figcaption>'
           f'<svg id="{chart_id}" xmlns="http://www.w3.org/2000/svg" role="img" '
           f'aria-label="{esc(title)}" width="100%" viewBox="0 0 {label_w + bar_w + 50} {height}">']
    for i, ((name, counts), lines) in enumerate(zip(rows, labels, strict=True)):
        y = tops[i]
        spans = "".join(f'<tspan x="{label_w - 6}" dy="{0 if n == 0 else line_h}">{esc(line)}</tspan>'
                        for n, line in enumerate(lines))
        out.append(f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end" font-size="13">'
                   f'<title>{esc(name)}</title>{spans}</text>')
        x = float(label_w)
        for sev in SEVERITIES:
            n = counts.get(sev, 0)
            if not n:
                continue
            w = bar_w * n / top
            out.append(f'<rect class="bar" x="{x:.1f}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}" '
                       f'fill="{COLOURS[sev]}"><title>{esc(name)}: {n} {sev}</title></rect>')
            x += w
        out.append(f'<text x="{x + 4:.1f}" y="{y + 15}" font-size="12">{sum(counts.values())}</text>')
    out.append("</svg></figure>\n")
    return "".join(out)


def _charts(report: Report, lang: str, schools: list[str]) -> str:
    per_school: dict[str, Counter[str]] = {s: Counter() for s in schools}
    per_code: dict[str, Counter[str]] = defaultdict(Counter)
    for f in report.active:
        per_school.setdefault(f.school_id or "", Counter())[f.severity] += 1
        per_code[f.code][f.severity] += 1
    school_rows = [(_school_label(report, s or None, lang), c) for s, c in per_school.items()]
    code_rows = [(f"{code} {report.titles.get(code, {}).get(lang, '')}".strip(), per_code[code])
                 for code in sorted(per_code)]
    legend = "".join(f'<span><i style="background:{COLOURS[s]}"></i>{esc(t(s, lang))}</span>'
                     for s in SEVERITIES)
    return (f'<div class="charts">{_bar_chart(t("by_school", lang), school_rows, "chart-schools")}'
            f'{_bar_chart(t("by_code", lang), code_rows, "chart-codes", coded=True)}</div>'
            f'<p class="legend">{legend}</p>\n')


def _waivers(report: Report, lang: str) -> str:
    if not report.waivers:
        return ""
    out = [f"<h2>{esc(t('waivers', lang))}</h2>\n<table id=\"waivers\"><thead><tr>"]
    heads = ("status", "code", "school", "match", "reason", "approved_by", "expires", "waived_count")
    out.append("".join(f"<th>{esc(t(h, lang))}</th>" for h in heads) + "</tr></thead><tbody>")
    for w in report.waivers:
        match = ", ".join(f"{k}={v}" for k, v in (w.get("match") or {}).items())
        status = w.get("status", "active")
        cells = [t(status, lang) if status in ("active", "expired") else status, w.get("code", ""),
                 w.get("school_id") or t("all", lang), match, w.get("reason", ""),
                 w.get("approved_by", ""), w.get("expires", ""), w.get("waived", "")]
        out.append("<tr>" + "".join(f"<td>{esc(c)}</td>" for c in cells) + "</tr>")
    out.append("</tbody></table>\n")
    return "".join(out)


def _where(f: Finding) -> str:
    loc = f.location
    where = loc.file.replace("\\", "/").rsplit("/", 1)[-1]
    if loc.sheet:
        where += f"[{loc.sheet}]"
    if loc.line is not None:
        where += f":{loc.line}"
    if loc.column:
        where += f" ({loc.column})"
    return where


def _grid_where(row: dict[str, Any]) -> str:
    """``课程表.xlsx[Sheet]:12``: where a timetable row of the report stands."""
    where = str(row["file"]).replace("\\", "/").rsplit("/", 1)[-1]
    if row.get("sheet"):
        where += f"[{row['sheet']}]"
    if row.get("line") is not None:
        where += f":{row['line']}"
    return where


NOWRAP = {"school", "code", "severity"}


def _clause(report: Report, code: str, lang: str) -> str:
    """The clauses a finding rests on: ids and documents, the quoted text on opening."""
    cited = report.clauses.get(code) or []
    if not cited:
        return ""
    names = "; ".join(f"{c['id']} {c['document']}" for c in cited)
    quotes = "".join(f"<blockquote><b>{esc(c['id'])}</b> {esc(c['document'])}: {esc(c['text'])}"
                     f"</blockquote>" for c in cited)
    return (f'<details class="clause"><summary>{esc(t("show_clause", lang))}: {esc(names)}'
            f"</summary>{quotes}</details>")


def _table(report: Report, lang: str, schools: list[str], codes: list[str],
           states: Sequence[str] = ()) -> str:
    school_index = {s: i for i, s in enumerate(schools)}
    code_index = {c: i for i, c in enumerate(codes)}
    out = [f"<h2 id=\"findings\">{esc(t('findings_table', lang))}</h2>\n"]
    # The radios must be siblings of the table (and of the label groups) for the
    # CSS-only filter (`~`); the labels are the visible buttons.
    groups = [
        ("school", "s", t("school", lang),
         [(f"fs{i}", s, _school_label(report, s, lang)) for i, s in enumerate(schools)]),
        ("code", "c", t("code", lang), [(f"fc{i}", c, c) for i, c in enumerate(codes)]),
        ("severity", "v", t("severity", lang), [(f"fv-{s}", s, t(s, lang)) for s in SEVERITIES]),
    ]
    if states:  # with a baseline: 新增 / 未整改 / 已整改
        from compliance.outputs.html_rounds import state_label

        groups.append(("baseline", "b", t("status", lang),
                       [(f"fb-{s}", s, state_label(s, lang)) for s in states]))
    rows = len(report.findings) + len(report.fixed or [])  # fixed ones are listed too
    out.append('<div class="filters table-wrap">')
    for name, short, _, options in groups:
        out.append(f'<input type="radio" name="{name}" id="f{short}-all" value="" checked>')
        for ident, value, _text in options:
            out.append(f'<input type="radio" name="{name}" id="{ident}" value="{esc(value)}">')
    out.append('<div class="filter-groups">')
    for _name, short, legend, options in groups:
        out.append(f'<div class="group"><b>{esc(legend)}</b>'
                   f'<label for="f{short}-all">{esc(t("all", lang))}</label>')
        out.extend(f'<label for="{ident}">{esc(text)}</label>' for ident, _v, text in options)
        out.append("</div>")
    out.append(f'<div class="group js-only"><input id="q" type="search" '
               f'placeholder="{esc(t("search", lang))}" aria-label="{esc(t("search", lang))}"> '
               f'{esc(t("showing", lang))} <b id="shown">{rows}</b> / '
               f'{rows}</div></div>')
    # the waiver column only when some finding is waived: otherwise it is always empty
    any_waived = any(f.waived for f in report.findings)
    heads = ("school", "where", "code", "severity", "message") + (
        ("waiver_by",) if any_waived else ())
    out.append('<table id="findings-table"><thead><tr>' +
               "".join(f'<th class="{"nw" if h in NOWRAP else ""}">{esc(t(h, lang))}</th>'
                       for h in heads) + "</tr></thead><tbody>")
    for number, f in enumerate(report.findings):
        si = school_index.get(f.school_id or "")
        classes = ["row", f"s{si}" if si is not None else "s-none",
                   f"c{code_index[f.code]}", f"v-{f.severity}"]
        if f.waived:
            classes.append("waived")
        if f.baseline is not None:
            classes.append(f"b-{f.baseline}")
        waiver = ""
        if f.waived:
            w = f.waiver or {}
            waiver = f"{t('waived', lang)}: {w.get('reason', '')} ({w.get('approved_by', '')}, " \
                     f"{t('expires', lang)} {w.get('expires', '')})"
        title = report.titles.get(f.code, {}).get(lang, "")
        out.append(
            f'<tr class="{" ".join(classes)}" data-school="{esc(f.school_id or "")}" '
            f'data-code="{esc(f.code)}" data-severity="{esc(f.severity)}" '
            f'data-baseline="{esc(f.baseline or "")}" id="{ROW_ID.format(i=number)}">'
            f"<td class=\"nw\">{esc(f.school_id or t('no_school', lang))}</td>"
            f'<td class="where">{esc(_where(f))}</td>'
            f'<td class="nw"><abbr title="{esc(title)}">{esc(f.code)}</abbr></td>'
            f'<td class="nw sev-{esc(f.severity)}">{esc(t(f.severity, lang))}</td>'
            f'<td class="msg">{esc(f.message)}{_clause(report, f.code, lang)}</td>'
            + (f'<td class="wv">{esc(waiver)}</td>' if any_waived else "") + "</tr>")
    for item in report.fixed or []:  # gone since the baseline: shown struck, filterable
        sid = item.get("school_id")
        si = school_index.get(sid or "")
        code, severity = str(item.get("code", "")), str(item.get("severity", ""))
        classes = ["row", "fixed", f"s{si}" if si is not None else "s-none",
                   f"c{code_index[code]}" if code in code_index else "c-none",
                   f"v-{severity}", "b-fixed"]
        loc = item.get("location") or {}
        where = str(loc.get("file", "")).replace("\\", "/").rsplit("/", 1)[-1]
        if loc.get("line") is not None:
            where += f":{loc['line']}"
        out.append(
            f'<tr class="{" ".join(classes)}" data-school="{esc(sid or "")}" '
            f'data-code="{esc(code)}" data-severity="{esc(severity)}" data-baseline="fixed">'
            f"<td class=\"nw\">{esc(sid or t('no_school', lang))}</td>"
            f'<td class="where">{esc(where)}</td><td class="nw">{esc(code)}</td>'
            f'<td class="nw">{esc(t(severity, lang) if severity in SEVERITIES else severity)}</td>'
            f'<td class="msg"><s>{esc(item.get("message", ""))}</s></td>'
            + ('<td class="wv"></td>' if any_waived else "") + "</tr>")
    out.append("</tbody></table></div>\n")
    return "".join(out)


# -- week view -------------------------------------------------------------------------


def _minutes(text: str) -> int:
    hours, _, minutes = text.partition(":")
    return int(hours) * 60 + int(minutes or 0)


def _row_findings(report: Report, school_id: str) -> dict[tuple[str, str | None, int | None], list[Finding]]:
    out: dict[tuple[str, str | None, int | None], list[Finding]] = defaultdict(list)
    for f in report.active:
        if f.school_id != school_id or f.location.line is None:
            continue
        # A whole-file or whole-school input problem (INP003/INP005 at the first row)
        # is not about that entry; rule findings and cell-level INP findings are.
        if f.code.startswith("INP") and f.location.column is None:
            continue
        out[(f.location.file, f.location.sheet, f.location.line)].append(f)
    return out


def _lanes(entries: list[dict[str, Any]]) -> None:
    """Give overlapping entries of one day side-by-side lanes (``lane``, ``lanes``)."""
    entries.sort(key=lambda e: (_minutes(e["start"]), _minutes(e["end"])))
    cluster: list[dict[str, Any]] = []
    cluster_end = -1
    ends: list[int] = []

    def close() -> None:
        for e in cluster:
            e["lanes"] = len(ends)

    for e in entries:
        start, end = _minutes(e["start"]), _minutes(e["end"])
        if start >= cluster_end and cluster:
            close()
            cluster, ends = [], []
        for lane, lane_end in enumerate(ends):
            if lane_end <= start:
                ends[lane] = end
                e["lane"] = lane
                break
        else:
            e["lane"] = len(ends)
            ends.append(end)
        cluster.append(e)
        cluster_end = max(cluster_end, end)
    if cluster:
        close()


def _entry_lines(e: dict[str, Any], activity: str, grades: str, codes: str, width: float,
                 height: float, lang: str) -> list[tuple[str, str]]:
    """The text lines an entry's box has room for, each cut to the box's width with an
    ellipsis (the full text is the box's tooltip): codes first for an entry with
    findings; in a narrow lane the times go on lines of their own."""
    narrow = width < 90
    times = [e["start"], f"–{e['end']}"] if narrow else [f"{e['start']}–{e['end']}"]
    extra = e["title"] if e["title"] and e["title"] != activity else ""
    if grades != t("whole_school", lang):
        extra = f"{extra} {grades}".strip()
    if codes:
        lines = [(codes, ' fill="#c62828" font-weight="bold"')]
        lines += [(x, "") for x in (*times[:1], activity, extra) if x] if narrow else [
            (f"{times[0]} {activity}", ""), (extra, "")]
    else:
        lines = [(x, "") for x in (*times, activity) if x] if narrow else [
            (f"{times[0]} {activity}", "")]
        lines.append((extra, ' fill="#555"'))
    room = max(int((height + 1) // 11), 1 if codes else 0)
    return [(fit_label(text, width, size=10), style) for text, style in lines[:room] if text]


def _week_svg(report: Report, lang: str, school_id: str, rows: list[dict[str, Any]],
              marks: dict[tuple[str, str | None, int | None], list[Finding]]) -> str:
    weekly = [r for r in rows if r["days"]]
    days = [d for d in range(1, 8) if d <= 5 or any(d in r["days"] for r in weekly)]
    if not weekly:
        return ""
    first = min(_minutes(r["start"]) for r in weekly) // 60
    last = -(-max(_minutes(r["end"]) for r in weekly) // 60)
    first, last = min(first, 7), max(last, 18)
    axis, col_w, head, per_min = 44, 150, 24, 1.1
    width = axis + col_w * len(days) + 2
    height = head + int((last - first) * 60 * per_min) + 4

    def y(minutes: int) -> float:
        return head + (minutes - first * 60) * per_min

    out = [f'<svg class="weekview" xmlns="http://www.w3.org/2000/svg" width="100%" '
           f'viewBox="0 0 {width} {height}" role="img" '
           f'aria-label="{esc(t("week_view", lang))} {esc(school_id)}" font-size="10">']
    for hour in range(first, last + 1):
        yy = y(hour * 60)
        out.append(f"<line x1=\"{axis - 4}\" y1=\"{yy:.1f}\" x2=\"{width}\" y2=\"{yy:.1f}\" "
                   f"stroke=\"#e0e0e0\"/>"
                   f'<text x="{axis - 6}" y="{yy + 4:.1f}" text-anchor="end" fill="#555">'
                   f"{hour:02d}:00</text>")
    for i, day in enumerate(days):
        x0 = axis + i * col_w
        out.append(f'<rect x="{x0}" y="0" width="{col_w}" height="{head - 2}" fill="#f0f0f0"/>'
                   f'<text x="{x0 + col_w / 2}" y="15" text-anchor="middle" font-size="12" '
                   f'font-weight="bold">{esc(label("weekday", str(day), lang))}</text>'
                   f'<line x1="{x0}" y1="0" x2="{x0}" y2="{height}" stroke="#ccc"/>')
        entries = [dict(r) for r in weekly if day in r["days"]]
        _lanes(entries)
        for e in entries:
            found = marks.get((e["file"], e["sheet"], e["line"]), [])
            lanes = e.get("lanes", 1)
            lane_w = (col_w - 4) / lanes
            ex = x0 + 2 + e["lane"] * lane_w
            ey, eh = y(_minutes(e["start"])), max(y(_minutes(e["end"])) - y(_minutes(e["start"])), 3)
            bad = bool(found)
            fill = "#ffebee" if bad else ("#eef5ff" if e["compulsory"] else "#f1f8e9")
            stroke = "#c62828" if bad else "#90a4ae"
            activity = label("activity", e["activity"] or "", lang)
            grades = e["grades"] or t("whole_school", lang)
            codes = " ".join(sorted({f.code for f in found}))
            tip = (f"{e['start']}-{e['end']} {activity} {e['title'] or ''} ({t('grades', lang)}: {grades})"
                   + (f" — {codes}: " + " / ".join(f.message for f in found) if found else ""))
            cls = "entry bad" if bad else "entry"
            data = f' data-codes="{esc(codes)}"' if bad else ""
            out.append(f'<g class="{cls}"{data}><title>{esc(tip)}</title>'
                       f'<rect x="{ex:.1f}" y="{ey:.1f}" width="{lane_w - 2:.1f}" height="{eh:.1f}" rx="2" '
                       f'fill="{fill}" stroke="{stroke}" stroke-width="{2 if bad else 0.8}"/>'
                       f'<svg x="{ex + 2:.1f}" y="{ey:.1f}" width="{max(lane_w - 5, 1):.1f}" '
                       f'height="{eh:.1f}">')
            for n, (text, style) in enumerate(_entry_lines(e, activity, grades, codes,
                                                           lane_w - 6, eh, lang)):
                out.append(f'<text x="0" y="{10 + 11 * n}"{style}>{esc(text)}</text>')
            out.append("</svg></g>")
    out.append("</svg>")
    return "".join(out)


def _school_section(report: Report, lang: str, school_id: str) -> str:
    rows = report.schedules.get(school_id, [])
    marks = _row_findings(report, school_id)
    out = [f'<section class="school" id="school-{esc(school_id)}">'
           f"<h2>{esc(_school_label(report, school_id, lang))}</h2>"
           f"<h3>{esc(t('week_view', lang))}</h3>"]
    if not rows:
        out.append(f"<p>{esc(t('no_schedule', lang))}</p>")
        out.append(_timetables(report, lang, school_id, marks))
        out.append("</section>\n")
        return "".join(out)
    out.append(f'<p class="legend"><span><i style="background:#eef5ff;border:1px solid #90a4ae"></i>'
               f'{esc(t("legend_ok", lang))}</span><span><i style="background:#f1f8e9;border:1px solid '
               f'#90a4ae"></i>{esc(t("legend_voluntary", lang))}</span><span><i style="background:#ffebee;'
               f'border:2px solid #c62828"></i>{esc(t("legend_bad", lang))}</span></p>')
    out.append(f'<div class="week">{_week_svg(report, lang, school_id, rows, marks)}</div>')
    dated = sorted((r for r in rows if r["date"]), key=lambda r: (r["date"], r["start"]))
    if dated:
        out.append(f"<h3>{esc(t('dated_entries', lang))}</h3><table class=\"dated\"><thead><tr>")
        out.append("".join(f"<th>{esc(t(h, lang))}</th>" for h in
                           ("date", "time", "activity", "grades", "code", "message")))
        out.append("</tr></thead><tbody>")
        for r in dated:
            found = marks.get((r["file"], r["sheet"], r["line"]), [])
            day = dt.date.fromisoformat(r["date"])
            when = f"{r['date']} {label('weekday', str(day.isoweekday()), lang)}"
            cls = ' class="bad"' if found else ""
            style = ' style="background:#ffebee"' if found else ""
            out.append(f"<tr{cls}{style}><td>{esc(when)}</td><td>{esc(r['start'])}–{esc(r['end'])}</td>"
                       f"<td>{esc(label('activity', r['activity'] or '', lang))} {esc(r['title'] or '')}</td>"
                       f"<td>{esc(r['grades'] or t('whole_school', lang))}</td>"
                       f"<td>{esc(' '.join(f.code for f in found))}</td>"
                       f"<td class=\"msg\">{esc(' / '.join(f.message for f in found))}</td></tr>")
        out.append("</tbody></table>")
    out.append(_timetables(report, lang, school_id, marks))
    out.append("</section>\n")
    return "".join(out)


def _timetables(report: Report, lang: str, school_id: str,
                marks: dict[tuple[str, str | None, int | None], list[Finding]]) -> str:
    """Each class's timetable: periods down, weekdays across, the subject in each cell;
    cells with a finding (a weekend lesson) outlined in red with the rule codes; a class
    whose grid holds no lesson as an empty grid marked blank, its findings linked."""
    lessons = report.timetables.get(school_id, [])
    by_class: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for lesson in lessons:
        by_class[lesson["class"]].append(lesson)
    out = []
    for cls, rows in sorted(by_class.items()):
        name = cls or t("whole_school", lang)
        if all(r.get("blank") for r in rows):
            out.append(blank_grid(report, lang, school_id, rows[0], name, esc, _grid_where(rows[0])))
            continue
        days = sorted({r["weekday"] for r in rows} | {1, 2, 3, 4, 5})
        periods: dict[int, dict[int, dict[str, Any]]] = defaultdict(dict)
        times: dict[int, str] = {}
        for r in rows:
            periods[r["period"]].setdefault(r["weekday"], r)
            if r["start"] and r["period"] not in times:
                times[r["period"]] = f"{r['start']}–{r['end']}"
        out.append(f"<h3>{esc(t('timetable_of', lang))} {esc(name)}</h3>"
                   f'<table class="timetable"><thead><tr><th>{esc(t("period", lang))}</th>')
        out.append("".join(f"<th>{esc(label('weekday', str(d), lang))}</th>" for d in days))
        out.append("</tr></thead><tbody>")
        for period in sorted(periods):
            out.append(f"<tr><th>{period} <small>{esc(times.get(period, ''))}</small></th>")
            for day in days:
                cell = periods[period].get(day)
                if cell is None:
                    out.append("<td></td>")
                    continue
                found = [f for f in marks.get((cell["file"], cell["sheet"], cell["line"]), [])
                         if f.location.column == cell["column"]]
                style = ' style="background:#ffebee;outline:2px solid #c62828"' if found else ""
                codes = f" <b>{esc(' '.join(f.code for f in found))}</b>" if found else ""
                out.append(f"<td{style}>{esc(cell['subject'])}{codes}</td>")
            out.append("</tr>")
        out.append("</tbody></table>")
    return "".join(out)


@hookimpl
def compliance_reporters() -> list[HtmlReporter]:
    return [HtmlReporter()]
