"""One year of the official calendar as the tool sees it (``compliance calendar YEAR``).

:func:`year_view` gives the facts as plain data (the JSON form); :func:`view_text`
the same for people, in Chinese or English.
"""

from __future__ import annotations

from typing import Any

from compliance.inputs.calendar import OfficialCalendar
from compliance.rules.i18n import label

WEEKDAY_ZH = "一二三四五六日"
WEEKDAY_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def year_view(official: OfficialCalendar, year: int, lang: str = "en") -> dict[str, Any]:
    """The year's holiday periods (name, first and last day, days), make-up working
    days, source, whether it is covered, and — for a declared year that is also
    packaged — the days on which they differ (the declared year wins)."""
    got = official(year)
    out: dict[str, Any] = {"year": year, "covered": got is not None}
    if got is None:
        out.update(source=None, holidays=[], workdays=[])
        return out
    out["source"] = got.source.to_dict() if got.source is not None else None
    out["holidays"] = [
        {"name": name, "label": label("holiday", name, lang), "from": first.isoformat(),
         "to": last.isoformat(), "days": (last - first).days + 1}
        for name, first, last in got.periods()
    ]
    out["workdays"] = [d.isoformat() for d in sorted(got.workdays)]
    hooked = official.hooked(year)
    if got.source is not None and got.source.kind == "declared" and hooked is not None:
        out["overrides"] = hooked.source.name if hooked.source is not None else "plugin"
        out["differences"] = got.differences(hooked, lang)
    return out


def view_text(view: dict[str, Any], lang: str) -> str:
    """The view as lines for a terminal."""
    zh = lang == "zh"
    year = view["year"]
    lines = []
    if not view["covered"]:
        if zh:
            return (f"{year} 年：未覆盖。该年按日期安排的活动无法判断（INP007）。\n"
                    f"国务院办公厅发布《关于{year}年部分节假日安排的通知》后：\n"
                    f"  compliance calendar import 通知.txt -o calendar.yaml\n")
        return (f"{year}: not covered. Dated activities in {year} cannot be judged (INP007).\n"
                f"When the State Council's notice for {year} appears:\n"
                f"  compliance calendar import NOTICE.txt -o calendar.yaml\n")
    source = view["source"]
    shown = _source_line(source) if source else "?"
    lines.append(f"{year} 年官方日历（已覆盖）" if zh else f"{year} official calendar (covered)")
    lines.append(f"来源：{shown}" if zh else f"source: {shown}")
    lines.append("")
    lines.append("放假安排：" if zh else "Holidays:")
    width = max((_width(h["label"]) for h in view["holidays"]), default=0)
    for item in view["holidays"]:
        pad = " " * (width - _width(item["label"]))
        span = item["from"] if item["from"] == item["to"] else (
            f"{item['from']} 至 {item['to']}" if zh else f"{item['from']} to {item['to']}")
        days = f"共 {item['days']} 天" if zh else f"{item['days']} day{'s' * (item['days'] > 1)}"
        lines.append(f"  {item['label']}{pad}  {span}  {days}")
    lines.append("")
    lines.append("调休上班日：" if zh else "Make-up working days:")
    if not view["workdays"]:
        lines.append("  无" if zh else "  none")
    for day in view["workdays"]:
        lines.append(f"  {day}（{_weekday(day, zh)}）" if zh else f"  {day} ({_weekday(day, zh)})")
    if "overrides" in view:
        lines.append("")
        diff = view["differences"]
        if not diff:
            lines.append(f"与 {view['overrides']} 逐日一致。" if zh
                         else f"Same days as {view['overrides']}.")
        else:
            lines.append(f"与 {view['overrides']} 有 {len(diff)} 天不同，以声明为准：" if zh
                         else f"Differs from {view['overrides']} on {len(diff)} day(s); the "
                              "declared year wins:")
            lines += [f"  {d}" for d in diff]
    return "\n".join(lines) + "\n"


def _source_line(source: dict[str, Any]) -> str:
    text = str(source["source"])
    if source.get("file") and source["file"] != text:
        text += f" ({source['file']}{':' + str(source['line']) if source.get('line') else ''})"
    return text


def _weekday(iso: str, zh: bool) -> str:
    import datetime as dt

    day = dt.date.fromisoformat(iso).isoweekday()
    return f"周{WEEKDAY_ZH[day - 1]}" if zh else WEEKDAY_EN[day - 1]


def _width(text: str) -> int:
    """Terminal columns: a CJK character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
