"""ENR — catchment-only enrollment (就近入学).

Clauses: LOCAL-CATCHMENT 按照划定的学区招生,不得擅自跨学区招生,不得…举行择优选拔性招生考试;
EDU-LAW-12 免试就近入学; ENROLL-2019 no exam, competition or interview as a basis;
LOCAL-NO-CHOICE 取消择校生; LOCAL-MIGRANT 务工人员子女在居住地所在学区入学,与学区内学生享受同等待遇.

A student's residence zone is ``residence_zone`` when given, else the one zone
``residence_address`` matches in the district's ``zones.yaml``; an address that
matches none or several gives INP006 and the student's catchment is not judged.
Migrant workers' children are judged by residence like everyone else: being a
migrant child is neither an exemption nor a ground for a finding.

Personal data: student ids and names go into ``subject`` under ``student_id`` /
``name`` and into messages only as ``{student_id}``, so the finding factory masks
them (unless ``--show-pii``) before any reporter sees them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from compliance.host.markers import hookimpl
from compliance.inputs.model import Location, Record
from compliance.inputs.reasons import Msg, pair
from compliance.inputs.values import split_list
from compliance.inputs.zones import match_zones
from compliance.rules.context import RunContext, SchoolContext
from compliance.rules.finding import Finding
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml("enrollment")

BASIS_NAMES = {
    "nearby": {"zh": "就近入学", "en": "catchment"},
    "lottery": {"zh": "摇号", "en": "lottery"},
    "assigned": {"zh": "统筹安排", "en": "assignment"},
    "exam": {"zh": "考试", "en": "examination"},
    "interview": {"zh": "面试", "en": "interview"},
    "competition": {"zh": "竞赛", "en": "competition"},
    "school_choice": {"zh": "择校", "en": "school choice"},
}


def _student(entry: Record, **extra: Any) -> dict[str, Any]:
    """A finding's subject: who (masked later by the finding factory) and the facts."""
    return {"student_id": entry["student_id"], "name": entry["name"], "grade": entry["grade"],
            **extra}


def residence_zone(ctx: SchoolContext, entry: Record) -> tuple[str | None, Finding | None]:
    """The student's residence zone, or ``None`` and the INP006 finding explaining why."""
    if entry["residence_zone"]:
        return entry["residence_zone"], None
    address = entry["residence_address"]
    if not address:
        return None, None
    district = ctx.submission.district
    zones = district.all_zones() if district else {}
    codes = match_zones(address, zones)
    if len(codes) == 1:
        return codes[0], None
    if not zones:
        reason = Msg("zone.none_available")
    elif not codes:
        reason = Msg("zone.none")
    else:
        reason = Msg("zone.several", zones=pair("、".join(codes), ", ".join(codes)))
    # A child's home address is personal data too: the finding points at the row,
    # and shows the address itself only when personal data was asked for.
    shown = address if ctx.state.show_pii else None
    return None, ctx.finding("INP006", entry, column="residence_address",
                             subject=_student(entry, address=shown, zones=codes or None),
                             reason=reason)


@pack.check("ENR001", "ENR005")
def catchment(ctx: SchoolContext) -> Iterator[Finding]:
    school = ctx.school
    exempt = {str(c).strip() for c in ctx.params("ENR001").get("exempt_categories") or []}
    for entry in ctx.records("enrollment"):
        zone, problem = residence_zone(ctx, entry)
        if problem is not None:
            yield problem
        if entry["migrant_worker_child"] and not entry["residence_zone"] and not entry[
            "residence_address"
        ]:
            yield ctx.finding("ENR005", entry, column="residence_address",
                              subject=_student(entry, migrant_worker_child=True,
                                               residence_permit=bool(entry["residence_permit"])))
        # A school without declared catchment zones cannot be judged (not guessed).
        if zone is None or school is None or not school.catchment or zone in school.catchment:
            continue
        categories = {str(c).strip() for c in split_list(entry["special_category"] or "")}
        if categories & exempt:
            continue
        column = "residence_zone" if entry["residence_zone"] else "residence_address"
        yield ctx.finding("ENR001", entry, column=column,
                          subject=_student(entry, zone=zone, catchment=school.catchment,
                                           special_category=entry["special_category"]),
                          catchment=("、" if ctx.lang == "zh" else ", ").join(school.catchment))


@pack.check("ENR002", "ENR003")
def selective_admission(ctx: SchoolContext) -> Iterator[Finding]:
    forbidden = set(ctx.params("ENR002").get("forbidden_bases") or [])
    for entry in ctx.records("enrollment"):
        basis = entry["admission_basis"]
        if basis == "school_choice":
            yield ctx.finding("ENR003", entry, column="admission_basis",
                              subject=_student(entry, basis=basis))
        elif basis in forbidden:
            yield ctx.finding("ENR002", entry, column="admission_basis",
                              subject=_student(entry, basis=basis),
                              basis_name=BASIS_NAMES.get(basis, {}).get(ctx.lang, basis))


def admitted(ctx: SchoolContext) -> list[dict[str, Any]]:
    """Per school, what ENR004 needs: every admitted id and where it stands (picklable)."""
    return [
        {"student_id": r["student_id"], "name": r["name"], "school_id": ctx.school_id,
         "file": r.loc.file, "line": r.loc.line, "sheet": r.loc.sheet}
        for r in ctx.records("enrollment") if r["student_id"]
    ]


@pack.across_schools("ENR004", collect=admitted)
def admitted_twice(run: RunContext, parts: list[list[dict[str, Any]]]) -> Iterator[Finding]:
    by_id: dict[str, list[dict[str, Any]]] = {}
    for part in parts:
        for row in part:
            # parse_id already trimmed and upper-cased the id.
            by_id.setdefault(row["student_id"], []).append(row)
    for student_id, rows in sorted(by_id.items()):
        schools = sorted({r["school_id"] for r in rows if r["school_id"]})
        if len(schools) < 2:
            continue
        rows.sort(key=lambda r: (r["school_id"] or "", r["file"], r["line"] or 0))
        first = rows[0]
        where = [str(Location(r["file"], r["line"], None, r["sheet"])) for r in rows]
        yield run.finding(
            "ENR004", Location(first["file"], first["line"], "student_id", first["sheet"]),
            first["school_id"],
            subject={"student_id": student_id, "name": first["name"], "schools": schools,
                     "files": where, "count": len(schools)},
            schools=("、" if run.lang == "zh" else ", ").join(
                f"{s}（{w}）" if run.lang == "zh" else f"{s} ({w})"
                for s, w in zip([r["school_id"] for r in rows], where, strict=True)),
        )


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    return [pack]
