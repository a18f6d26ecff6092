"""A single-file compliance plugin: ``--format markdown``, a summary a school can post
to its parents' group.

Use it with ``--plugins-dir plugins`` (every ``*.py`` there is a plugin)::

    compliance check samples/zhongshan --plugins-dir plugins --format markdown --lang zh

It shows, per school, each rule broken and how many times — never a message,
file, line or subject, so no student's name or id can appear.  Input problems
(INP/ERR) are left out too: they are the bureau's business, not the parents'.
"""

from __future__ import annotations

import re
from collections import Counter
from typing import IO

from compliance import hookimpl
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions

__version__ = "1.0"  # shown by `compliance plugins`

TEXT = {
    "title": {"zh": "办学行为自查结果", "en": "School conduct self-check"},
    "profile": {"zh": "检查口径", "en": "Standard applied"},
    "clean": {"zh": "本次检查未发现问题。", "en": "No problems were found."},
    "rule": {"zh": "问题", "en": "Problem"},
    "severity": {"zh": "级别", "en": "Level"},
    "count": {"zh": "处数", "en": "Count"},
    "error": {"zh": "须整改", "en": "must fix"},
    "warning": {"zh": "提醒", "en": "advisory"},
    "info": {"zh": "提示", "en": "note"},
    "footer": {"zh": "学校将按上表逐项整改，欢迎家长监督。",
               "en": "The school will correct each item above; parents are welcome to follow up."},
    "no_school": {"zh": "未关联学校", "en": "No school"},
}

_MARKDOWN = re.compile(r"([\\`*_{}\[\]<>()#+!|])")


def _md(text: object) -> str:
    """Text made inert in Markdown: no links, HTML or table breaks from submitted names."""
    return _MARKDOWN.sub(r"\\\1", " ".join(str(text).split()))


class MarkdownReporter:
    name = "markdown"
    binary = False
    suffix = ".md"

    def render(self, report: Report, out: IO[str], options: RenderOptions) -> None:
        lang = options.lang if options.lang in ("zh", "en") else "en"
        write = out.write
        groups = report.by_school()
        # every school checked gets a section, a clean one too
        ids = sorted(set(report.schools) | {k for k in groups if k}) + ([None] if None in groups else [])
        for school_id in ids:
            findings = groups.get(school_id, [])
            kept = [f for f in findings if not f.waived and not f.code.startswith(("INP", "ERR"))]
            name = report.schools.get(school_id or "", "") if school_id else ""
            head = name or school_id or TEXT["no_school"][lang]
            write(f"## {_md(head)} — {TEXT['title'][lang]}\n\n")
            write(f"{TEXT['profile'][lang]}: {_md(report.profile)}\n\n")
            if not kept:
                write(f"{TEXT['clean'][lang]}\n\n")
                continue
            counts = Counter((f.code, f.severity) for f in kept)
            write(f"| {TEXT['rule'][lang]} | {TEXT['severity'][lang]} | {TEXT['count'][lang]} |\n")
            write("|---|---|---:|\n")
            for (code, severity), n in sorted(counts.items()):
                title = report.titles.get(code, {}).get(lang, code)
                write(f"| {_md(title)} | {TEXT[severity][lang]} | {n} |\n")
            write(f"\n{TEXT['footer'][lang]}\n\n")
        if not ids:
            write(f"{TEXT['clean'][lang]}\n")


@hookimpl
def compliance_reporters() -> list[MarkdownReporter]:
    return [MarkdownReporter()]
