"""WBK — supplementary materials (教辅征订).

Clauses: LOCAL-WORKBOOK-G12 在全市小学一、二年级取消教辅材料; LOCAL-WORKBOOK 严禁乱订教辅材料;
COUNTY-REMEDIAL 规范教材教辅用书征订管理; MATERIALS-2015 (purchase is voluntary, only
catalog titles may be bulk-bought).  Only supplementary material (``SUPPLEMENTARY``:
workbook, test_paper, guide) is judged: textbooks and reading lists never trigger WBK.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.host.markers import hookimpl
from compliance.inputs.builtin_kinds import SUPPLEMENTARY
from compliance.inputs.model import Record
from compliance.rules.context import SchoolContext
from compliance.rules.finding import Finding
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml("workbooks")

TYPE_NAMES = {
    "workbook": {"zh": "练习册", "en": "workbook"},
    "test_paper": {"zh": "试卷", "en": "test paper"},
    "guide": {"zh": "教辅", "en": "study guide"},
}


def supplementary(ctx: SchoolContext) -> Iterator[Record]:
    """The school's orders of supplementary material, in file order."""
    return (r for r in ctx.records("materials") if r["type"] in SUPPLEMENTARY)


def _subject(entry: Record) -> dict[str, Any]:
    return {"grade": entry["grade"], "subject": entry["subject"], "title": entry["title"],
            "type": entry["type"], "catalog_id": entry["catalog_id"]}


def _args(ctx: SchoolContext, entry: Record) -> dict[str, str]:
    return {"type_name": TYPE_NAMES[entry["type"]][ctx.lang]}


@pack.check("WBK001")
def banned_grade(ctx: SchoolContext) -> Iterator[Finding]:
    banned = {int(g) for g in ctx.params("WBK001").get("banned_grades") or []}
    for entry in supplementary(ctx):
        if entry["grade"] in banned:
            yield ctx.finding("WBK001", entry, column="grade", subject=_subject(entry),
                              **_args(ctx, entry))


@pack.check("WBK002")
def compulsory_purchase(ctx: SchoolContext) -> Iterator[Finding]:
    for entry in supplementary(ctx):
        if entry["compulsory_purchase"]:
            yield ctx.finding("WBK002", entry, column="compulsory_purchase",
                              subject=_subject(entry), **_args(ctx, entry))


@pack.check("WBK003")
def outside_catalog(ctx: SchoolContext) -> Iterator[Finding]:
    for entry in supplementary(ctx):
        if not (entry["catalog_id"] or "").strip():
            yield ctx.finding("WBK003", entry, column="catalog_id", subject=_subject(entry),
                              **_args(ctx, entry))


@pack.check("WBK004")
def too_many_titles(ctx: SchoolContext) -> Iterator[Finding]:
    limit = ctx.params("WBK004").get("max_per_subject")
    if limit is None:
        return
    groups: dict[tuple[int, str], list[Record]] = {}
    for entry in supplementary(ctx):
        groups.setdefault((entry["grade"], entry["subject"]), []).append(entry)
    for (grade, subject), rows in groups.items():
        # The same title ordered twice (e.g. two files) is one title, not two.
        titles = list(dict.fromkeys(r["title"] for r in rows))
        if len(titles) > int(limit):
            sep = "、" if ctx.lang == "zh" else "; "
            yield ctx.finding(
                "WBK004", rows[0], column="title",
                subject={"grade": grade, "subject": subject, "count": len(titles),
                         "limit": int(limit), "titles": titles},
                titles=sep.join(f"《{t}》" if ctx.lang == "zh" else f'"{t}"' for t in titles),
            )


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    return [pack]
