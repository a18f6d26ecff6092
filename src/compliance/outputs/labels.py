"""Report labels in Chinese and English, and the text hygiene every reporter shares."""

from __future__ import annotations

import re

LABELS: dict[str, dict[str, str]] = {
    "school": {"zh": "学校", "en": "School"},
    "no_school": {"zh": "（未关联学校）", "en": "(no school)"},
    "where": {"zh": "位置", "en": "Where"},
    "code": {"zh": "代码", "en": "Code"},
    "severity": {"zh": "级别", "en": "Severity"},
    "message": {"zh": "问题", "en": "Finding"},
    "clause": {"zh": "依据", "en": "Clause"},
    "summary": {"zh": "汇总", "en": "Summary"},
    "schools": {"zh": "所学校", "en": "school(s)"},
    "files": {"zh": "个文件", "en": "file(s)"},
    "findings": {"zh": "条问题", "en": "finding(s)"},
    "waived": {"zh": "已豁免", "en": "waived"},
    "count": {"zh": "数量", "en": "Count"},
    "title": {"zh": "规则", "en": "Rule"},
    "skipped": {"zh": "未执行的规则", "en": "Rules skipped"},
    "clean": {"zh": "未发现问题。", "en": "No findings."},
    "profile": {"zh": "配置", "en": "profile"},
    "error": {"zh": "错误", "en": "error"},
    "warning": {"zh": "警告", "en": "warning"},
    "info": {"zh": "提示", "en": "info"},
    "report_title": {"zh": "办学行为合规检查报告", "en": "School conduct compliance report"},
    "incomplete": {
        "zh": "部分输入无法读取或规则执行失败：检查不完整（见 INP/ERR 项）。",
        "en": "Some input could not be read or a rule failed: the check is incomplete "
              "(see the INP/ERR findings).",
    },
    "waivers": {"zh": "生效的豁免", "en": "Waivers in force"},
}

# C0 (line breaks too: a cell must not forge a report line), DEL, C1 (0x9b is a one-byte
# CSI), zero-width and bidi controls (a name must not reorder what follows it), line and
# paragraph separators, the byte-order mark.
_CONTROL = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff]"
)


def t(key: str, lang: str) -> str:
    return LABELS[key][lang]


def clean(text: object) -> str:
    """Submitted text made safe for a terminal: control and bidi characters shown as '?'."""
    return _CONTROL.sub("?", str(text))
