"""Today's per-record HRS001/HRS002/HRS004, kept as the test oracle of the column-wise
checks in ``compliance.rules.packs.working_hours`` (``tests/test_vectorised_rules.py``).

Not registered anywhere: a test swaps these in for the built-in checks and compares
the JSON reports byte for byte.
"""

from __future__ import annotations

from collections.abc import Iterator

from compliance.rules.context import SchoolContext
from compliance.rules.finding import Finding
from compliance.rules.packs.working_hours import _applies, _grades_text, _limit, _subject, when


def outside_eight_to_five(ctx: SchoolContext) -> Iterator[Finding]:
    early, late = _applies(ctx, "HRS001"), _applies(ctx, "HRS002")
    if not (early or late):
        return
    first = ctx.params("HRS001").get("earliest_start")
    last = ctx.params("HRS002").get("latest_end")
    for entry in ctx.records("schedule"):
        if not entry["compulsory"]:
            continue
        args = {"activity_name": ctx.label("activity", entry["activity"]), "when": when(ctx, entry)}
        if early and (hit := _limit(ctx, entry, first, later=False)):
            yield ctx.finding("HRS001", entry, column="start",
                              subject=_subject(ctx, entry, limit=hit[0]), **args)
        if late and (hit := _limit(ctx, entry, last, later=True)):
            yield ctx.finding("HRS002", entry, column="end",
                              subject=_subject(ctx, entry, limit=hit[0]), **args)


def lesson_too_early(ctx: SchoolContext) -> Iterator[Finding]:
    if not _applies(ctx, "HRS004"):
        return
    value = ctx.params("HRS004").get("earliest_lesson")
    if value is None:
        return
    for entry in ctx.records("schedule"):
        if entry["activity"] != "lesson":
            continue
        hit = _limit(ctx, entry, value, later=False)
        if hit is None:
            continue
        limit, grades = hit
        grade_text = _grades_text(ctx, grades)
        yield ctx.finding("HRS004", entry, column="start",
                          subject=_subject(ctx, entry, limit=limit, grades=grades),
                          when=when(ctx, entry), grade_text=grade_text)


#: check name in the pack -> its oracle
ORACLES = {"outside_eight_to_five": outside_eight_to_five, "lesson_too_early": lesson_too_early}
