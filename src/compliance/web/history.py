"""The history a caller of the page may see (``GET /api/history``, with ``--history``).

Who sees what follows the tokens: a school token sees only its own school's rounds
(asking for another school is refused with 403); an inspector token, or anyone
when the server runs without tokens (on loopback), sees any school's, or every
round when no school is named.  The rounds are those ``compliance history FILE.db
--format json`` lists (:meth:`~compliance.rounds.history.History.rounds`): counts
only.  One round's findings — new, still there, fixed — come from
``GET /api/history/{round}`` (:func:`round_for`), under the same rules; the database
holds them masked, so nothing personal can be in either answer.
"""

from __future__ import annotations

from typing import Any

from compliance.host.errors import UsageError
from compliance.web.refusals import Refusal
from compliance.web.tokens import Identity

#: a school id longer than this is no school id (and is not echoed back in full)
MAX_SCHOOL_ID = 64


def school_asked(who: Identity, asked: str | None) -> str | None:
    """The school whose rounds ``who`` gets for ``?school=asked`` (``None``: every round);
    raises :class:`Refusal` (403) when a school token asks for another school."""
    if asked is not None:
        asked = asked.strip()
        if not asked or len(asked) > MAX_SCHOOL_ID or not asked.isprintable():
            raise Refusal("bad_option", name="school", value=asked[:40],
                          allowed="a school id, e.g. ZS-001")
    if who.inspector:
        return asked
    if asked is not None and asked != who.school:
        raise Refusal("history_other_school", own=who.school, asked=asked)
    return who.school


def rounds_for(database: str, who: Identity, asked: str | None) -> dict[str, Any]:
    """``{"school": ID or None, "rounds": [...]}``: the rounds ``who`` may see, oldest
    first (blocking: the server calls it in a thread)."""
    from compliance.rounds.history import History

    school = school_asked(who, asked)
    try:
        with History(database, create=False, timeout=5.0) as db:
            rounds = db.rounds(school)
    except UsageError as exc:
        # the database's path is the server's business, not the caller's
        reason = str(exc).removeprefix(f"{database}: ")
        raise Refusal("history_failed", reason=reason[:200]) from None
    return {"school": school, "rounds": rounds}


def round_for(database: str, who: Identity, asked: str | None, run: str,
              state: str | None, offset: str | None, limit: str | None) -> dict[str, Any]:
    """What changed in round ``run`` for the school(s) ``who`` may see (see
    :func:`compliance.web.round_changes.round_changes`; blocking: called in a thread).
    A round that checked none of them is 404, exactly like a round that does not exist."""
    from compliance.rounds.history import History
    from compliance.web.round_changes import paging, round_changes, round_number

    school = school_asked(who, asked)
    run_id = round_number(run)
    shown, first, count = paging(state, offset, limit)
    try:
        with History(database, create=False, timeout=5.0) as db:
            return round_changes(db, run_id, school, state=shown, offset=first, limit=count)
    except UsageError as exc:
        reason = str(exc).removeprefix(f"{database}: ")
        raise Refusal("history_failed", reason=reason[:200]) from None
