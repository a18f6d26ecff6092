"""What each field of a table kind accepts, told from its parser: the value forms, the
choices of an enumerated field, an example value.

One source for the reference in ``docs/submission.md`` (:func:`reference_markdown`,
checked by a test so the page cannot drift from the code) and for the XLSX templates
(:mod:`compliance.outputs.templates`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from compliance.inputs.kinds import DocumentKind, Field
from compliance.inputs.seasons import parse_season
from compliance.inputs.values import (
    parse_bool,
    parse_class,
    parse_date,
    parse_grade,
    parse_id,
    parse_int,
    parse_number,
    parse_scope,
    parse_text,
    parse_time,
    parse_weekdays,
)

#: a value form: its name and the forms accepted, in each language
FORMS: dict[Callable[[Any], Any], dict[str, str]] = {
    parse_time: {"zh": "时间：`8:00`、`08:00`、`08:00:00`、`８：００`、`8点`、`8点30`、`8点半`、"
                       "XLSX 时间单元格",
                 "en": "time: `8:00`, `08:00`, `08:00:00`, `８：００`, `8点`, `8点30`, `8点半`, "
                       "XLSX time cells"},
    parse_date: {"zh": "日期：`2025-10-03`、`2025/10/3`、`2025.10.3`、`2025年10月3日`、XLSX 日期单元格",
                 "en": "date: `2025-10-03`, `2025/10/3`, `2025.10.3`, `2025年10月3日`, XLSX date cells"},
    parse_weekdays: {"zh": "星期：`周一至周五`、`周一`、`星期六`、`工作日`、`周末`、`Mon-Fri`、`1-5`",
                     "en": "weekdays: `周一至周五`, `周一`, `星期六`, `工作日`, `周末`, `Mon-Fri`, `1-5`"},
    parse_bool: {"zh": "是否：`是`/`否`、`true`/`false`、`yes`/`no`、`1`/`0`、`Y`/`N`",
                 "en": "yes/no: `是`/`否`, `true`/`false`, `yes`/`no`, `1`/`0`, `Y`/`N`"},
    parse_grade: {"zh": "年级：`1`–`9`、`一年级`…`九年级`、`初一`…`初三`",
                  "en": "grade: `1`–`9`, `一年级`…`九年级`, `初一`…`初三`"},
    parse_class: {"zh": "班级：`3-2`、`3年级2班`、`三(2)班`", "en": "class: `3-2`, `3年级2班`, `三(2)班`"},
    parse_scope: {"zh": "年级或班级列表：`5;6`、`五年级、六年级`、`3-1;3-2`、`一至三年级`、`小学部`；"
                        "空 = 全校",
                  "en": "grades or classes: `5;6`, `五年级、六年级`, `3-1;3-2`, `一至三年级`, `小学部`; "
                        "empty = whole school"},
    parse_int: {"zh": "非负整数", "en": "a whole number"},
    parse_number: {"zh": "非负数", "en": "a number"},
    parse_text: {"zh": "文字", "en": "text"},
    parse_id: {"zh": "编号（去空格、转大写后比较）", "en": "a code (compared trimmed, upper-cased)"},
    parse_season: {"zh": "季节：`夏季`、`冬季`、`春季`、`秋季`、`夏令`、`冬令`（通常来自列标题）",
                   "en": "a season: `夏季`, `冬季`, `春季`, `秋季`, `夏令`, `冬令` (usually from a "
                         "column header)"},
}

#: an example value per field, for the template's example row (valid in any school folder)
EXAMPLES: dict[str, dict[str, Any]] = {
    "schedule": {"days": "周一至周五", "start": dt.time(8, 20), "end": dt.time(9, 0),
                 "activity": "lesson", "compulsory": True, "grades": "一年级", "title": "第一节"},
    "enrollment": {"student_id": "G110101201801010011", "name": "张三", "grade": "一年级",
                   "residence_zone": "Z01", "residence_address": "", "hukou_zone": "Z01",
                   "migrant_worker_child": False, "residence_permit": False,
                   "special_category": "", "admission_basis": "nearby"},
    "materials": {"grade": "三年级", "subject": "语文", "title": "小学语文同步阅读", "type": "reading",
                  "compulsory_purchase": False, "catalog_id": "", "quantity": 45,
                  "unit_price": 12.5},
    "homework": {"date": dt.date(2025, 9, 1), "class": "3-1", "subject": "语文", "minutes": 20,
                 "written": True, "published": True},
}
#: fields a template leaves out: the school comes from the folder; a season from a header
NOT_IN_TEMPLATES = frozenset({"school_id", "season"})


def choices(spec: Field) -> dict[str, tuple[str, ...]] | None:
    """An enumerated field's choices (key -> Chinese names), or ``None``."""
    found = getattr(spec.parser, "choices", None)
    return dict(found) if isinstance(found, Mapping) else None


def header(kind: DocumentKind, spec: Field, lang: str) -> str:
    """The header a template writes: the Chinese alias in ``zh``, the key in ``en``."""
    return kind.label(spec.name)["zh"] if lang == "zh" else spec.name


def choice_names(spec: Field, lang: str) -> list[str]:
    """What a drop-down offers: each choice's Chinese name in ``zh``, its key in ``en``."""
    options = choices(spec) or {}
    if lang == "zh":
        return [names[0] if names else key for key, names in options.items()]
    return list(options)


def form(spec: Field, lang: str) -> str:
    """What the field accepts, in ``lang``."""
    options = choices(spec)
    if options is not None:
        listed = [f"`{k}`" + (f" {'/'.join(v)}" if v else "") for k, v in options.items()]
        lead = "以下之一：" if lang == "zh" else "one of "
        return lead + ("、" if lang == "zh" else ", ").join(listed)
    known = FORMS.get(spec.parser)
    if known is not None:
        return known[lang]
    return spec.parser.__doc__.strip().splitlines()[0] if spec.parser.__doc__ else ""


#: an example by value form, for a kind (a plugin's) with no examples of its own
BY_FORM: dict[Callable[[Any], Any], Any] = {
    parse_time: dt.time(8, 20), parse_date: dt.date(2025, 9, 1), parse_weekdays: "周一至周五",
    parse_bool: False, parse_grade: "三年级", parse_class: "3-1", parse_scope: "",
    parse_int: 1, parse_number: 1, parse_text: "示例", parse_id: "X001",
}


def example(kind: DocumentKind, spec: Field, lang: str) -> Any:
    """An example cell for ``spec``: readable by its parser, in the template's language."""
    given = EXAMPLES.get(kind.name)
    value = given.get(spec.name) if given is not None else BY_FORM.get(spec.parser)
    options = choices(spec)
    if value is None and given is None and options:
        value = next(iter(options))
    if options is not None and isinstance(value, str) and lang == "zh" and options.get(value):
        return options[value][0]
    if isinstance(value, bool):
        return ("是" if value else "否") if lang == "zh" else ("yes" if value else "no")
    return value


def required_text(kind: DocumentKind, spec: Field, lang: str) -> str:
    group = next((g for g in kind.one_of if spec.name in g), None)
    if spec.required:
        return "必填" if lang == "zh" else "yes"
    if group is not None:
        others = [kind.label(n)["zh" if lang == "zh" else "en"] for n in group if n != spec.name]
        return (f"与{'、'.join(others)}二选一" if lang == "zh"
                else f"one of this and {', '.join(others)}")
    if spec.name == "school_id":
        return "不在学校文件夹中时必填" if lang == "zh" else "if not in a school folder"
    return "选填" if lang == "zh" else "no"


def reference_markdown(kinds: Sequence[DocumentKind]) -> str:
    """The field reference of ``docs/submission.md``: every kind's fields, aliases, forms."""
    out: list[str] = []
    for kind in kinds:
        zh = kind.title.get("zh", kind.name)
        stems = "、".join(f"`{s}`" for s in (kind.name, *kind.stems))
        out.append(f"### {kind.name} — {zh}\n")
        out.append(f"File or sheet names: {stems}.\n")
        out.append("| field | headers (aliases) | required | accepts | default |")
        out.append("|---|---|---|---|---|")
        for spec in kind.fields:
            aliases = "、".join(f"`{a}`" for a in (spec.name, *spec.aliases))
            default = "" if spec.default is None else f"`{spec.default}`".replace("True", "true") \
                .replace("False", "false")
            out.append(f"| `{spec.name}` | {aliases} | {required_text(kind, spec, 'en')} | "
                       f"{form(spec, 'en').replace('|', '/')} | {default} |")
        extra = getattr(kind.shaper, "header_forms", None)
        if extra is not None:
            out.append("")
            out.append("Columns of an export as schools make it (see *Excel exports* below):\n")
            out.append("| column | headers | stands for |")
            out.append("|---|---|---|")
            for name, headers, meaning in extra():
                out.append(f"| {name} | {headers} | {meaning} |")
        vocabulary = getattr(kind.shaper, "vocabulary", None)
        if vocabulary is not None:
            out.append("")
            out.append("Period and content names read as an activity:\n")
            out.append("| activity | names |")
            out.append("|---|---|")
            for activity, names in vocabulary():
                out.append(f"| `{activity}` | {names} |")
            out.append("")
            out.append("A plugin adds a bureau's own names (`午练`, `晨诵`) with the "
                       "`compliance_period_names` hook ([hooks.md](hooks.md)); a name this "
                       "table has keeps its activity here.")
        out.append("")
    return "\n".join(out).rstrip() + "\n"
