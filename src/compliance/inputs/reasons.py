"""Why an input problem (or a failed rule) is a finding, in Chinese and English.

The inputs layer says *what* went wrong as a :class:`Msg`: a key of :data:`REASONS`
and the values to fill in (the cell the school wrote, a file name, a count).  The
text is only made when the finding is, in the run's language
(:meth:`compliance.rules.context.RunState.make_finding`); the values are inserted
as they are, never translated::

    raise ReadError(Msg("csv.empty"), 1)
    InputProblem("INP001", loc, Msg("cell.unreadable", value="'25:00'", column="start",
                                    expected=EXPECT_TIME))

A plugin that has no key here gives its own pair, ``Msg({"zh": "…", "en": "…"}, **args)``,
or a plain ``str``, which is shown as it is in either language.

Templates are ``str.format`` templates: ``{name}`` is a value, ``{{`` a brace.  A
value may itself be a :class:`Msg` (rendered in the same language), a ``{zh, en}``
pair, or a list of those (joined with ``；`` or ``; ``).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

LANGS = ("zh", "en")

REASONS: dict[str, dict[str, str]] = {
    # --- what a cell should have held (BadValue.expected) ------------------------
    "expect.time": {"zh": "时间，如 08:00", "en": "a time such as 08:00"},
    "expect.date": {"zh": "日期，如 2025-10-03", "en": "a date such as 2025-10-03"},
    "expect.weekdays": {"zh": "星期，如 `周一至周五` 或 `Mon-Fri`",
                        "en": "a weekday spec such as `周一至周五` or `Mon-Fri`"},
    "expect.bool": {"zh": "是或否（`是`/`否`、`true`/`false`、`Y`/`N`、`1`/`0`）",
                    "en": "yes or no (`是`/`否`, `true`/`false`, `Y`/`N`, `1`/`0`)"},
    "expect.grade": {"zh": "年级 1 到 9（`一年级`…`九年级`、`初一`…`初三`）",
                     "en": "a grade from 1 to 9 (`一年级`…`九年级`, `初一`…`初三`)"},
    "expect.class": {"zh": "班级，如 3-2（`3年级2班`、`三(2)班`）",
                     "en": "a class such as 3-2 (`3年级2班`, `三(2)班`)"},
    "expect.scope": {"zh": "年级或班级，如 5;6 或 3-1;3-2",
                     "en": "grades or classes such as 5;6 or 3-1;3-2"},
    "expect.whole_number": {"zh": "非负整数", "en": "a whole number"},
    "expect.number": {"zh": "非负数", "en": "a number"},
    "expect.one_of": {"zh": "以下取值之一：{choices}", "en": "one of {choices}"},
    "expect.activity": {"zh": "{choices}；或节次名称：{names}",
                        "en": "{choices}; or a period name: {names}"},
    "expect.term": {"zh": "学期（含 `name`、`start`、`end`）",
                    "en": "a term {{name, start, end}}"},
    "expect.terms": {"zh": "学期列表（每项含 `name`、`start`、`end`）",
                     "en": "a list of terms {{name, start, end}}"},
    "expect.term_end": {"zh": "不早于学期开始日期的结束日期",
                        "en": "a term end on or after its start"},
    "expect.zone": {"zh": "学区（含 `name`、`communities`、`streets`、`except`）",
                    "en": "a zone {{name, communities, streets, except}}"},
    "expect.street": {"zh": "街道（含 `street`、`from`、`to`）", "en": "{{street, from, to}}"},
    # --- cells and rows (INP001, INP002, INP004) ---------------------------------
    "cell.unreadable": {"zh": "`{column}` 中的 {value} 无法识别，应为{expected}",
                        "en": "cannot read {value} in `{column}`: expected {expected}"},
    "cell.empty": {"zh": "必填值 `{column}` 为空", "en": "the required value `{column}` is empty"},
    "cell.value_in": {"zh": "`{column}` 中的值{problem}", "en": "the value in `{column}` {problem}"},
    "cell.too_long": {"zh": "长度为 {length} 个字符，最多读取 {max} 个",
                      "en": "is {length} characters long; at most {max} are read"},
    "cell.parser_raised": {"zh": "无法读取：其解析函数抛出异常“{error}”",
                           "en": "cannot be read: its parser raised {error}"},
    "key.missing": {"zh": "缺少必填字段 `{key}`", "en": "the required key `{key}` is missing"},
    "row.too_many_cells": {"zh": "该行有 {cells} 个单元格，而表头只有 {header} 列",
                           "en": "the row has {cells} cells but the header has {header}"},
    "row.too_few_cells": {"zh": "该行只有 {cells} 个单元格，而表头有 {header} 列",
                          "en": "the row has {cells} cells but the header has {header}"},
    "row.not_a_mapping": {"zh": "每一行须是由字段名和取值组成的映射",
                          "en": "a row must be a mapping of field names to values"},
    "row.both_days_and_date": {"zh": "作息条目同时填写了 `星期`（days）和 `日期`（date），只能填写其一",
                               "en": "a schedule entry has both `days` and `date`; give exactly one"},
    # --- what shaping assumed (a file's notes, why: assumed) ---------------------------
    "note.daily": {"zh": "表中没有星期或日期列：每一行按{days}执行", "en": "no day or date column: "
                   "every row is taken to run {days}"},
    "note.season_all_year": {"zh": "{season}：表头和 school.yaml 的 seasons 都没有给出起止日期，"
                                   "按全年适用", "en": "{season}: no dates in its header or in "
                                   "school.yaml seasons: taken to apply all year"},
    "note.out_of_season": {"zh": "{season}（{span}）在 {date} 不适用：该季节的时间不参与检查",
                           "en": "{season} ({span}) is not in force on {date}: that season's "
                                 "times are not checked"},
    "row.date_weekday_disagree": {"zh": "日期 {date} 与所填星期（{days}）不一致",
                                  "en": "the date {date} is not on the weekday given ({days})"},
    "row.instant_not_allowed": {"zh": "只填了一个时间 {time}：单个时刻只适用于到校、放学和预备铃，"
                                      "其他活动须填写起止时间，如 8:00-8:40",
                                "en": "a single time {time}: an instant is accepted for arrival, "
                                      "dismissal and the bells only; give a range such as 8:00-8:40"},
    "row.neither_days_nor_date": {"zh": "作息条目既没有 `星期`（days）也没有 `日期`（date），须填写其一",
                                  "en": "a schedule entry has neither `days` nor `date`; "
                                        "give exactly one"},
    "row.end_not_after_start": {"zh": "结束时间不晚于开始时间",
                                "en": "the entry ends at or before it starts"},
    "row.check_raised": {"zh": "{kind}的行检查抛出异常“{error}”",
                         "en": "the {kind} row check raised {error}"},
    # --- tables and files (INP002, INP003) ---------------------------------------
    "table.missing_columns": {"zh": "{kind}缺少列 {columns}；{rows} 行未检查",
                              "en": "missing column(s) {columns} in the {kind} document; "
                                    "{rows} row(s) not checked"},
    "table.two_columns": {"zh": "`{first}` 和 `{second}` 都对应字段 `{field}`",
                          "en": "`{first}` and `{second}` both give `{field}`"},
    "table.duplicate_columns": {"zh": "{pairs}：每个字段只能有一列；{rows} 行未检查",
                                "en": "{pairs}: keep one column per field; {rows} row(s) not checked"},
    "table.unknown_kind": {"zh": "无法从文件名、`kind:` 键或表头（{headers}）判断文档类型；"
                                 "{rows} 行未检查",
                           "en": "the document's kind cannot be told from its name, a `kind:` key "
                                 "or its header row ({headers}); {rows} row(s) not checked"},
    "table.no_rows": {"zh": "{kind}没有数据行，其中没有任何内容被检查",
                      "en": "the {kind} table has no data rows: nothing in it was checked"},
    "doc.unknown_kind": {"zh": "无法判断文档类型：请添加 `kind:` 键，或按类型命名文件"
                               "（如 `schedule`、`作息时间表` …）",
                         "en": "the document's kind cannot be told: add `kind:` or name the file "
                               "after its kind (schedule, enrollment, …)"},
    "doc.not_a_mapping": {"zh": "应为映射（键值）文档", "en": "expected a mapping document"},
    "doc.empty": {"zh": "文档为空", "en": "the document is empty"},
    "doc.not_a_table": {"zh": "应为映射或由行组成的列表", "en": "expected a mapping or a list of rows"},
    "folder.unlistable": {"zh": "无法列出文件夹内容：“{error}”", "en": "cannot list the folder: {error}"},
    "file.broken_link": {"zh": "符号链接循环或指向不存在的目标",
                         "en": "a symbolic link that loops or points to nothing"},
    "file.missing": {"zh": "文件或文件夹不存在", "en": "no such file or folder"},
    "file.no_reader": {"zh": "没有能读取 {suffix} 文件的读取器：请提交 YAML、JSON、CSV 或 XLSX 文件",
                       "en": "no reader for {suffix}: submit YAML, JSON, CSV or XLSX"},
    "file.no_reader_no_suffix": {"zh": "没有能读取无扩展名文件的读取器：请提交 YAML、JSON、CSV 或 "
                                       "XLSX 文件",
                                 "en": "no reader for files without a suffix: submit YAML, JSON, "
                                       "CSV or XLSX"},
    "file.os_error": {"zh": "无法读取：“{error}”", "en": "cannot read: {error}"},
    "file.too_large": {"zh": "文件嵌套过深或过大，无法读取",
                       "en": "the file is too deeply nested or too large to read"},
    "file.reader_failed": {"zh": "插件 {plugin} 的读取器 {reader} 出错：“{error}”；该文件其余部分未检查"
                                 "（请报告给插件作者）",
                           "en": "the reader {reader} of plugin {plugin} failed: {error}; the rest "
                                 "of this file was not checked (report this to the plugin's author)"},
    "file.reader_failed_after": {"zh": "插件 {plugin} 的读取器 {reader} 在读取 {rows} 行后出错："
                                       "“{error}”；该文件其余部分未检查（请报告给插件作者）",
                                 "en": "the reader {reader} of plugin {plugin} failed after {rows} "
                                       "row(s): {error}; the rest of this file was not checked "
                                       "(report this to the plugin's author)"},
    "file.nul": {"zh": "文件含有 NUL 字节，不是文本文档",
                 "en": "the file contains NUL bytes: not a text document"},
    "file.bad_encoding": {"zh": "文件既不是 UTF-8 也不是 GB18030 文本",
                          "en": "the file is neither UTF-8 nor GB18030 text"},
    "file.nested": {"zh": "嵌套超过 {depth} 层", "en": "nested deeper than {depth} levels"},
    # --- format readers (INP003) -------------------------------------------------
    "csv.nul": {"zh": "文件含有 NUL 字节，不是文本表格",
                "en": "the file contains NUL bytes: not a text table"},
    "csv.mixed_encoding": {"zh": "文件在此行之前是 UTF-8 编码，之后是另一种编码（GBK？）；"
                                 "请将整个文件另存为 CSV UTF-8",
                           "en": "the file is UTF-8 up to this line and another encoding (GBK?) "
                                 "after it; save the whole file as CSV UTF-8"},
    "csv.bad_encoding": {"zh": "文件既不是 UTF-8 也不是 GB18030/GBK 文本；请另存为 CSV UTF-8",
                         "en": "the file is neither UTF-8 nor GB18030/GBK text; save it as CSV UTF-8"},
    "csv.empty": {"zh": "文件为空：没有表头行", "en": "the file is empty: no header row"},
    "csv.too_many_columns": {"zh": "表头有 {columns} 列，最多读取 {max} 列",
                             "en": "the header row has {columns} columns; at most {max} are read"},
    "csv.empty_header": {"zh": "表头行为空", "en": "the header row is empty"},
    "csv.undecodable": {"zh": "无法按 {encoding} 编码解码文件：“{error}”",
                        "en": "cannot decode the file as {encoding}: {error}"},
    "json.invalid": {"zh": "不是有效的 JSON：“{error}”", "en": "not valid JSON: {error}"},
    "json.duplicate_key": {"zh": "不是有效的 JSON：键 {key} 重复",
                           "en": "not valid JSON: duplicate key {key}"},
    "yaml.invalid": {"zh": "不是有效的 YAML：“{error}”", "en": "not valid YAML: {error}"},
    "yaml.alias_bomb": {"zh": "展开别名后节点过多（疑似别名炸弹）",
                        "en": "too many nodes after expanding aliases (an alias bomb?)"},
    "yaml.tag": {"zh": "不允许使用标签 {tag}", "en": "the tag {tag} is not allowed"},
    "yaml.key_not_text": {"zh": "映射的键须为纯文本", "en": "a mapping key must be plain text"},
    "yaml.merge_key": {"zh": "不支持合并键（<<）", "en": "merge keys (<<) are not supported"},
    "yaml.duplicate_key": {"zh": "键 {key} 重复", "en": "duplicate key {key}"},
    "yaml.unsupported": {"zh": "不支持的 YAML 节点", "en": "unsupported YAML node"},
    "xlsx.not_a_zip": {"zh": "不是 XLSX 工作簿（不是 zip 压缩包）；请另存为 .xlsx",
                       "en": "not an XLSX workbook (not a zip archive); save it as .xlsx"},
    "xlsx.zip_bomb": {"zh": "工作簿解压后有 {mb} MB，拒绝读取（疑似 zip 炸弹）",
                      "en": "the workbook unpacks to {mb} MB: refused (zip bomb?)"},
    "xlsx.no_workbook": {"zh": "不是 XLSX 工作簿（缺少 xl/workbook.xml）",
                         "en": "not an XLSX workbook (no xl/workbook.xml)"},
    "xlsx.cannot_open": {"zh": "无法打开工作簿：“{error}”", "en": "cannot open the workbook: {error}"},
    "xlsx.no_sheets": {"zh": "工作簿中没有工作表", "en": "the workbook has no sheets"},
    "xlsx.broken_sheet": {"zh": "工作表 {sheet} 已损坏：“{error}”",
                          "en": "the sheet {sheet} is broken: {error}"},
    "xlsx.broken_after": {"zh": "工作表在第 {row} 行之后已损坏：“{error}”",
                          "en": "the sheet is broken after row {row}: {error}"},
    # --- school profiles (INP003, INP005) ----------------------------------------
    "school.unreadable": {"zh": "无法读取学校档案", "en": "the school profile cannot be read"},
    "school.not_a_mapping": {"zh": "学校档案须为映射（键值）文档",
                             "en": "a school profile must be a mapping"},
    "school.duplicate": {"zh": "两份学校档案使用同一学校代码 {school_id}（另见 {file}）",
                         "en": "two profiles share the school id {school_id} (also {file})"},
    "school.no_profile": {"zh": "学校 {school_id} 没有学校档案（school.yaml），需要档案的规则对其不执行",
                          "en": "the school {school_id} has no profile (school.yaml); rules that "
                                "need one are skipped for it"},
    "school.skipped": {"zh": "该校没有学校档案（school.yaml）",
                       "en": "no school profile (school.yaml) for this school"},
    # --- rule packs (INP006, INP007) ---------------------------------------------
    "zone.none_available": {"zh": "没有可用的 zones.yaml 学区划分",
                            "en": "no zones.yaml is available to match it against"},
    "zone.none": {"zh": "不在任何学区内", "en": "it lies in no zone"},
    "zone.several": {"zh": "同时落在多个学区：{zones}", "en": "it matches several zones: {zones}"},
    "calendar.dated_entry": {"zh": "HOL001/HOL002 无法判断 {year} 年的 {rows} 条按日期安排的活动："
                                   "官方日历未覆盖该年份（通知发布后可用 "
                                   "`compliance calendar import` 导入）",
                             "en": "HOL001/HOL002 cannot judge {rows} dated entry in {year}: the "
                                   "official calendar does not cover that year (once the notice is "
                                   "out: `compliance calendar import`)"},
    "calendar.dated_entries": {"zh": "HOL001/HOL002 无法判断 {year} 年的 {rows} 条按日期安排的活动："
                                     "官方日历未覆盖该年份（通知发布后可用 "
                                     "`compliance calendar import` 导入）",
                               "en": "HOL001/HOL002 cannot judge {rows} dated entries in {year}: the "
                                     "official calendar does not cover that year (once the notice is "
                                     "out: `compliance calendar import`)"},
    "calendar.homework_days": {"zh": "作业公示覆盖期内{year}年的{days}天无法判断是否为上课日"
                                     "（HWK003/HWK006），内置官方日历未覆盖该年份",
                               "en": "HWK003/HWK006 cannot tell whether {days} day(s) of {year} in "
                                     "the homework period are school days: the official calendar "
                                     "does not cover that year"},
    # --- failures (ERR001) -------------------------------------------------------
    "err.rule_raised": {"zh": "插件 {plugin} 的规则包 {pack} 中的规则 {rule}（{check}）抛出异常：“{error}”",
                        "en": "plugin {plugin}, pack {pack}, rule {rule} ({check}) raised {error}"},
    "err.not_a_finding": {"zh": "检查函数产出了 {type} 对象，而不是 Finding",
                          "en": "TypeError: the check yielded {type}, not a Finding"},
    "err.reading_raised": {"zh": "读取时抛出异常：“{error}”", "en": "reading raised {error}"},
    "err.worker_died": {"zh": "检查该校的工作进程意外退出（内存不足或本地代码崩溃）",
                        "en": "the worker process checking this school died (out of memory or a "
                              "crash in native code)"},
    "err.with_trace": {"zh": "{reason}\n调试信息：\n{trace}", "en": "{reason}\ndebug trace:\n{trace}"},
    # --- hardening, second round (issue 14) ---------------------------------------
    "err.rule_timeout": {"zh": "超时：{seconds} 秒内未结束，已被停止（时间上限见 --rule-timeout）",
                         "en": "a timeout: it did not return within {seconds} s and was stopped "
                               "(the limit is --rule-timeout)"},
    "school.nothing_handed_in": {"zh": "学校 {school_id} 除学校档案外没有提交任何文件，无从检查；"
                                       "请提交作息时间表、作业公示、教辅征订或招生名单（{kinds}）",
                                 "en": "school {school_id} handed in nothing besides its profile, so "
                                       "nothing could be checked; hand in its schedule, homework, "
                                       "materials or enrollment files ({kinds})"},
    "row.line_too_long": {"zh": "该行超过 {max} 个字符，未读取；其后的行照常检查",
                          "en": "the line is longer than {max} characters: not read; the lines "
                                "after it are checked as usual"},
    "row.stray_quote": {"zh": "该行的引号（\"）在本行内没有闭合，会把第 {first}–{last} 行并成一个单元格；"
                              "该行未检查，其余各行单独检查",
                        "en": "a quote (\") opened on this line is not closed on it and would fold "
                              "lines {first}–{last} into one cell; this row is not checked, the "
                              "other lines are checked one by one"},
    "row.stray_quote_here": {"zh": "该行的引号（\"）在本行内没有闭合；该行未检查",
                             "en": "a quote (\") opened on this line is not closed on it: this row "
                                   "is not checked"},
    "yaml.too_many_keys": {"zh": "各行共有超过 {max} 个不同的键，不是可检查的表格（最多 {max} 列）",
                           "en": "the rows have more than {max} different keys between them: no "
                                 "table to check (at most {max} columns)"},
    "xlsx.encrypted": {"zh": "工作簿有密码保护（已加密），无法读取；请取消密码后另存为 .xlsx",
                       "en": "the workbook is password-protected (encrypted): remove the password "
                             "and save it again as .xlsx"},
    "xlsx.old_xls": {"zh": "这是旧版 Excel 97-2003（.xls）文件，只是扩展名为 .xlsx；请另存为 .xlsx 工作簿",
                     "en": "an Excel 97-2003 (.xls) file named .xlsx: save it as an .xlsx workbook"},
    "table.more_rejected": {"zh": "另有 {rows} 行（第 {first}–{last} 行）同样无法检查，"
                                  "前 {max} 行已逐行列出；这些行均未检查",
                            "en": "{rows} more row(s) (lines {first}–{last}) could not be checked "
                                  "either; the first {max} are listed one by one, these were not "
                                  "checked"},
    "file.link_outside": {"zh": "符号链接指向提交的文件夹之外，未读取",
                          "en": "a link pointing outside the submitted folder: not read"},
    "file.not_regular": {"zh": "不是普通文件（{what}），未打开；请提交普通文件",
                         "en": "not a regular file ({what}): not opened; hand in a plain file"},
    "file.what_fifo": {"zh": "命名管道", "en": "a named pipe"},
    "file.what_socket": {"zh": "套接字", "en": "a socket"},
    "file.what_device": {"zh": "设备文件", "en": "a device"},
    "file.what_other": {"zh": "特殊文件", "en": "a special file"},
    "file.too_big": {"zh": "文件有 {mb} MB，此格式最多读取 {max} MB，未读取",
                     "en": "the file is {mb} MB; at most {max} MB are read in this format: not read"},
    "file.same_as": {"zh": "与 {first} 是同一个文件（链接），只在 {first} 处读取一次",
                     "en": "the same file as {first} (a link): read once, as {first}"},
}


class TemplateValues(dict[str, Any]):
    """Values for ``str.format_map``: a placeholder with no value is left as ``{name}``."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Msg:
    """A text in both languages: a key of :data:`REASONS` (or a ``{zh, en}`` pair of
    templates) and the values to fill in, made into a ``str`` only by :meth:`render`.

    Cheap to make and to pickle (it crosses to and from worker processes); a finding's
    message holds the rendered text, so reports see plain strings only.
    """

    __slots__ = ("args", "key")

    def __init__(self, key: str | Mapping[str, str], /, **args: Any):
        self.key = key
        self.args = args

    def template(self, lang: str) -> str:
        key = self.key
        pair = key if isinstance(key, Mapping) else REASONS[key]
        return str(pair.get(lang) or pair.get("en") or next(iter(pair.values()), ""))

    def render(self, lang: str) -> str:
        template = self.template(lang)
        values = TemplateValues({k: render(v, lang) for k, v in self.args.items()})
        try:
            return template.format_map(values)
        except (ValueError, IndexError, AttributeError):  # a plugin's pair that is no template
            return template

    def __str__(self) -> str:
        return self.render("en")

    def __repr__(self) -> str:
        args = "".join(f", {k}={v!r}" for k, v in self.args.items())
        return f"Msg({self.key!r}{args})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.key, self.args) == (other.key, other.args)

    def __hash__(self) -> int:
        return hash(repr(self))

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (self.key, self.args))


def _restore(key: str | Mapping[str, str], args: dict[str, Any]) -> Msg:
    return Msg(key, **args)


def pair(zh: str, en: str) -> dict[str, str]:
    """A value that differs by language (a kind's title, a joined list)."""
    return {"zh": zh, "en": en}


def render(value: Any, lang: str) -> Any:
    """``value`` for the text in ``lang``: a :class:`Msg` rendered, a ``{zh, en}`` pair's
    text, a list joined; anything else (a plain ``str`` from a plugin, a number) as is."""
    if isinstance(value, Msg):
        return value.render(lang)
    if isinstance(value, dict) and "en" in value and "zh" in value:
        return value[lang if lang in value else "en"]
    if isinstance(value, list | tuple):
        return ("；" if lang == "zh" else "; ").join(str(render(v, lang)) for v in value)
    return value


def kind_label(kind: Any) -> dict[str, str]:
    """A document kind by its Chinese title in Chinese, by its name in English."""
    title = getattr(kind, "title", None) or {}
    return pair(str(title.get("zh") or f"`{kind.name}` "), kind.name)


def quoted(items: list[str]) -> dict[str, str]:
    """Field keys or headers, each in backticks, as a list in either language."""
    marked = [f"`{item}`" for item in items]
    return pair("、".join(marked), ", ".join(marked))
