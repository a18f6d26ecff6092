"""What changed in one round (``GET /api/history/{round}``): its findings new since the
school's previous round, still there (未整改), and fixed (已整改), each with its rule
code, school, file:line and message.

The comparison is the one ``compliance history`` counts with
(:meth:`~compliance.rounds.history.History.rounds`): per school, against that school's
previous round, findings matched by fingerprint and by count (two before and one now:
one still there, one fixed), so each list's total is the count the round's row shows.
A still-there finding is shown where it is now; a fixed one where it was last seen.
Everything comes from the history database, which holds findings masked whatever
``--show-pii`` said (rounds.md), so no child's name or id can be in the answer.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from compliance.rounds.history import History
from compliance.web.refusals import Refusal

STATES = ("new", "still", "fixed")
#: findings per list per answer unless the caller asks for another number
DEFAULT_LIMIT = 50
#: the most a caller may ask for at once (a page of a list, not the whole database)
MAX_LIMIT = 500
#: the text of a finding is cut here: a message is one line, not a document
MAX_MESSAGE = 2000


def paging(state: str | None, offset: str | None, limit: str | None) -> tuple[str | None, int, int]:
    """``(state, offset, limit)`` from the query's text; raises :class:`Refusal` (400)
    naming what would be accepted."""
    if state is not None and state not in STATES:
        raise Refusal("bad_option", name="state", value=state[:40], allowed=", ".join(STATES))
    return state, _number("offset", offset, 0, 0, None), _number("limit", limit, DEFAULT_LIMIT, 1,
                                                                   MAX_LIMIT)


def round_number(text: str) -> int:
    """The round id of the path; raises :class:`Refusal` (400) when it is not one."""
    return _number("round", text, 0, 1, None)


def _number(name: str, text: str | None, default: int, low: int, high: int | None) -> int:
    if text is None or text == "":
        return default
    allowed = f"a whole number from {low}" + (f" to {high}" if high is not None else "")
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise Refusal("bad_option", name=name, value=text[:40], allowed=allowed)
    value = int(text)
    if value < low or (high is not None and value > high):
        raise Refusal("bad_option", name=name, value=text[:40], allowed=allowed)
    return value


def round_changes(db: History, run_id: int, school: str | None, *, state: str | None = None,
                  offset: int = 0, limit: int = DEFAULT_LIMIT) -> dict[str, Any]:
    """The changes of round ``run_id`` for ``school`` (``None``: every school it checked).

    :returns: ``{"school", "round": <the round's row as History.rounds lists it>,
        "compared_with": {school id: previous round id or None}, "lists": {state:
        {"total", "offset", "limit", "items": [...], "more"}}}`` — every state, or only
        ``state`` when one is asked for; ``more`` is how many follow the page.
    :raises Refusal: 404 when the round does not exist or did not check ``school``.
    """
    row = next((r for r in db.rounds(school) if r["round"] == run_id), None)
    if row is None:
        raise Refusal("history_round_unknown", round=run_id)
    lists: dict[str, list[dict[str, Any]]] = {s: [] for s in STATES}
    compared: dict[str, int | None] = {}
    for sid in row["schools"]:
        earlier = [r.run_id for r in db.rounds_of(sid) if r.run_id < run_id]
        previous = earlier[-1] if earlier else None
        compared[sid] = previous
        now = db.findings_of(run_id, sid)
        before = db.findings_of(previous, sid) if previous is not None else []
        new, still, fixed = _matched(now, before)
        lists["new"].extend(_item(f, run_id) for f in new)
        lists["still"].extend(_item(f, run_id) for f in still)
        lists["fixed"].extend(_item(f, previous) for f in fixed if previous is not None)
    shown = [state] if state else list(STATES)
    return {
        "school": school,
        "round": row,
        "compared_with": compared,
        "lists": {s: {"total": len(lists[s]), "offset": offset, "limit": limit,
                      "items": lists[s][offset:offset + limit],
                      "more": max(len(lists[s]) - offset - limit, 0)} for s in shown},
    }


def _matched(now: list[dict[str, Any]], before: list[dict[str, Any]],
             ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """``(new, still, fixed)``: ``now``'s findings matched with ``before``'s by fingerprint
    and count, each list in the order its round recorded it."""
    waiting: dict[str, int] = defaultdict(int)
    for f in before:
        waiting[f["fingerprint"]] += 1
    new: list[dict[str, Any]] = []
    still: list[dict[str, Any]] = []
    for f in now:
        if waiting[f["fingerprint"]] > 0:
            waiting[f["fingerprint"]] -= 1
            still.append(f)
        else:
            new.append(f)
    # the earlier findings left unmatched are the fixed ones (the last of a fingerprint's)
    fixed: list[dict[str, Any]] = []
    for f in reversed(before):
        if waiting[f["fingerprint"]] > 0:
            waiting[f["fingerprint"]] -= 1
            fixed.append(f)
    fixed.reverse()
    return new, still, fixed


def _item(finding: dict[str, Any], run_id: int | None) -> dict[str, Any]:
    """What the page shows of one stored finding (its subject stays in the database)."""
    loc = finding["location"]
    return {"school_id": finding["school_id"], "code": finding["code"],
            "severity": finding["severity"], "file": loc.get("file") or "",
            "line": loc.get("line"), "message": str(finding["message"])[:MAX_MESSAGE],
            "waived": finding["waived"], "fingerprint": finding["fingerprint"], "round": run_id}

