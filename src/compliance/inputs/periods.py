"""Activities named the way a school's timetable names its periods (``第一节``,
``大课间``, ``午餐、午休``), the vocabulary table of ``exports.md``.

:func:`activity_of` is what the schedule's shaping asks of a ``节次`` or ``内容``
cell: the activity it names (``lesson`` …), with the grades a class scope in the
name sets (``课后服务（一至三年级）``), or ``None``.

Plugins add names through the ``compliance_period_names`` hook (a bureau's ``午练``,
``晨诵``): an engine puts its plugins' names in force for the duration of each of its
runs (:func:`plugin_names_in_force`, a context variable: two engines in one process,
or one thread's run and another's, never see each other's names), and the built-in
names win on a clash.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from compliance.inputs.values import parse_band

#: activity -> the names a period or content cell may give it (the contract's table)
PERIOD_NAMES: dict[str, tuple[str, ...]] = {
    "lesson": ("上课", "综合实践活动", "综合素质实践活动"),
    "morning_reading": ("早读", "晨读", "早自习"),
    "exercise": ("大课间", "课间操", "眼保健操", "广播操", "跑操", "阳光体育"),
    "break": ("课间", "课间休息", "预铃", "预备铃", "预备"),
    "lunch": ("午餐", "午饭", "午休", "午睡", "午间休息"),
    "arrival": ("到校", "入校", "进校", "学生到校"),
    "dismissal": ("放学", "离校", "学生离校"),
    "after_school_service": ("课后服务", "课后延时服务", "延时服务", "课后托管"),
    "self_study": ("自习", "晚自习", "午自习"),
    "assembly": ("升旗", "升旗仪式", "班会", "晨会", "集会"),
    "club": ("社团", "社团活动", "兴趣小组"),
    "exam": ("考试", "测验", "月考", "期中考试", "期末考试"),
    "remedial": ("补课",),
}
#: activities whose single time (``17:30``) is an instant, not a span: the bells,
#: arrival and dismissal
INSTANT_ACTIVITIES = frozenset({"arrival", "dismissal"})
INSTANT_NAMES = frozenset({"预铃", "预备铃", "预备"})

_LOOKUP = {name: activity for activity, names in PERIOD_NAMES.items() for name in names}
_CN_PERIOD = "一二三四五六七八九十"
_LESSON_RE = re.compile(r"^(?:上午|下午|晚上)?第([0-9]{1,2}|[一二三四五六七八九十]{1,2})节课?$")
_BRACKET_RE = re.compile(r"[(（\[【]([^()（）\[\]【】]*)[)）\]】]$")


@dataclass(frozen=True, slots=True)
class PeriodName:
    """What a period name says: the activity, whether it is a bell (an instant),
    and the grades a class scope in it names (empty: no scope)."""

    activity: str
    instant: bool = False
    grades: frozenset[int] = frozenset()


def _period_number(token: str) -> int | None:
    if token.isdigit():
        return int(token)
    if token == "十":
        return 10
    if len(token) == 1 and token in _CN_PERIOD:
        return _CN_PERIOD.index(token) + 1
    if len(token) == 2 and token[0] == "十" and token[1] in _CN_PERIOD[:9]:
        return 10 + _CN_PERIOD.index(token[1]) + 1
    return None


def name_key(name: str) -> str:
    """How period names compare: NFKC, without spaces."""
    return unicodedata.normalize("NFKC", name).strip().replace(" ", "").replace("\u3000", "")


def builtin_activity(name: str) -> str | None:
    """The activity the built-in table gives ``name`` (``第3节`` included), or ``None``."""
    return _one(name_key(name), plugins=False)


@dataclass(frozen=True)
class _PluginNames:
    """The plugin period names in force: ``{key: activity}`` (read-only) and, for the
    parse caches, the same as a hashable set (equal names share the caches)."""

    lookup: Mapping[str, str]
    key: frozenset[tuple[str, str]]


_NO_PLUGIN_NAMES = _PluginNames(MappingProxyType({}), frozenset())
#: names plugins added (``compliance_period_names``), in force for one engine's run; a
#: name the table above already has keeps its built-in activity
_PLUGIN_NAMES: ContextVar[_PluginNames] = ContextVar("compliance_plugin_period_names",
                                                     default=_NO_PLUGIN_NAMES)


@contextmanager
def plugin_names_in_force(names: Mapping[str, str]) -> Iterator[None]:
    """Make ``names`` (``{name: activity}``, from the ``compliance_period_names`` hook)
    the plugin period names while the block runs, then restore those in force before.

    Only the current context (thread, task) sees them — a thread the run starts itself
    does not, so period names are parsed only in the run's own thread (columnar's
    threads read id and name columns); names the built-in table has are left out (the
    built-in activity wins).
    """
    wanted = {name_key(n): a for n, a in names.items() if builtin_activity(n) is None}
    token = _PLUGIN_NAMES.set(_PluginNames(MappingProxyType(wanted), frozenset(wanted.items()))
                              if wanted else _NO_PLUGIN_NAMES)
    try:
        yield
    finally:
        _PLUGIN_NAMES.reset(token)


def plugin_names() -> Mapping[str, str]:
    """The plugin period names in force, ``{name: activity}`` (a read-only view)."""
    return _PLUGIN_NAMES.get().lookup


def plugin_names_key() -> frozenset[tuple[str, str]]:
    """The plugin period names in force as a hashable value: a cache of parsed cells
    keyed by it is never used under other names."""
    return _PLUGIN_NAMES.get().key


def _one(name: str, plugins: bool = True) -> str | None:
    """The activity one part of a name gives, or ``None``."""
    if name in _LOOKUP:
        return _LOOKUP[name]
    if plugins and name in (extra := _PLUGIN_NAMES.get().lookup):
        return extra[name]
    match = _LESSON_RE.match(name)
    if match:
        number = _period_number(match.group(1))
        return "lesson" if number is not None and 1 <= number <= 10 else None
    return None


def activity_of(value: Any, bare_numbers: bool = False) -> PeriodName | None:
    """The activity a period or content cell names, or ``None`` when it names none.

    Surrounding spaces, a leading ``学生``, a trailing ``时间`` and a trailing bracketed
    note or class scope are ignored; names joined by ``、`` or ``/`` are one activity
    when every part names the same one.

    :param bare_numbers: a bare period number ``1``–``10`` is a lesson (a ``节次`` column).
    """
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        if bare_numbers and float(value).is_integer() and 1 <= int(value) <= 10:
            return PeriodName("lesson")
        return None
    text = unicodedata.normalize("NFKC", str(value)).strip().replace(" ", "").replace("\u3000", "")
    if not text:
        return None
    if bare_numbers and text.isdigit() and 1 <= int(text) <= 10:
        return PeriodName("lesson")
    grades: frozenset[int] = frozenset()
    while match := _BRACKET_RE.search(text):
        band = parse_band(match.group(1))
        if band is not None:
            grades = band
        text = text[:match.start()].strip()
    parts = [p for p in re.split(r"[、/]", text) if p]
    if not parts:
        return None
    found: set[str] = set()
    instant = False
    for part in parts:
        candidates = [part]
        if part.startswith("学生"):
            candidates.append(part[2:])
        if part.endswith("时间"):
            candidates += [c[:-2] for c in list(candidates) if c.endswith("时间")]
        activity = next((a for c in candidates if (a := _one(c)) is not None), None)
        if activity is None:
            return None
        instant = instant or any(c in INSTANT_NAMES for c in candidates)
        found.add(activity)
    if len(found) != 1:
        return None
    return PeriodName(found.pop(), instant, grades)


def accepted_names() -> dict[str, str]:
    """The period names accepted, for a message, as a ``{zh, en}`` pair of quoted names."""
    names = ["第1节…第10节", "第一节…第十节"]
    for items in PERIOD_NAMES.values():
        names.extend(items)
    names.extend(plugin_names())
    marked = [f"`{n}`" for n in names]
    return {"zh": "、".join(marked), "en": ", ".join(marked)}
