"""The State Council's holiday notice, read as published, into an ``official:`` year.

Each November or December 国务院办公厅 publishes
《国务院办公厅关于YYYY年部分节假日安排的通知》: numbered items, one per holiday::

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。
    2月14日（周六）、2月28日（周六）上班。

:func:`parse_notice` reads that text: the title (the year, and the ``source``), the
document number if given, and every numbered item — single days (``1月1日（周四）放假``),
ranges within and across months (``5月31日（周六）至6月2日（周一）``), dates with a year
(``2018年12月30日``), weekday and lunar-date brackets, several make-up days in one
sentence, ``共N天`` / ``放假1天`` counts, ``不调休``, ``补休``.  Everything is checked
that can be: a bracket's weekday must be the date's weekday, a count must equal the
days of its range.  A sentence it cannot read is a :class:`NoticeError` naming the
sentence and its line, never a guess; sentences that only encourage (``鼓励…``) are
skipped and listed in the notes.  Lunar dates in brackets are not checked.

:func:`year_yaml` writes the result as the ``official:`` entry of ``calendar.yaml``;
:func:`merge_into` puts it into an existing calendar file, keeping the rest of it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

TITLE_RE = re.compile(r"国务院办公厅关于\s*(\d{4})\s*年部分节假日安排的通知")
NUMBER_RE = re.compile(r"国办发(?:明电)?\s*[〔\[(]\s*\d{4}\s*[〕\])]\s*\d+\s*号")
ITEM_RE = re.compile(r"^([一二三四五六七八九十]+)[、.]\s*(.*)$")
DATE_RE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日(?:\(([^)]*)\))?")
COUNT = r"(\d+|[一二两三四五六七八九十]+)"
HOLIDAY_CLAUSE = re.compile(rf"^D(?:至D)?(放假调休|调休放假|放假|补休)(?:{COUNT}天)?$")
TOTAL_CLAUSE = re.compile(rf"^共{COUNT}天$")
WORKDAY_CLAUSE = re.compile(r"^D(?:[、和及]D)*(?:调休)?上班$")
QUIET_CLAUSES = ("不调休", "与周末连休", "调休")
WEEKDAY_RE = re.compile(r"^(?:周|星期|礼拜)([一二三四五六日天])$")
CN_NUMBERS = {"一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9, "十": 10}
WEEKDAYS = "一二三四五六日"


class NoticeError(Exception):
    """A part of the notice that cannot be read: names the sentence and its line.

    :attr message: ``{"zh": …, "en": …}``; ``str()`` gives the English one.
    """

    def __init__(self, zh: str, en: str, line: int | None = None, sentence: str = ""):
        super().__init__(en)
        self.line = line
        self.sentence = sentence
        self.message = {"zh": zh, "en": en}

    def text(self, lang: str) -> str:
        """One line: where, what, and the sentence."""
        where = (f"第 {self.line} 行：" if lang == "zh" else f"line {self.line}: ") if self.line \
            else ""
        said = f"「{self.sentence}」" if self.sentence else ""
        if lang == "zh":
            return f"{where}{self.message['zh']}{'：' + said if said else ''}"
        return f"{where}{self.message['en']}{': ' + said if said else ''}"


@dataclass
class Notice:
    """One year as the notice gives it.

    :param periods: ``(name, first, last)`` per holiday period, in the notice's order;
        ``name`` is the item's heading (``国庆节、中秋节`` for a shared period).
    :param workdays: the make-up working days.
    :param notes: what was read but left out (advisory sentences, days of another
        year), in ``{"zh", "en"}`` pairs.
    """

    year: int
    source: str
    periods: list[tuple[str, dt.date, dt.date]] = field(default_factory=list)
    workdays: list[dt.date] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)

    def holidays(self) -> dict[dt.date, str]:
        """Every holiday date with its period's name."""
        out = {}
        for name, first, last in self.periods:
            for offset in range((last - first).days + 1):
                out[first + dt.timedelta(days=offset)] = name
        return out


def read_notice_file(path: Path) -> str:
    """The notice's text: UTF-8 (with or without BOM), else GB18030 as Windows saves it."""
    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise NoticeError("不是 UTF-8 或 GBK 文本", "not UTF-8 or GBK text")


def parse_notice(text: str) -> Notice:
    """The year, source, holiday periods and make-up days of a notice's text.

    :raises NoticeError: no title, or a sentence that cannot be read.
    """
    flat = unicodedata.normalize("NFKC", text)
    title = TITLE_RE.search(flat)
    if title is None:
        raise NoticeError("找不到通知标题（国务院办公厅关于YYYY年部分节假日安排的通知），无法确定年份",
                          "no notice title (国务院办公厅关于YYYY年部分节假日安排的通知) found: "
                          "the year is unknown")
    year = int(title.group(1))
    number = NUMBER_RE.search(flat)
    source = title.group(0).replace(" ", "")
    if number is not None:
        source += " (" + re.sub(r"\s+", "", number.group(0)) + ")"
    notice = Notice(year, source)
    items = _items(text)
    if not items:
        raise NoticeError("找不到编号条目（如“一、元旦：1月1日（周四）放假”）",
                          "no numbered items (such as 一、元旦：1月1日（周四）放假) found")
    for line, item in items:
        _item(notice, line, item)
    _check_whole(notice)
    return notice


def _items(text: str) -> list[tuple[int, str]]:
    """Numbered items with their first line; an item may wrap over lines until its 。."""
    items: list[tuple[int, str]] = []
    open_item = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().replace("\u3000", "")
        if not line:
            open_item = False
            continue
        flat = unicodedata.normalize("NFKC", line)
        if ITEM_RE.match(flat):
            items.append((number, line))
            open_item = not line.endswith("。")
        elif open_item:
            items[-1] = (items[-1][0], items[-1][1] + line)
            open_item = not line.endswith("。")
        elif DATE_RE.search(flat) and re.search(r"放假|上班|补休|调休", flat) \
                and not re.fullmatch(r"\d{4}年\d{1,2}月\d{1,2}日", flat):
            raise NoticeError("编号条目之外的句子写有放假或上班日期，无法判断属于哪个节日",
                              "a sentence outside the numbered items names holiday or working "
                              "days: which holiday it belongs to is unknown", number, line)
    return items


def _item(notice: Notice, line: int, item: str) -> None:
    flat = unicodedata.normalize("NFKC", item)
    body = ITEM_RE.match(flat)
    assert body is not None
    head, sep, rest = body.group(2).partition(":")
    name = head.strip()
    if not sep or not name or DATE_RE.search(name):
        raise NoticeError("条目应以“节日名称：”开头", "an item should start with the holiday's "
                          "name and a colon (元旦：…)", line, item)
    originals = [s for s in re.split(r"(?<=。)", item) if s.strip()]
    sentences = [s.strip() for s in rest.split("。") if s.strip()]
    for sentence in sentences:
        shown = next((o.strip() for o in originals
                      if unicodedata.normalize("NFKC", o).find(sentence) >= 0), sentence)
        if sentence.startswith("鼓励"):
            notice.notes.append({"zh": f"跳过倡导性句子：{shown}",
                                 "en": f"skipped an advisory sentence: {shown}"})
            continue
        _sentence(notice, name, sentence, line, shown)


def _sentence(notice: Notice, name: str, sentence: str, line: int, shown: str) -> None:
    dates: list[dt.date] = []
    previous: list[dt.date | None] = [None]

    def token(match: re.Match[str]) -> str:
        dates.append(_date(notice.year, match, previous[0], line, shown))
        previous[0] = dates[-1]
        return "D"

    skeleton = DATE_RE.sub(token, sentence.replace(" ", ""))
    used = 0
    total: int | None = None
    days_here = 0
    for clause in re.split(r"[,;]", skeleton):
        count = clause.count("D")
        mine = dates[used:used + count]
        used += count
        if m := HOLIDAY_CLAUSE.match(clause):
            first, last = mine[0], mine[-1]
            if last < first:
                raise NoticeError("假期的结束日早于开始日", "the period ends before it starts",
                                  line, shown)
            length = (last - first).days + 1
            if m.group(2) is not None and _number(m.group(2)) != length:
                raise NoticeError(f"写明放假 {m.group(2)} 天，但日期共 {length} 天",
                                  f"says {m.group(2)} day(s) but the dates span {length}",
                                  line, shown)
            days_here += length
            _add_period(notice, name, first, last)
        elif m := TOTAL_CLAUSE.match(clause):
            total = _number(m.group(1))
        elif WORKDAY_CLAUSE.match(clause):
            for day in mine:
                _add_workday(notice, day, line, shown)
        elif clause in QUIET_CLAUSES:
            continue
        else:
            raise NoticeError("无法识别的句子（可识别：…放假、…至…放假调休，共N天、…上班）",
                              "cannot read this sentence (readable: …放假, …至…放假调休，共N天, "
                              "…上班)", line, shown)
    if total is not None and total != days_here:
        raise NoticeError(f"写明共 {total} 天，但放假日期共 {days_here} 天",
                          f"says 共{total}天 but the holiday dates make {days_here}", line, shown)


def _number(text: str) -> int:
    if text.isdigit():
        return int(text)
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + CN_NUMBERS[text[1]]
    if text.endswith("十"):
        return 10 * CN_NUMBERS[text[0]]
    if "十" in text:
        return 10 * CN_NUMBERS[text[0]] + CN_NUMBERS[text[2]]
    return CN_NUMBERS[text]


def _date(year: int, match: re.Match[str], previous: dt.date | None, line: int,
          shown: str) -> dt.date:
    """One date token; a missing month (``至23日``) or year is the previous date's."""
    year_text, month_text, day_text, bracket = match.groups()
    if month_text is None and previous is None:
        raise NoticeError(f"“{match.group(0)}”没有月份，前面也没有可沿用的月份",
                          f"{match.group(0)!r} has no month and none comes before it",
                          line, shown)
    if year_text is not None:
        year = int(year_text)
    elif previous is not None:
        year = previous.year
    month = int(month_text) if month_text is not None else previous.month  # type: ignore[union-attr]
    try:
        day = dt.date(year, month, int(day_text))
    except ValueError:
        raise NoticeError(f"“{match.group(0)}”不是有效日期", f"{match.group(0)!r} is not a date",
                          line, shown) from None
    if previous is not None and day < previous and year_text is None:
        raise NoticeError(f"“{match.group(0)}”早于前一个日期，且未写年份",
                          f"{match.group(0)!r} comes before the date before it and gives no year",
                          line, shown)
    for part in re.split(r"[、,]", bracket or ""):
        part = part.strip()
        if not part or part.startswith("农历"):
            continue  # lunar dates are not checked
        weekday = WEEKDAY_RE.match(part)
        if weekday is None:
            raise NoticeError(f"无法识别括号内的“{part}”（可识别：周X、星期X、农历…）",
                              f"cannot read {part!r} in brackets (readable: 周X, 星期X, 农历…)",
                              line, shown)
        said = WEEKDAYS.index(weekday.group(1).replace("天", "日")) + 1
        if said != day.isoweekday():
            actual = WEEKDAYS[day.isoweekday() - 1]
            raise NoticeError(
                f"{day.isoformat()} 是周{actual}，不是{part}",
                f"{day.isoformat()} is a 周{actual} ({day:%A}), not {part}", line, shown)
    return day


def _add_period(notice: Notice, name: str, first: dt.date, last: dt.date) -> None:
    lo, hi = max(first, dt.date(notice.year, 1, 1)), min(last, dt.date(notice.year, 12, 31))
    if (first, last) != (lo, hi):
        outside = [d for d in (first, last) if d.year != notice.year]
        notice.notes.append({
            "zh": f"{name}：{first.isoformat()} 至 {last.isoformat()} 中不在 {notice.year} 年的日子"
                  f"属于 {outside[0].year} 年的日历，未写入",
            "en": f"{name}: the days of {first.isoformat()} to {last.isoformat()} outside "
                  f"{notice.year} belong to {outside[0].year}'s calendar and are not written"})
        if lo > hi:
            return
    if notice.periods and notice.periods[-1][0] == name \
            and notice.periods[-1][2] + dt.timedelta(days=1) == lo:
        notice.periods[-1] = (name, notice.periods[-1][1], hi)  # 放假 then 补休: one period
    else:
        notice.periods.append((name, lo, hi))


def _add_workday(notice: Notice, day: dt.date, line: int, shown: str) -> None:
    if day.year != notice.year:
        notice.notes.append({
            "zh": f"调休上班日 {day.isoformat()} 属于 {day.year} 年的日历，未写入",
            "en": f"the make-up working day {day.isoformat()} belongs to {day.year}'s calendar "
                  "and is not written"})
        return
    if day.isoweekday() < 6:
        raise NoticeError(f"调休上班日 {day.isoformat()} 不是周六或周日",
                          f"the make-up working day {day.isoformat()} is not a Saturday or Sunday",
                          line, shown)
    notice.workdays.append(day)


def _check_whole(notice: Notice) -> None:
    """Periods must not overlap, and no make-up day may fall inside one."""
    seen: dict[dt.date, str] = {}
    for name, first, last in notice.periods:
        for offset in range((last - first).days + 1):
            day = first + dt.timedelta(days=offset)
            if day in seen:
                raise NoticeError(f"{day.isoformat()} 同时属于「{seen[day]}」和「{name}」",
                                  f"{day.isoformat()} is in both {seen[day]} and {name}")
            seen[day] = name
    for day in notice.workdays:
        if day in seen:
            raise NoticeError(f"调休上班日 {day.isoformat()} 在假期「{seen[day]}」之内",
                              f"the make-up working day {day.isoformat()} is inside {seen[day]}")


# -- writing --------------------------------------------------------------------


def _scalar(text: str) -> str:
    """A YAML scalar: plain when that is safe, else double-quoted (JSON is valid YAML)."""
    if re.fullmatch(r"[\w、·()（）〔〕 -]+", text) and not text[0].isdigit() \
            and not text.startswith(("-", " ")):
        return text
    return json.dumps(text, ensure_ascii=False)


def year_yaml(notice: Notice, header: bool = True) -> str:
    """The ``official:`` entry for the notice's year, as ``calendar.yaml`` text."""
    out = []
    if header:
        out.append(f"# compliance calendar import: {notice.source}")
    out += ["official:", f"  {notice.year}:", f"    source: {_scalar(notice.source)}",
            "    holidays:"]
    for name, first, last in notice.periods:
        out.append(f"      - {{name: {_scalar(name)}, from: {first.isoformat()}, "
                   f"to: {last.isoformat()}}}")
    if not notice.periods:
        out[-1] = "    holidays: []"
    out.append("    workdays: [" + ", ".join(d.isoformat() for d in sorted(notice.workdays))
               + "]")
    return "\n".join(out) + "\n"


def merge_into(existing: str, notice: Notice) -> tuple[str, bool]:
    """``existing`` calendar-file text with the notice's year put under ``official:``
    (replacing that year if it was there); comments and other keys are kept.

    :returns: the new text, and whether the year was replaced.
    """
    import io

    from ruamel.yaml import YAML

    if not existing.strip():
        return year_yaml(notice), False
    yaml = YAML()  # round-trip: keeps comments, order and flow style
    yaml.width = 4096
    yaml.indent(mapping=2, sequence=4, offset=2)
    data = yaml.load(existing)
    entry = yaml.load(year_yaml(notice, header=False))["official"]
    if data is None:
        return year_yaml(notice), False
    else:
        if not hasattr(data, "keys"):
            raise NoticeError("现有文件顶层不是映射，无法写入", "the existing file is not a "
                              "mapping at the top: cannot add the year to it")
        official = data.get("official")
        if official is None:
            data.insert(0, "official", entry)
            replaced = False
        else:
            key = next((k for k in official if str(k) == str(notice.year)), None)
            replaced = key is not None
            if replaced:
                official[key] = entry[notice.year]
            else:
                official[notice.year] = entry[notice.year]
    buffer = io.StringIO()
    yaml.dump(data, buffer)
    return buffer.getvalue(), replaced
