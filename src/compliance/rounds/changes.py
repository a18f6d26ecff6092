"""What changed in one round of a history: its findings new since each school's
previous round, still there (未整改), and fixed (已整改), each with its rule code,
school, file:line and message — for ``compliance history FILE.db --round N`` and the
web page (``GET /api/history/{round}``).

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

STATES = ("new", "still", "fixed")
#: the text of a finding is cut here: a message is one line, not a document
MAX_MESSAGE = 2000


class UnknownRound(LookupError):
    """The history has no such round, or the round did not check the school asked for."""

    def __init__(self, run_id: int):
        super().__init__(run_id)
        self.run_id = run_id


def round_changes(db: History, run_id: int, school: str | None, *, state: str | None = None,
                  offset: int = 0, limit: int | None = None) -> dict[str, Any]:
    """The changes of round ``run_id`` for ``school`` (``None``: every school it checked).

    :returns: ``{"school", "round": <the round's row as History.rounds lists it>,
        "compared_with": {school id: previous round id or None}, "lists": {state:
        {"total", "offset", "limit", "items": [...], "more"}}}`` — every state, or only
        ``state`` when one is asked for; ``more`` is how many follow the page
        (``limit`` ``None``: every item, ``more`` 0).
    :raises UnknownRound: the round does not exist or did not check ``school``.
    """
    row = next((r for r in db.rounds(school) if r["round"] == run_id), None)
    if row is None:
        raise UnknownRound(run_id)
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
    end = None if limit is None else offset + limit
    return {
        "school": school,
        "round": row,
        "compared_with": compared,
        "lists": {s: {"total": len(lists[s]), "offset": offset, "limit": limit,
                      "items": lists[s][offset:end],
                      "more": 0 if end is None else max(len(lists[s]) - end, 0)} for s in shown},
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
    """What is shown of one stored finding (its subject stays in the database)."""
    loc = finding["location"]
    return {"school_id": finding["school_id"], "code": finding["code"],
            "severity": finding["severity"], "file": loc.get("file") or "",
            "line": loc.get("line"), "message": str(finding["message"])[:MAX_MESSAGE],
            "waived": finding["waived"], "fingerprint": finding["fingerprint"], "round": run_id}



def format_changes(changes: dict[str, Any], lang: str) -> str:
    """A round's changes as lines for a terminal (``compliance history FILE.db --round N``):
    what the round compared with, then the new, still-there and fixed findings, each as
    ``school  file:line  CODE  message``."""
    zh = lang == "zh"
    row = changes["round"]
    before = sorted({r for r in changes["compared_with"].values() if r is not None})
    head = (f"第 {row['round']} 轮（{row['time']}）" if zh else f"round {row['round']} ({row['time']})")
    if before:
        rounds = "、".join(map(str, before)) if zh else ", ".join(map(str, before))
        head += f"，对比第 {rounds} 轮" if zh else f", compared with round {rounds}"
    else:
        head += "，各校的第一轮：全部为新增" if zh else ", each school's first: everything is new"
    lines = [head]
    titles = ({"new": "新增", "still": "未整改", "fixed": "已整改"} if zh else
              {"new": "new", "still": "still there", "fixed": "fixed"})
    for state, part in changes["lists"].items():
        lines.append("")
        lines.append(f"{titles[state]}（{part['total']}）" if zh else f"{titles[state]} ({part['total']})")
        if not part["items"]:
            lines.append("  无。" if zh else "  none.")
        for item in part["items"]:
            where = item["file"] + (f":{item['line']}" if item["line"] is not None else "")
            waived = ("（已豁免）" if zh else " (waived)") if item["waived"] else ""
            lines.append(f"  {item['school_id'] or '-'}  {where}  {item['code']}  "
                         f"{item['message']}{waived}")
    return "\n".join(lines)
