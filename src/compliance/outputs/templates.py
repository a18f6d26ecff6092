"""XLSX templates a school fills in: one sheet per document kind, headers in the chosen
language with a comment on each, one example row, drop-down lists for enumerated
fields, validated time, date and grade cells, and a ``填表说明`` sheet.  A kind that
is a grid writes its own sheet (``DocumentKind.template``): the timetable's is a class's
grid with a title row, periods down and weekdays across
(:mod:`compliance.outputs.timetable_template`).

The CLI's ``compliance template`` and the web page call the same two functions::

    template_kinds()         # ['schedule', 'enrollment', 'materials', 'homework', 'timetable']
    build_template(["schedule"], "zh")     # the workbook's bytes

A template as written (example row included) is read back with no input finding,
even in a school folder with no district files (``tests/test_templates.py``).
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from compliance.inputs.field_forms import (
    NOT_IN_TEMPLATES,
    choice_names,
    choices,
    example,
    form,
    header,
    required_text,
)
from compliance.inputs.values import (
    parse_bool,
    parse_date,
    parse_grade,
    parse_time,
    parse_weekdays,
)

if TYPE_CHECKING:
    from compliance.inputs.kinds import DocumentKind

#: rows below the header that carry the validations (a school's table fits)
VALIDATED_ROWS = 1000
INSTRUCTIONS = {"zh": "填表说明", "en": "Instructions"}
GRADES = {"zh": [f"{n}年级" for n in "一二三四五六七八九"], "en": [str(n) for n in range(1, 10)]}
WEEKDAY_CHOICES = {"zh": ["周一至周五", "周一", "周二", "周三", "周四", "周五", "周六", "周日", "工作日",
                          "周末"],
                   "en": ["Mon-Fri", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]}
BOOLS = {"zh": ["是", "否"], "en": ["yes", "no"]}


class UnknownKind(ValueError):
    """A kind no template exists for; its message names the kinds that have one."""


def _builtin_kinds() -> dict[str, DocumentKind]:
    from compliance.inputs.builtin_kinds import ENROLLMENT, HOMEWORK, MATERIALS, SCHEDULE
    from compliance.inputs.timetable import TIMETABLE

    return {k.name: k for k in (SCHEDULE, ENROLLMENT, MATERIALS, HOMEWORK, TIMETABLE)}


def template_kinds(kinds: Mapping[str, DocumentKind] | None = None) -> list[str]:
    """The kinds a template can be made for: the built-in ones, or those of ``kinds``
    (a run's registry, plugin kinds included)."""
    return list((kinds if kinds is not None else _builtin_kinds()).keys())


def sheet_name(kind: DocumentKind, lang: str) -> str:
    """The sheet's name: the kind's Chinese stem in ``zh`` (作息时间表), its key in ``en``;
    either tells the kind when the workbook is read back."""
    return (kind.title.get("zh") or kind.name) if lang == "zh" else kind.name


def build_template(kinds: Sequence[str], lang: str,
                   registry: Mapping[str, DocumentKind] | None = None) -> bytes:
    """An XLSX workbook (its bytes) with a template sheet for each of ``kinds``.

    :param lang: ``zh`` or ``en``: the headers, comments, drop-downs and instructions.
    :param registry: the kinds by name (default: the built-in ones).
    :raises UnknownKind: for a kind not in ``registry``.
    """
    from openpyxl import Workbook
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    lang = "zh" if lang == "zh" else "en"
    known = dict(registry) if registry is not None else _builtin_kinds()
    unknown = [k for k in kinds if k not in known]
    if unknown or not kinds:
        raise UnknownKind(f"no template for {', '.join(unknown) or 'no kind'}; "
                          f"kinds: {', '.join(known)}")
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    own: dict[str, list[list[str]]] = {}  # a kind's own template: its instruction rows
    for name in kinds:
        kind = known[name]
        sheet = book.create_sheet(sheet_name(kind, lang))
        if kind.template is not None:  # a grid (the timetable), not a header over rows
            own[name] = kind.template(sheet, lang)
            continue
        fields = [f for f in kind.fields if f.name not in NOT_IN_TEMPLATES]
        for col, spec in enumerate(fields, start=1):
            cell = sheet.cell(row=1, column=col, value=header(kind, spec, lang))
            cell.font, cell.fill = bold, fill
            cell.alignment = Alignment(horizontal="center")
            note = _comment(kind, spec, lang)
            cell.comment = Comment(note, "compliance", width=320, height=160)
            value = example(kind, spec, lang)
            target = sheet.cell(row=2, column=col, value=_cell_value(value))
            letter = get_column_letter(col)
            sheet.column_dimensions[letter].width = max(12, len(str(cell.value)) * 2 + 4)
            span = f"{letter}2:{letter}{VALIDATED_ROWS + 1}"
            validation = _validation(spec, lang, DataValidation)
            if validation is not None:
                validation.add(span)
                sheet.add_data_validation(validation)
            if spec.parser is parse_time:
                target.number_format = "h:mm"
            elif spec.parser is parse_date:
                target.number_format = "yyyy-mm-dd"
        sheet.freeze_panes = "A2"
    info = book.create_sheet(INSTRUCTIONS[lang])
    for row in _instructions(kinds, known, lang, own):
        info.append(row)
    info.column_dimensions["A"].width = 18
    info.column_dimensions["B"].width = 100
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell_value(value: Any) -> Any:
    if isinstance(value, dt.time | dt.date) or value is None:
        return value
    return value


def _comment(kind: DocumentKind, spec: Any, lang: str) -> str:
    label = kind.label(spec.name)
    need = required_text(kind, spec, lang)
    if lang == "zh":
        return f"{label['zh']}（{spec.name}）\n是否必填：{need}\n可填写：{form(spec, 'zh')}"
    return f"{spec.name} ({label['zh']})\nrequired: {need}\naccepts: {form(spec, 'en')}"


def _validation(spec: Any, lang: str, DataValidation: Any) -> Any:
    """The cell check for a field: a drop-down, a time or date range, or none."""
    zh = lang == "zh"
    title = "请从列表中选择" if zh else "choose from the list"
    if choices(spec) is not None:
        options = choice_names(spec, lang)
    elif spec.parser is parse_bool:
        options = BOOLS[lang]
    elif spec.parser is parse_grade:
        options = GRADES[lang]
    elif spec.parser is parse_weekdays:
        # a drop-down of the usual specs; others (周一、周三) are still accepted
        got = DataValidation(type="list", formula1=_list(WEEKDAY_CHOICES[lang]), allow_blank=True,
                             showErrorMessage=False)
        got.promptTitle, got.prompt = ("星期", "如 周一至周五") if zh else ("days", "e.g. Mon-Fri")
        got.showInputMessage = True
        return got
    elif spec.parser is parse_time:
        got = DataValidation(type="time", operator="between", formula1="0", formula2="1",
                             allow_blank=True, showErrorMessage=True)
        got.errorTitle, got.error = ("时间", "请填写时间，如 8:20") if zh else ("time", "a time such as 8:20")
        return got
    elif spec.parser is parse_date:
        got = DataValidation(type="date", operator="greaterThan", formula1="36526",  # 2000-01-01
                             allow_blank=True, showErrorMessage=True)
        got.errorTitle, got.error = ("日期", "请填写日期，如 2025-09-01") if zh else (
            "date", "a date such as 2025-09-01")
        return got
    else:
        return None
    got = DataValidation(type="list", formula1=_list(options), allow_blank=True,
                         showErrorMessage=True)
    got.errorTitle, got.error = title, ("、".join(options) if zh else ", ".join(options))
    return got


def _list(options: Sequence[str]) -> str:
    return '"' + ",".join(o.replace('"', "") for o in options) + '"'


def _instructions(kinds: Sequence[str], known: Mapping[str, DocumentKind], lang: str,
                  own: Mapping[str, list[list[str]]]) -> list[list[str]]:
    zh = lang == "zh"
    rows: list[list[str]] = [["填表说明" if zh else "How to fill in this workbook"], []]
    if zh:
        rows += [["1", "每张工作表一种材料，工作表名称不要修改；第一行是表头，不要修改。"],
                 ["2", "第二行是示例，请改为本校内容或删除；每行一条记录。"],
                 ["3", "带下拉列表的单元格请从列表中选择；时间填 8:20 形式，日期填 2025-09-01 形式。"],
                 ["4", "表头上的批注说明该列填写什么、是否必填。"],
                 ["5", "本表放在学校文件夹中（与 school.yaml 同一文件夹）；多所学校合用一张表时，"
                       "请增加“学校代码”列。"],
                 ["6", "本工作表（填表说明）在检查时会被跳过。"], []]
    else:
        rows += [["1", "One sheet per document; keep the sheet names and the header row."],
                 ["2", "Row 2 is an example: replace or delete it; one record per row."],
                 ["3", "Pick drop-down cells from the list; times as 8:20, dates as 2025-09-01."],
                 ["4", "The comment on each header says what goes there and whether it is required."],
                 ["5", "Put the workbook in the school's folder (beside school.yaml); for a table of "
                       "several schools add a school_id column."],
                 ["6", "This sheet is passed over when the workbook is checked."], []]
    if own:  # a grid's sheet has a title and periods down: rules 1-2 are not its own
        grid_rule = ("课程表是网格：标题行写班级，第二行是星期表头，见下方说明。" if zh else
                     "A timetable is a grid: a title naming the class, then the weekday "
                     "header; see below.")
        rows.insert(len(rows) - 1, ["7", grid_rule])
    for name in kinds:
        kind = known[name]
        rows.append([sheet_name(kind, lang)])
        if name in own:
            rows += own[name]
            rows.append([])
            continue
        for spec in kind.fields:
            if spec.name in NOT_IN_TEMPLATES:
                continue
            rows.append([header(kind, spec, lang),
                         f"{required_text(kind, spec, lang)}; {form(spec, lang)}"])
        rows.append([])
    return rows
