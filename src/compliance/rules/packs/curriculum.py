"""CUR — the full curriculum, "开齐开足".

Clauses: SCHOOL-CURRICULUM 严格执行课程标准、克服困难开齐开足课程; CURRICULUM-2022
劳动课程平均每周不少于1课时.  The numbers come from the curriculum plan in force
(``--curriculum``, ``curriculum:`` in the settings file or a profile; the built-in
``national-2022`` otherwise), never from the profile: per grade the weekly lesson
total, the required subjects and their weekly minimums.

Each class's timetable is counted cell by cell: a cell's subject is matched to a plan
subject through the plan's aliases (``体育`` is 体育与健康, ``书法`` counts as 语文,
``物理`` counts as 科学 in grades 7–9); a cell naming no plan subject is a local or
school course, counted towards the weekly total and listed once in the file's notes.
A class whose grid holds no lesson at all (blank, or only ``自习``) is judged too: it
has no lesson of any required subject (the reader tells every grid it read, see
``Document.grids``).  A school that hands in no timetable is not judged (HWK002 covers
publishing one).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from compliance.host.markers import hookimpl
from compliance.inputs.model import Location, Record
from compliance.inputs.reasons import Msg
from compliance.rules.context import SchoolContext
from compliance.rules.curriculum_plan import (
    DEFAULT_PLAN,
    Plan,
    builtin_plan_files,
    load_plan,
    plan_file,
)
from compliance.rules.finding import Finding
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml("curriculum")


def plan_in_force(params: dict[str, Any]) -> Plan:
    """The plan the ``curriculum`` parameter names (a plan file, or a built-in plan's name)."""
    return load_plan(plan_file(str(params.get("curriculum") or DEFAULT_PLAN)))


def class_name(cls: str | None, grade: int, lang: str) -> str:
    if cls is None:
        return f"全校（{grade}年级）" if lang == "zh" else f"the whole school (grade {grade})"
    return f"{cls}班" if lang == "zh" else f"class {cls}"


@pack.check("CUR001", "CUR002", "CUR003")
def full_curriculum(ctx: SchoolContext) -> Iterator[Finding]:
    lessons = list(ctx.records("timetable"))
    grids: list[Any] = [g for doc in ctx.submission.documents_of("timetable") for g in doc.grids]
    if not lessons and not grids:
        return
    plan = plan_in_force(ctx.params("CUR001"))
    by_class: dict[str | None, list[Record]] = {}
    for lesson in lessons:
        by_class.setdefault(lesson["class"], []).append(lesson)
    wheres = {cls: _where(rows) for cls, rows in by_class.items()}
    grades = {cls: rows[0]["grade"] for cls, rows in by_class.items()}
    for seen in grids:
        # a class whose grid holds no lesson (blank, or only 自习) is judged all the same
        if seen.class_ is not None and seen.class_ not in by_class:
            by_class[seen.class_] = []
            wheres[seen.class_], grades[seen.class_] = seen.loc, seen.grade
    if not lessons and not any(seen.class_ is not None for seen in grids):
        # nothing but blank grids of no class: the whole school's timetable, with no lesson
        by_class[None], wheres[None] = [], grids[0].loc
    courses: set[tuple[str, str]] = set()  # (file, name): each listed once per file
    for cls, rows in sorted(by_class.items(), key=lambda item: item[0] or ""):
        where = wheres[cls]
        # a grid with no class is the whole school's: each grade the school teaches
        for grade in [grades[cls]] if cls is not None else (
                ctx.school.grades if ctx.school else []):
            needs = plan.for_grade(grade)
            if needs is None:
                continue
            counted: Counter[str] = Counter()
            for row in rows:
                subject = plan.subject_of(row["subject"], grade)
                if subject is not None:
                    counted[subject] += 1
                elif (row.loc.file, row["subject"]) not in courses:
                    courses.add((row.loc.file, row["subject"]))
                    ctx.note(row.loc, Msg(COURSE_NOTE, name=row["subject"]))
            base = {"class": cls, "grade": grade, "plan": plan.name}
            args = {"class_name": class_name(cls, grade, ctx.lang)}
            for subject in needs.required:
                got, minimum = counted[subject], needs.minimum_of(subject)
                if got == 0:
                    yield ctx.finding("CUR001", where, subject={
                        **base, "subject": subject, "lessons": 0, "minimum": minimum}, **args)
                elif got < minimum:
                    yield ctx.finding("CUR002", where, subject={
                        **base, "subject": subject, "lessons": got, "minimum": minimum}, **args)
            if needs.weekly_max is not None and len(rows) > needs.weekly_max:
                yield ctx.finding("CUR003", where, subject={
                    **base, "lessons": len(rows), "maximum": needs.weekly_max}, **args)


def _where(rows: list[Record]) -> Location:
    """A class's grid: the first one its lessons stand in (its title, else its header row)."""
    first = min(rows, key=lambda r: (r.loc.file, r.loc.sheet or "", r["grid_line"] or 0))
    return Location(first.loc.file, first["grid_line"], None, first.loc.sheet)


#: the note a school course gets in its file's notes (why: assumed)
COURSE_NOTE = {"zh": "{name}：非课程方案科目，按地方或校本课程计入周课时总量",
               "en": "{name}: no subject of the curriculum plan, counted as a local or school course"}


def explain(code: str, params: dict[str, Any], lang: str) -> list[str]:
    """The plan values a CUR rule uses, per grade, with their sources (``compliance explain``)."""
    plan = plan_in_force(params)
    zh = lang == "zh"
    out = [("课程方案" if zh else "Curriculum plan") + f": {plan.name} — {plan.title[lang]}",
           f"  {plan.source}" + (f"  (extends {plan.extends})" if plan.extends else "")]
    lines: list[tuple[int, int, str]] = []  # grades sharing one value are one line
    for grade, needs in sorted(plan.grades.items()):
        if code == "CUR003":
            value = "—" if needs.weekly_max is None else str(needs.weekly_max)
            text = ("周课时上限 " if zh else "weekly total at most ") + value
        elif code == "CUR002":
            text = "、".join(f"{s} ≥{n}" for s, n in needs.minimum.items()) or (
                "（每科每周至少1节）" if zh else "(one lesson a week per subject)")
        else:
            text = "、".join(needs.required)
        if lines and lines[-1][2] == text and lines[-1][1] == grade - 1:
            lines[-1] = (lines[-1][0], grade, text)
        else:
            lines.append((grade, grade, text))
    for lo, hi, text in lines:
        span = str(lo) if lo == hi else f"{lo}–{hi}"
        out.append(f"  {span}{'年级' if zh else ''}: {text}" if zh else f"  grades {span}: {text}")
    minimums = sorted({s for needs in plan.grades.values() for s in needs.minimum},
                      key=plan.subjects.index)
    keys = {"CUR001": ["required"], "CUR002": minimums, "CUR003": ["weekly_max"]}
    sources = list(dict.fromkeys(plan.sources[k] for k in keys.get(code, [])
                                 if k in plan.sources))
    if sources:
        out.append("来源:" if zh else "Sources:")
        out += [f"  {text}" for text in sources]
    aliases = [f"{s} ← {'、'.join(plan.names_of(s)[1:])}" for s in plan.subjects
               if len(plan.names_of(s)) > 1]
    for grade_subject, grades in _grade_aliases(plan).items():
        subject, names = grade_subject
        span = f"{grades[0]}–{grades[-1]}" if len(grades) > 1 else str(grades[0])
        aliases.append(f"{subject} ← {names}" + (f"（{span}年级）" if zh else f" (grades {span})"))
    if aliases:
        out.append("科目别名:" if zh else "Subject names:")
        out += [f"  {line}" for line in aliases]
    return out


def _grade_aliases(plan: Plan) -> dict[tuple[str, str], list[int]]:
    out: dict[tuple[str, str], list[int]] = {}
    for grade, table in sorted(plan.grade_aliases.items()):
        by_subject: dict[str, list[str]] = {}
        for name, subject in table.items():
            by_subject.setdefault(subject, []).append(name)
        for subject, names in by_subject.items():
            out.setdefault((subject, "、".join(names)), []).append(grade)
    return out


pack.explain = explain


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    return [pack]


@hookimpl
def compliance_curricula() -> list[str]:
    return builtin_plan_files()
