"""The timetable's blank template: a class's grid as schools fill it in.

A title row naming the class (``三年级(2)班课程表``) merged across the grid, a header
row with the period column and 周一 … 周五, one row per period (``第1节`` …) with a
大课间 and a 午休 row merged across the weekdays, and a week of lessons for the
example class that meets the built-in plan (grade 3: 30 lessons, 体育 3, 劳动 1).
Each header cell and the title carry a comment saying what goes there; the lesson
cells offer the built-in plan's subjects and their aliases as a drop-down (a school
course such as ``足球`` may still be typed: the check only warns).

:func:`write_timetable_sheet` is the timetable kind's ``template``
(:class:`~compliance.inputs.kinds.DocumentKind`); ``compliance template timetable``
and the web page's template download both reach it through
:func:`compliance.outputs.templates.build_template`.  The sheet as written is read
back with no input finding (``tests/test_templates.py``).
"""

from __future__ import annotations

from typing import Any

#: the example class, and its title as a school writes it
EXAMPLE_CLASS = "3-2"
TITLE = {"zh": "三年级(2)班课程表", "en": "Class 3-2 timetable"}
WEEKDAYS = {"zh": ["周一", "周二", "周三", "周四", "周五"], "en": ["Mon", "Tue", "Wed", "Thu", "Fri"]}
PERIOD_HEADER = {"zh": "节次", "en": "period"}
#: Excel keeps a drop-down's list of values to 255 characters
LIST_LIMIT = 255
#: lesson rows below the header that carry the drop-down (room for more periods)
VALIDATED_ROWS = 40
#: the example week, period by period (Mon … Fri): national-2022's grade 3 exactly —
#: 语文 7 and 书法 1, 数学 5, 英语 3, 体育 3, 道法/科学/音乐/美术 2, 信息科技/劳动/班会 1
EXAMPLE_WEEK: list[tuple[int, list[str]]] = [
    (1, ["语文", "语文", "语文", "语文", "语文"]),
    (2, ["数学", "数学", "数学", "数学", "英语"]),
    (3, ["英语", "道法", "英语", "科学", "数学"]),
    (4, ["体育", "科学", "体育", "音乐", "体育"]),
    (5, ["音乐", "美术", "信息科技", "美术", "书法"]),
    (6, ["班会", "语文", "劳动", "道法", "语文"]),
]
#: rows that are no lessons, merged across the weekdays: (after period, zh, en)
BREAKS = [(2, "大课间", "Morning exercise"), (4, "午休", "Lunch break")]


def subject_choices() -> list[str]:
    """The drop-down's names: the built-in plan's subjects, each followed by its aliases,
    then the grade-only names (``物理``) and ``自习``; cut to what Excel keeps (255
    characters) by leaving out the last aliases, never a subject."""
    from compliance.rules.curriculum_plan import DEFAULT_PLAN, load_plan, plan_file

    plan = load_plan(plan_file(DEFAULT_PLAN))
    names = list(plan.subjects)
    for subject in plan.subjects:
        names += [n for n in plan.names_of(subject)[1:] if n not in names]
    for table in plan.grade_aliases.values():
        names += [n for n in table if n not in names]
    names.append("自习")
    out: list[str] = []
    for name in names:
        if len(",".join([*out, name])) + 2 > LIST_LIMIT:  # the two quotes count too
            if name in plan.subjects:
                raise ValueError(f"the plan's subjects do not fit a drop-down: {name}")
            continue
        out.append(name)
    return out


def write_timetable_sheet(sheet: Any, lang: str) -> list[list[str]]:
    """Write the grid template into the openpyxl worksheet ``sheet``; its instruction rows."""
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    zh = lang == "zh"
    lang = "zh" if zh else "en"
    days = WEEKDAYS[lang]
    last = get_column_letter(len(days) + 1)
    centre = Alignment(horizontal="center", vertical="center")

    title = sheet.cell(row=1, column=1, value=TITLE[lang])
    title.font, title.alignment = Font(bold=True, size=14), centre
    title.comment = Comment(_title_note(zh), "compliance", width=320, height=120)
    sheet.merge_cells(f"A1:{last}1")

    fill = PatternFill("solid", fgColor="DDEBF7")
    for col, text in enumerate([PERIOD_HEADER[lang], *days], start=1):
        cell = sheet.cell(row=2, column=col, value=text)
        cell.font, cell.fill, cell.alignment = Font(bold=True), fill, centre
        note = _period_note(zh) if col == 1 else _day_note(text, zh)
        cell.comment = Comment(note, "compliance", width=340, height=160)

    row = 3
    for number, subjects in EXAMPLE_WEEK:
        label = f"第{number}节" if zh else str(number)
        sheet.cell(row=row, column=1, value=label).alignment = centre
        for col, subject in enumerate(subjects, start=2):
            sheet.cell(row=row, column=col, value=subject).alignment = centre
        row += 1
        for after, name_zh, name_en in BREAKS:
            if after == number:
                sheet.cell(row=row, column=1, value=name_zh if zh else name_en).alignment = centre
                sheet.merge_cells(f"A{row}:{last}{row}")
                row += 1

    options = subject_choices()
    # a school course (足球) is allowed after a warning: the drop-down helps, never refuses
    validation = DataValidation(type="list", formula1='"' + ",".join(options) + '"',
                                allow_blank=True, showErrorMessage=True, errorStyle="warning")
    validation.errorTitle = "科目" if zh else "subject"
    validation.error = ("不是课程方案科目：将按地方或校本课程计入周课时总量" if zh else
                        "not a subject of the curriculum plan: counted as a local or school course")
    validation.promptTitle = "科目" if zh else "subject"
    validation.prompt = ("从列表选择，或填写校本课程；空白为无课" if zh else
                         "pick from the list, or type a school course; blank: no lesson")
    validation.showInputMessage = True
    validation.add(f"B3:{last}{VALIDATED_ROWS + 2}")
    sheet.add_data_validation(validation)

    sheet.column_dimensions["A"].width = 14
    for col in range(2, len(days) + 2):
        sheet.column_dimensions[get_column_letter(col)].width = 12
    sheet.freeze_panes = "B3"
    return _instructions(zh, options)


def _title_note(zh: bool) -> str:
    if zh:
        return ("标题：写明班级，如 三年级(2)班课程表、初一(2)班课程表。\n"
                "检查时据此确定班级和年级（也可把工作表命名为班级，如 三(2)班）。\n"
                "没有班级的课程表视为全校课程表。")
    return ("Title: name the class, e.g. Class 3-2 timetable, 三年级(2)班课程表.\n"
            "The class and grade are read from it (or name the sheet after the class: 3-2).\n"
            "A timetable naming no class is the whole school's.")


def _period_note(zh: bool) -> str:
    if zh:
        return ("节次：自上而下 第1节、第2节…\n可带时间：第1节 8:20-9:00（否则按作息时间表第n节上课时间）。\n"
                "午休、大课间等行写在本列并跨列合并，不计为课。")
    return ("period: 1, 2, … (or 第1节 …) down the column.\nMay carry its time: 1 8:20-9:00 "
            "(else the n-th lesson of the schedule).\nLunch, break-exercise rows: merged "
            "across the weekdays, not lessons.")


def _day_note(day: str, zh: bool) -> str:
    if zh:
        return (f"{day}：每格填写该节所上科目（从下拉列表选择：课程方案科目及其别名）。\n"
                "校本课程（足球、国学经典）可直接填写，计入周课时总量。\n空白或“自习”为无课。")
    return (f"{day}: the subject taught in each period (drop-down: the plan's subjects and "
            "their Chinese names).\nA school course (足球) may be typed: it counts towards the "
            "weekly total.\nBlank or 自习: no lesson.")


def _instructions(zh: bool, options: list[str]) -> list[list[str]]:
    listed = "、".join(options)
    if zh:
        return [
            ["标题行", "写明班级：三年级(2)班课程表、初一(2)班课程表；或把工作表命名为班级（三(2)班）。"
                      "没有班级的课程表视为全校课程表。"],
            ["节次", "第一列自上而下：第1节、第2节…；可带时间（第1节 8:20-9:00），否则按作息时间表"
                    "当天第n节上课时间。午休、大课间等行跨列合并，不计为课。"],
            ["周一…周五", f"每格一门科目，可选：{listed}。校本课程（足球等）可直接填写，"
                         "计入周课时总量；空白或“自习”为无课；周六、周日有课请加列（将被检查）。"],
            ["多个班级", "每班一张工作表（复制本表，改标题或表名），或在同一表中上下排列多个课程表，"
                        "各有标题行，中间空一行。"],
            ["示例", "表中为三年级(2)班一周课表示例（周30节，体育3节，劳动1节，符合国家课程方案），"
                    "请改为本班内容。"],
        ]
    return [
        ["title row", "Name the class: Class 3-2 timetable, 三年级(2)班课程表; or name the sheet "
                      "after the class (3-2). A timetable naming no class is the whole school's."],
        ["period", "Down the first column: 1, 2, … (or 第1节 …); may carry its time "
                   "(1 8:20-9:00), else the n-th lesson of that day's schedule. Lunch and "
                   "break-exercise rows are merged across the weekdays and are not lessons."],
        ["Mon … Fri", f"One subject per cell, from: {listed}. A school course (足球) may be "
                      "typed and counts towards the weekly total; blank or 自习: no lesson; add "
                      "Sat/Sun columns only for weekend lessons (they are checked)."],
        ["several classes", "One sheet per class (copy this one, change its title or name), or "
                            "grids one below another, each with its own title, a blank row "
                            "between."],
        ["example", "The grid holds an example week of class 3-2 (30 lessons, PE 3, 劳动 1: the "
                    "national plan); replace it with your class's."],
    ]
