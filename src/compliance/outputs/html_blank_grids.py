"""The HTML week view's blank timetable: a class whose grid holds no lesson (handed in
blank, or only 自习) is drawn as an empty grid marked 空白, with where it is and links
to the findings the CUR rules made of it (CUR001 for every required subject), so a
school sees at a glance which class was left blank."""

from __future__ import annotations

from typing import Any

from compliance.outputs.report import Report
from compliance.rules.finding import Finding
from compliance.rules.i18n import label

TEXT: dict[str, dict[str, str]] = {
    "blank": {"zh": "空白", "en": "blank"},
    "empty": {"zh": "本班课程表中没有任何课程（空白课表）",
              "en": "This class's timetable holds no lesson (left blank)"},
    "findings": {"zh": "相关问题", "en": "Findings"},
    "none": {"zh": "（本次检查未据此报告问题）", "en": "(no finding was reported about it)"},
}
#: the findings table's row for finding number ``i`` of the report (see html._table)
ROW_ID = "finding-{i}"
CSS = """
table.timetable.blank td.blank{border:2px dashed #c62828;color:#8e0000;text-align:center;padding:18px 8px;
 background:repeating-linear-gradient(135deg,#fff,#fff 8px,#fbe9e7 8px,#fbe9e7 16px)}
.blank-tag{display:inline-block;margin-left:6px;padding:0 8px;border-radius:9px;background:#c62828;color:#fff;
 font-size:12px;vertical-align:middle}
p.blank-findings a{margin-right:8px;white-space:nowrap}
tr.row:target td,tr.row.targeted td{background:#fff8e1}
"""


def _t(key: str, lang: str) -> str:
    return TEXT[key][lang if lang in ("zh", "en") else "en"]


def grid_findings(report: Report, school_id: str, row: dict[str, Any]) -> list[tuple[int, Finding]]:
    """The CUR findings about the blank grid ``row`` (its class, at its place), each
    with its number in the report's findings (the table row it links to)."""
    cls = row["class"] or None
    place = (row["file"], row["sheet"], row["line"])
    return [(i, f) for i, f in enumerate(report.findings)
            if f.school_id == school_id and f.code.startswith("CUR")
            and (f.location.file, f.location.sheet, f.location.line) == place
            and f.subject.get("class") == cls]


def blank_grid(report: Report, lang: str, school_id: str, row: dict[str, Any], name: str,
               esc: Any, where: str) -> str:
    """One blank class's grid: the weekdays across, one row saying it is blank and where,
    then its findings linked to their rows in the findings table.

    :param esc: the report's escaping function; :param where: ``file[sheet]:line`` shown.
    """
    from compliance.outputs.labels import t

    ident = f"timetable-{school_id}-{row['class'] or 'school'}"
    out = [f'<h3 id="{esc(ident)}" class="blank-grid">{esc(t("timetable_of", lang))} {esc(name)}'
           f'<span class="blank-tag">{esc(_t("blank", lang))}</span></h3>'
           f'<table class="timetable blank" data-class="{esc(row["class"])}"><thead><tr>'
           f'<th>{esc(t("period", lang))}</th>']
    out.append("".join(f"<th>{esc(label('weekday', str(d), lang))}</th>" for d in range(1, 6)))
    out.append(f'</tr></thead><tbody><tr><th>—</th><td class="blank" colspan="5">'
               f'{esc(_t("empty", lang))} · <code>{esc(where)}</code></td></tr></tbody></table>')
    found = grid_findings(report, school_id, row)
    links = " ".join(f'<a href="#{ROW_ID.format(i=i)}" title="{esc(f.message)}">'
                     f"{esc(_link_text(f))}</a>" for i, f in found)
    out.append(f'<p class="blank-findings">{esc(_t("findings", lang))}: '
               f'{links or esc(_t("none", lang))}</p>')
    return "".join(out)


def _link_text(finding: Finding) -> str:
    """``CUR001 体育与健康``: the code and the subject the finding is about."""
    return f"{finding.code} {finding.subject.get('subject') or ''}".strip()
