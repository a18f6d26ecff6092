"""``GET /api/history/{round}``: one round's changes
(:func:`compliance.rounds.changes.round_changes`) a page at a time, its query checked
and refused in the user's language."""

from __future__ import annotations

from typing import Any

from compliance.rounds import changes
from compliance.rounds.changes import STATES
from compliance.rounds.history import History
from compliance.web.refusals import Refusal

#: findings per list per answer unless the caller asks for another number
DEFAULT_LIMIT = 50
#: the most a caller may ask for at once (a page of a list, not the whole database)
MAX_LIMIT = 500


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
    """:func:`compliance.rounds.changes.round_changes`, a page of it.

    :raises Refusal: 404 when the round does not exist or did not check ``school``.
    """
    try:
        return changes.round_changes(db, run_id, school, state=state, offset=offset, limit=limit)
    except changes.UnknownRound:
        raise Refusal("history_round_unknown", round=run_id) from None
