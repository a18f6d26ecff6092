"""The HTML report's round parts (rounds.md): per-school 新增 / 未整改 / 已整改 counts,
each school's findings by round as a small chart when the run has a history, and the
run's evidence (versions, sources, time, every input file's size and SHA-256)."""

from __future__ import annotations

from typing import Any

from compliance.outputs.html import esc
from compliance.outputs.report import Report
from compliance.rounds.baseline import LABELS, STATES, school_counts

TEXT: dict[str, dict[str, str]] = {
    "rounds": {"zh": "复查对比", "en": "Compared with the previous round"},
    "trend": {"zh": "各校问题数趋势（按轮次）", "en": "Findings per school, by round"},
    "round": {"zh": "第{n}轮", "en": "round {n}"},
    "evidence": {"zh": "检查记录（证据）", "en": "Evidence of this run"},
    "tool": {"zh": "工具", "en": "Tool"},
    "plugins": {"zh": "插件", "en": "Plugins"},
    "profile": {"zh": "配置", "en": "Profile"},
    "curriculum": {"zh": "课程计划", "en": "Curriculum plan"},
    "calendar": {"zh": "日历来源", "en": "Calendar sources"},
    "time": {"zh": "检查时间", "en": "Time of the run"},
    "key": {"zh": "指纹密钥编号", "en": "Fingerprint key id"},
    "inputs": {"zh": "输入文件", "en": "Input files"},
    "path": {"zh": "路径", "en": "Path"},
    "size": {"zh": "字节", "en": "Bytes"},
    "school": {"zh": "学校", "en": "School"},
    "none": {"zh": "无", "en": "none"},
}


def _t(key: str, lang: str) -> str:
    return TEXT[key][lang if lang in ("zh", "en") else "en"]


def state_label(state: str, lang: str) -> str:
    """新增 / 未整改 / 已整改 (or English)."""
    return LABELS[state][lang if lang in ("zh", "en") else "en"]


def rounds_section(report: Report, lang: str, label: Any) -> str:
    """Per school: new, unchanged, fixed; and the trend chart when there is a history.

    :param label: ``label(school_id)`` → the school's display name.
    """
    out: list[str] = []
    counts = school_counts(report)
    if counts:
        out.append(f'<h2 id="rounds">{esc(_t("rounds", lang))}</h2>\n<table id="rounds-table">'
                   f"<thead><tr><th>{esc(_t('school', lang))}</th>"
                   + "".join(f"<th>{esc(state_label(s, lang))}</th>" for s in STATES)
                   + "</tr></thead><tbody>")
        for school_id, c in counts.items():
            out.append(f"<tr><td>{esc(label(school_id))}</td>"
                       + "".join(f'<td class="n-{s}">{c[s]}</td>' for s in STATES) + "</tr>")
        out.append("</tbody></table>\n")
    if report.trend:
        out.append(f'<h2 id="trend">{esc(_t("trend", lang))}</h2>\n<div class="charts">')
        for school_id, points in report.trend.items():
            out.append(_trend_svg(label(school_id), points, lang))
        out.append("</div>\n")
    return "".join(out)


def _trend_svg(title: str, points: list[dict[str, Any]], lang: str) -> str:
    """One school's findings per round: bars, the latest round last."""
    points = points[-12:]  # the last twelve rounds are what a page can show
    bar_w, gap, height, base = 34, 10, 120, 100
    top = max([p["findings"] for p in points] or [1]) or 1
    width = len(points) * (bar_w + gap) + gap
    out = [f'<figure class="chart trend"><figcaption><h3>{esc(title)}</h3></figcaption>'
           f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{esc(title)}" '
           f'width="{width}" height="{height + 18}" viewBox="0 0 {width} {height + 18}">']
    for i, p in enumerate(points):
        x = gap + i * (bar_w + gap)
        # a round without findings still shows: a thin green bar
        h = max((base - 14) * p["findings"] / top, 2.0)
        name = _t("round", lang).format(n=p["round"])
        colour = "#c62828" if p["findings"] else "#2e7d32"
        out.append(f'<rect x="{x}" y="{base - h:.1f}" width="{bar_w}" height="{h:.1f}" '
                   f'fill="{colour}"><title>{esc(name)} {esc(p["time"])}: {p["findings"]}'
                   f"</title></rect>"
                   f'<text x="{x + bar_w / 2:.0f}" y="{base - h - 3:.1f}" font-size="11" '
                   f'text-anchor="middle">{p["findings"]}</text>'
                   f'<text x="{x + bar_w / 2:.0f}" y="{base + 14}" font-size="11" '
                   f'text-anchor="middle">{esc(name)}</text>')
    out.append("</svg></figure>")
    return "".join(out)


def calendar_lines(calendar: dict[str, Any], lang: str) -> list[str]:
    """``2027: 国务院办公厅…通知 (calendar.yaml:2)`` per year; plain strings as they are."""
    from compliance.inputs.calendar_run import evidence_text

    return [line for year, source in calendar.items()
            for line in (evidence_text({year: source}, lang) if isinstance(source, dict)
                         else [f"{year}: {source}"])]


def evidence_section(report: Report, lang: str) -> str:
    """What was run, on which files, with what: for the record."""
    if report.evidence is None:
        return ""
    run = report.evidence["run"]
    plugins = ", ".join(f"{p['name']} {p['version'] or ''}".strip() for p in run["plugins"]
                        if p["origin"] != "built-in") or _t("none", lang)
    calendar = "; ".join(calendar_lines(run["calendar"], lang))
    rows = [
        ("tool", f"{run['tool']['name']} {run['tool']['version']}"),
        ("plugins", plugins),
        ("profile", run["profile"]),
        ("curriculum", run.get("curriculum") or _t("none", lang)),
        ("calendar", calendar or "-"),
        ("time", run["time"]),
        ("key", run.get("fingerprint_key") or "-"),
    ]
    out = [f'<h2 id="evidence">{esc(_t("evidence", lang))}</h2>\n<table id="evidence-run">'
           "<tbody>"]
    out.extend(f"<tr><th>{esc(_t(k, lang))}</th><td>{esc(v)}</td></tr>" for k, v in rows)
    out.append(f"</tbody></table>\n<h3>{esc(_t('inputs', lang))}</h3>"
               f'<table id="evidence-files"><thead><tr><th>{esc(_t("path", lang))}</th>'
               f"<th>{esc(_t('size', lang))}</th><th>SHA-256</th></tr></thead><tbody>")
    for f in report.evidence["files"]:
        out.append(f"<tr><td>{esc(f['path'])}</td><td>{f['size']}</td>"
                   f'<td class="hash"><code>{esc(f["sha256"])}</code></td></tr>')
    out.append("</tbody></table>\n")
    return "".join(out)
