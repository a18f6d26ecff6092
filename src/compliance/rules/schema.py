"""The shape of rule metadata: which keys a pack file, a rule, a clause and a
``{zh, en}`` text may have.

Checked before a pack is built, so a typo (``mesage:``) or a YAML slip — an
unquoted comma inside ``{en: a, b}`` splits the text into a second key — is an
error naming the file and line, never a rule that silently loses half its title.
"""

from __future__ import annotations

import difflib
import string
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from compliance.host.errors import ConfigError
from compliance.inputs.raw import LMap

LANGS = ("zh", "en")

PACK_KEYS = frozenset({"pack", "title", "clauses", "clause_texts", "kinds", "needs_profile",
                       "parameters", "rules", "declarative", "description", "identity"})
# `identity`: the subject fields that say two rounds' findings are the same (rounds)
RULE_KEYS = frozenset({"severity", "title", "message", "clauses", "parameters", "kinds",
                       "needs_profile", "description", "example", "identity"})
# a declarative rule also says what it checks
DECLARATIVE_RULE_KEYS = RULE_KEYS | {"kind", "when", "column", "subject"}
CLAUSE_KEYS = frozenset({"document", "text", "source"})
EXAMPLE_KEYS = frozenset({"violation", "fix"})
TEXT_FIELDS = ("title", "message", "description")


def suggest(word: str, known: Iterable[str]) -> str:
    """`` (did you mean X?)`` when one known word is close to ``word``, else ``""``."""
    close = difflib.get_close_matches(str(word), sorted(known), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _unknown(data: LMap, allowed: frozenset[str], what: str, path: Path) -> None:
    for key in data:
        if key not in allowed:
            raise ConfigError(
                f"{what}: unknown key {key!r}{suggest(key, allowed)}; "
                f"known: {', '.join(sorted(allowed))}",
                str(path), data.line_of(key) or data.line)


def check_text_pair(value: Any, what: str, path: Path, line: int | None) -> None:
    """A ``{zh: …, en: …}`` mapping with both texts and nothing else.

    A second key here is almost always an unquoted comma in a flow mapping:
    the message says so.
    """
    if not isinstance(value, LMap):
        return  # text_pair() reports a missing or one-language text
    for key in value:
        if key not in LANGS:
            hint = (" — a comma inside {…} ends the text: quote it, "
                    "e.g. en: \"a, b\"") if value.get(key) is None else ""
            raise ConfigError(f"{what}: unexpected key {key!r}{hint}; a text has only zh and en",
                              str(path), value.line_of(key) or value.line or line)


def check_clauses(data: LMap, path: Path) -> None:
    """A mapping of clause id → ``{document: {zh, en}, text, source}``."""
    for cid, body in data.items():
        line = data.line_of(cid)
        if isinstance(body, LMap):
            _unknown(body, CLAUSE_KEYS, f"clause {cid}", path)
            check_text_pair(body.get("document"), f"clause {cid} document", path, line)


def check_pack(data: LMap, path: Path, *, declarative: bool = False) -> None:
    """Every key of a pack file known, every text a whole ``{zh, en}`` pair.

    :raises ConfigError: naming the file and the line of the first unknown key.
    """
    _unknown(data, PACK_KEYS, "pack file", path)
    check_text_pair(data.get("title"), "the pack title", path, data.line_of("title"))
    own = data.get("clause_texts")
    if isinstance(own, LMap):
        check_clauses(own, path)
    rules = data.get("rules")
    if not isinstance(rules, LMap):
        return
    allowed = DECLARATIVE_RULE_KEYS if declarative else RULE_KEYS
    for code, spec in rules.items():
        if not isinstance(spec, LMap):
            continue
        _unknown(spec, allowed, f"rule {code}", path)
        for name in TEXT_FIELDS:
            check_text_pair(spec.get(name), f"rule {code} {name}", path, spec.line_of(name))
        example = spec.get("example")
        if isinstance(example, LMap):
            _unknown(example, EXAMPLE_KEYS, f"rule {code} example", path)
            for part, value in example.items():
                check_text_pair(value, f"rule {code} example {part}", path,
                                example.line_of(part))


def placeholders(template: str) -> list[str]:
    """The ``{names}`` a message template fills in, in order."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name]


def check_placeholders(code: str, message: dict[str, str], path: Path,
                       line: int | None) -> None:
    """Both languages of a message fill in the same values: a name only one of them
    uses is a typo (``{latestend}``) the other language would hide."""
    names = {lang: set(placeholders(message[lang])) for lang in LANGS if lang in message}
    if len(names) < 2:
        return
    zh_only, en_only = names["zh"] - names["en"], names["en"] - names["zh"]
    if zh_only or en_only:
        def shown(items: set[str]) -> str:
            return ", ".join(f"{{{n}}}" for n in sorted(items)) or "nothing else"
        raise ConfigError(
            f"rule {code}: the zh message fills {shown(zh_only)} and the en message "
            f"{shown(en_only)}: both languages must fill the same values", str(path), line)
