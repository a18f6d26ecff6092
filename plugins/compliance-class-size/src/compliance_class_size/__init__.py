"""compliance-class-size: class rosters and the class-size rules.

It adds a document kind, ``class_roster`` (files named ``class_roster``, ``班额`` or
``班级人数``; columns ``class``/``班级`` and ``students``/``学生人数``), and the
pack ``class-size``: CLS001 大班额 (56+), CLS002 超大班额 (66+), both errors citing
CLASS-SIZE-2016, and CLS003, a warning above the standard size (45 primary,
50 junior; configurable).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compliance import hookimpl
from compliance.inputs.kinds import DocumentKind, Field
from compliance.inputs.model import level_of_grade
from compliance.inputs.values import parse_class, parse_id, parse_int
from compliance.rules.context import SchoolContext, param_for_grade
from compliance.rules.finding import Finding
from compliance.rules.pack import RulePack

__version__ = "0.1.0"

LEVEL_NAMES = {"primary": {"zh": "小学", "en": "primary"}, "junior": {"zh": "初中", "en": "junior"}}


def _finish(values: dict[str, Any]) -> str | None:
    # the grade is the class's first number: 7-1 -> 7
    values["grade"] = int(values["class"].split("-")[0]) if values.get("class") else None
    return None


CLASS_ROSTER = DocumentKind(
    name="class_roster",
    stems=("班额", "班级人数", "班级名册"),
    title={"zh": "班级人数", "en": "class roster"},
    fields=[
        Field("school_id", parse_id, ("学校代码", "学校编号")),
        Field("class", parse_class, ("班级",), required=True),
        Field("students", parse_int, ("学生人数", "人数"), required=True),
    ],
    finish=_finish,
)

pack = RulePack.from_yaml(Path(__file__).with_name("class-size.yaml"))


@pack.check("CLS001", "CLS002", "CLS003")
def class_size(ctx: SchoolContext) -> Iterator[Finding]:
    large = int(ctx.params("CLS001")["large"])
    huge = int(ctx.params("CLS002")["huge"])
    standard = ctx.params("CLS003")["standard"]
    for row in ctx.records("class_roster"):
        students, grade = row["students"], row["grade"]
        subject = {"class": row["class"], "students": students}
        # the most specific rule only: an oversized class is not also "large"
        if students >= huge:
            yield ctx.finding("CLS002", row, column="students", subject=subject, huge=huge)
        elif students >= large:
            yield ctx.finding("CLS001", row, column="students", subject=subject, large=large)
        elif grade is not None:
            limit = param_for_grade(standard, grade)
            if limit is not None and students > int(limit):
                level = level_of_grade(grade)
                yield ctx.finding("CLS003", row, column="students", subject=subject,
                                  standard=int(limit), level_name=LEVEL_NAMES[level][ctx.lang])


@hookimpl
def compliance_document_kinds() -> list[DocumentKind]:
    return [CLASS_ROSTER]


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    return [pack]
