"""Curriculum plans (课程方案): per grade, the weekly lesson total and each subject's
place — required or not, and its weekly minimum — plus the names timetables use for
each subject.

A plan is a YAML file; the built-in ``national-2022`` is ``rules/curricula/national-2022.yaml``.
A province or district writes its own in the same shape, or ``extends:`` a known plan
and states only what differs::

    name: zhejiang-2023
    extends: national-2022
    grades:
      "3-6": {minimum: {体育与健康: 4}}

A plan with an unknown subject, a negative minimum or a grade outside 1–9 is refused
with a :class:`~compliance.host.errors.ConfigError` naming the file and line.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from compliance.host.errors import ConfigError, UsageError
from compliance.inputs.raw import LList, LMap
from compliance.inputs.values import normalize_text
from compliance.rules.metadata import load_yaml_file, rules_dir

DEFAULT_PLAN = "national-2022"
_GRADES = re.compile(r"^\s*(\d+)\s*(?:[-–~至]\s*(\d+)\s*)?$")


def subject_key(name: Any) -> str:
    """Names compare after NFKC and with spaces removed (``体 育`` is ``体育``)."""
    return normalize_text(name).replace(" ", "").replace("\u3000", "")


@dataclass(frozen=True)
class GradePlan:
    """What a plan asks of one grade."""

    grade: int
    weekly_max: int | None
    required: tuple[str, ...]
    minimum: dict[str, int]

    def minimum_of(self, subject: str) -> int:
        """A required subject's weekly minimum; one lesson when the plan states none."""
        return self.minimum.get(subject, 1)


@dataclass
class Plan:
    """A curriculum plan, every grade spelled out."""

    name: str
    title: dict[str, str]
    source: str
    subjects: tuple[str, ...]
    aliases: dict[str, str] = field(default_factory=dict)
    grade_aliases: dict[int, dict[str, str]] = field(default_factory=dict)
    grades: dict[int, GradePlan] = field(default_factory=dict)
    #: where each value comes from, for ``compliance explain`` (``weekly_max``, a subject)
    sources: dict[str, str] = field(default_factory=dict)
    extends: str | None = None

    def subject_of(self, name: str, grade: int | None) -> str | None:
        """The plan subject a timetable cell names in ``grade``, or ``None`` (a school course)."""
        key = subject_key(name)
        if grade is not None and key in self.grade_aliases.get(grade, {}):
            return self.grade_aliases[grade][key]
        return self.aliases.get(key)

    def for_grade(self, grade: int | None) -> GradePlan | None:
        return self.grades.get(grade) if grade is not None else None

    def names_of(self, subject: str, grade: int | None = None) -> list[str]:
        """The names that count as ``subject`` (in ``grade`` when given), the subject first."""
        names = [n for n, s in self.aliases.items() if s == subject and n != subject]
        if grade is not None:
            names += [n for n, s in self.grade_aliases.get(grade, {}).items()
                      if s == subject and n not in names]
        return [subject, *names]


def builtin_plan_files() -> list[str]:
    """The plans shipped with compliance (``rules/curricula/*.yaml``)."""
    return [str(p) for p in sorted((rules_dir() / "curricula").glob("*.yaml"))]


def plan_file(choice: str) -> str:
    """The file of a plan given as a file, or as a built-in plan's name."""
    if choice.endswith((".yaml", ".yml")):
        return choice
    shipped = {Path(f).stem: f for f in builtin_plan_files()}
    if choice in shipped:
        return shipped[choice]
    raise UsageError(f"unknown curriculum plan {choice!r}; known plans: "
                     f"{', '.join(sorted(shipped))} (or give a plan YAML file)")


class Curricula:
    """The plans known to a run: shipped by plugins (``compliance_curricula``), or a file."""

    def __init__(self, files: list[str]):
        self.files: dict[str, str] = {}
        for file in files:
            data = load_yaml_file(Path(file))
            self.files[_name(data, Path(file))] = file

    def path_of(self, choice: str, base: Path | None = None) -> str:
        """The file of a plan given by name, or by a path (relative to ``base``)."""
        if choice in self.files:
            return self.files[choice]
        if choice.endswith((".yaml", ".yml")):
            path = Path(choice) if base is None else base / choice
            if not path.is_file():
                raise UsageError(f"--curriculum {choice}: no such file")
            return str(path.resolve())
        raise UsageError(f"unknown curriculum plan {choice!r}; known plans: "
                         f"{', '.join(sorted(self.files))} (or give a plan YAML file); "
                         "see `compliance curricula`")

    def load(self, choice: str, base: Path | None = None) -> Plan:
        return load_plan(self.path_of(choice, base), tuple(sorted(self.files.items())))


def _name(data: LMap, path: Path) -> str:
    name = data.get("name")
    if not name:
        raise ConfigError("a curriculum plan needs `name:`", str(path), data.line)
    return str(name)


@cache
def load_plan(path: str, known: tuple[tuple[str, str], ...] = ()) -> Plan:
    """The plan in ``path``, with the plans it extends (by name among ``known``, or a file)."""
    return _load(Path(path), dict(known), set())


def _load(path: Path, known: dict[str, str], seen: set[Path]) -> Plan:
    real = path.resolve()
    if real in seen:
        raise ConfigError("the plan extends itself in a loop", str(path))
    seen.add(real)
    data = load_yaml_file(path)
    src = str(path)
    name = _name(data, path)
    base: Plan | None = None
    parent = data.get("extends")
    if parent is not None:
        parent = str(parent)
        if parent in known:
            base = _load(Path(known[parent]), known, seen)
        elif parent.endswith((".yaml", ".yml")) and (path.parent / parent).is_file():
            base = _load(path.parent / parent, known, seen)
        elif parent in (shipped := {Path(f).stem: f for f in builtin_plan_files()}):
            base = _load(Path(shipped[parent]), known, seen)
        else:
            raise ConfigError(f"`extends: {parent}` names no known plan "
                              f"({', '.join(sorted(known)) or DEFAULT_PLAN}) and no file beside "
                              "this one", src, data.line_of("extends"))
    title = data.get("title") or {}
    if isinstance(title, str):
        title = {"zh": title, "en": title}
    subjects = list(base.subjects) if base else []
    raw_subjects = data.get("subjects")
    if raw_subjects is not None:
        if not isinstance(raw_subjects, LList):
            raise ConfigError("`subjects:` is a list of subject names", src,
                              data.line_of("subjects"))
        for item in raw_subjects:
            text = subject_key(item)
            if text and text not in subjects:
                subjects.append(text)
    if not subjects:
        raise ConfigError("a curriculum plan needs `subjects:` (or `extends:` a plan)", src,
                          data.line)
    plan = Plan(
        name=name,
        title={"zh": str(title.get("zh") or name), "en": str(title.get("en") or name)},
        source=src,
        subjects=tuple(subjects),
        aliases={subject_key(s): s for s in subjects} | (dict(base.aliases) if base else {}),
        grade_aliases={g: dict(t) for g, t in base.grade_aliases.items()} if base else {},
        sources=dict(base.sources) if base else {},
        extends=base.name if base else None,
    )
    _aliases(plan, data, src)
    grades = {g: (list(p.required), p.weekly_max, dict(p.minimum))
              for g, p in (base.grades.items() if base else [])}
    raw_grades = data.get("grades")
    if raw_grades is not None and not isinstance(raw_grades, LMap):
        raise ConfigError("`grades:` maps grades (`1-2`, `3-6`, `9`) to what they need", src,
                          data.line_of("grades"))
    touched: set[str] = set()  # values this file sets: their source is this file
    raw_grades = raw_grades if raw_grades is not None else LMap()
    for key, spec in raw_grades.items():
        line = raw_grades.line_of(key)
        span = _grade_span(key, src, line)
        if not isinstance(spec, LMap):
            raise ConfigError(f"grades {key}: expected a mapping of weekly_max, required, "
                              "minimum", src, line)
        for grade in span:
            required, weekly_max, minimum = grades.get(grade, ([], None, {}))
            touched.update(k for k in ("weekly_max", "required") if spec.get(k) is not None)
            touched.update(subject_key(s) for s in (spec.get("minimum") or {}))
            if spec.get("weekly_max") is not None:
                weekly_max = _count(spec.get("weekly_max"), f"grades {key}: weekly_max", src,
                                    spec.line_of("weekly_max"))
            if spec.get("required") is not None:
                required = _subject_list(plan, spec.get("required"), f"grades {key}: required",
                                         src, spec.line_of("required"))
            minimum = {**minimum, **_minimums(plan, spec.get("minimum"), key, src,
                                              spec.line_of("minimum"))}
            grades[grade] = (required, weekly_max, minimum)
    for grade, (required, weekly_max, minimum) in sorted(grades.items()):
        # a subject with a weekly minimum is required in that grade
        needed = list(dict.fromkeys([*required, *(s for s, n in minimum.items() if n > 0)]))
        order = [s for s in plan.subjects if s in needed]
        plan.grades[grade] = GradePlan(grade, weekly_max, tuple(order), minimum)
    for key in touched:
        plan.sources[key] = f"{name} ({path.name})"
    raw_sources = data.get("sources")
    if isinstance(raw_sources, LMap):
        plan.sources.update({str(k): str(v) for k, v in raw_sources.items()})
    return plan


def _aliases(plan: Plan, data: LMap, src: str) -> None:
    raw = data.get("aliases")
    if raw is not None:
        if not isinstance(raw, LMap):
            raise ConfigError("`aliases:` maps a plan subject to the names that count as it",
                              src, data.line_of("aliases"))
        for subject, names in raw.items():
            target = _known(plan, subject, "aliases", src, raw.line_of(subject))
            for name in names if isinstance(names, LList) else [names]:
                plan.aliases[subject_key(name)] = target
    by_grade = data.get("grade_aliases")
    if by_grade is None:
        return
    if not isinstance(by_grade, LList):
        raise ConfigError("`grade_aliases:` is a list of {grades, subject, names}", src,
                          data.line_of("grade_aliases"))
    for index, item in enumerate(by_grade):
        line = by_grade.line_of(index)
        if not isinstance(item, LMap) or item.get("subject") is None:
            raise ConfigError("each `grade_aliases` item needs grades, subject and names", src,
                              line)
        target = _known(plan, item.get("subject"), "grade_aliases", src, item.line_of("subject"))
        names = item.get("names")
        for grade in _grade_span(item.get("grades", "1-9"), src, item.line_of("grades")):
            for name in names if isinstance(names, LList) else [names]:
                plan.grade_aliases.setdefault(grade, {})[subject_key(name)] = target


def _grade_span(key: Any, src: str, line: int | None) -> range:
    match = _GRADES.match(str(key))
    lo = int(match.group(1)) if match else 0
    hi = int(match.group(2) or lo) if match else 0
    if not match or not (1 <= lo <= hi <= 9):
        raise ConfigError(f"grade {key!r} is outside 1–9 (write a grade such as 3 or a range "
                          "such as 3-6)", src, line)
    return range(lo, hi + 1)


def _known(plan: Plan, subject: Any, where: str, src: str, line: int | None) -> str:
    key = subject_key(subject)
    if key not in plan.subjects:
        raise ConfigError(f"{where}: unknown subject {str(subject)!r}; the plan's subjects are "
                          f"{'、'.join(plan.subjects)} (add it to `subjects:`)", src, line)
    return key


def _subject_list(plan: Plan, value: Any, where: str, src: str, line: int | None) -> list[str]:
    if not isinstance(value, LList):
        raise ConfigError(f"{where}: expected a list of subjects", src, line)
    return [_known(plan, item, where, src, value.line_of(i) or line)
            for i, item in enumerate(value)]


def _count(value: Any, where: str, src: str, line: int | None) -> int:
    text = str(value).strip()
    if not re.fullmatch(r"[+-]?\d+", text):
        raise ConfigError(f"{where}: {value!r} is not a whole number of lessons", src, line)
    number = int(text)
    if number < 0:
        raise ConfigError(f"{where}: {number} is negative; a number of lessons is 0 or more",
                          src, line)
    return number


def _minimums(plan: Plan, value: Any, key: Any, src: str, line: int | None) -> dict[str, int]:
    if value is None:
        return {}
    if not isinstance(value, LMap):
        raise ConfigError(f"grades {key}: minimum maps subjects to weekly lessons", src, line)
    return {_known(plan, subject, f"grades {key}: minimum", src, value.line_of(subject)):
            _count(n, f"grades {key}: minimum of {subject}", src, value.line_of(subject))
            for subject, n in value.items()}


__all__ = ["DEFAULT_PLAN", "Curricula", "GradePlan", "Plan", "builtin_plan_files", "load_plan",
           "plan_file"]
