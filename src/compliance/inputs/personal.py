"""Children's personal data: which values are personal, and how they are masked.

Student ids, names and a child's home address are masked in every report and page
unless ``--show-pii`` is given.  A finding's subject and message values are masked
where the finding is made (:meth:`compliance.rules.context.RunState.make_finding`);
what the inputs layer quotes from a file (an unreadable cell, a row passed over as a
note) is masked where it is quoted, with these same helpers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

#: subject and message keys whose values are a child's personal data
PERSONAL_KEYS = frozenset({"student_id", "name", "student_name", "residence_address", "address"})
#: the keys masked as ids (the last four characters kept); any other personal key keeps
#: only its first character, as a name does
ID_KEYS = frozenset({"student_id"})


def mask_name(name: str) -> str:
    """A child's name keeps its first character: 张小明 → 张**."""
    return name[:1] + "*" * max(len(name) - 1, 1) if name else name


def mask_id(value: str) -> str:
    """A student id keeps its last four characters."""
    return "*" * max(len(value) - 4, 0) + value[-4:] if len(value) > 4 else "*" * len(value)


def mask(key: str, value: Any) -> Any:
    """``value`` of the personal field ``key`` masked (a list item by item; ``None`` as is):
    an id keeps its last four characters, a name or an address its first one."""
    if value is None:
        return None
    if isinstance(value, list):
        return [mask(key, v) for v in value]
    return mask_id(str(value)) if key in ID_KEYS else mask_name(str(value))


#: the shortest value of a field looked for inside a text (``mask_known``): a shorter one
#: would tear unrelated words and numbers apart (an id ``12`` in ``12:00``)
SHORTEST = {"student_id": 4}


def findable(key: str, text: str) -> bool:
    """Whether ``text``, a value of the personal field ``key``, is long enough to be
    looked for inside other texts: four characters for an id, two for a name or address."""
    return len(text) >= SHORTEST.get(key, 2)


def mask_known(text: str, known: Sequence[tuple[str, str]]) -> str:
    """``text`` with every ``known`` personal value in it masked; ``known``: ``(value as
    written, its field)`` pairs, longest first (an address holding a name goes whole)."""
    for raw, key in known:
        if raw in text:
            text = text.replace(raw, mask(key, raw))
    return text
