"""Who may call the API: the ``--tokens`` file and Bearer authentication.

The file maps each token to a school or to the inspector role::

    "k7Qm...32 random characters...": {school: ZS-001}
    "p9Xw...": {role: inspector}

A school token may check only its own school's rows; an inspector token may check
any.  Tokens are stored as SHA-256 digests and compared with
:func:`hmac.compare_digest` against every entry, so neither the comparison nor the
lookup takes a time that depends on how much of a guess was right.  They are never
logged or echoed.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.host.errors import ConfigError

#: shorter tokens are refused when the file is read: a guessable token is no lock
MIN_TOKEN_LENGTH = 16


@dataclass(frozen=True)
class Identity:
    """The caller a token stands for: an inspector, or one school (``school`` its id)."""

    role: str  # "inspector" | "school"
    school: str | None = None

    @property
    def inspector(self) -> bool:
        return self.role == "inspector"


OPEN = Identity("inspector")  # without --tokens, every caller sees everything (loopback use)


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8")).digest()


class Tokens:
    """The tokens of one server; :meth:`identify` answers who an ``Authorization`` header is."""

    def __init__(self, entries: dict[str, Identity]) -> None:
        self._entries = [(_digest(token), who) for token, who in entries.items()]

    def __len__(self) -> int:
        return len(self._entries)

    @classmethod
    def load(cls, path: str | Path) -> Tokens:
        """Read a tokens file; a bad entry raises :class:`ConfigError` naming file and line."""
        from ruamel.yaml import YAML
        from ruamel.yaml.error import YAMLError

        file = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8-sig")
        except OSError as exc:
            raise ConfigError(f"cannot read the tokens file: {exc.strerror}", file) from None
        try:
            data = YAML(typ="rt", pure=True).load(text)
        except YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            raise ConfigError(f"not valid YAML: {getattr(exc, 'problem', exc)}", file,
                              mark.line + 1 if mark else None) from None
        if not isinstance(data, dict) or not data:
            raise ConfigError("write one line per token: TOKEN: {school: ID} or TOKEN: {role: inspector}",
                              file)
        entries: dict[str, Identity] = {}
        for token, value in data.items():
            line = _line(data, token)
            if not isinstance(token, str) or len(token) < MIN_TOKEN_LENGTH:
                raise ConfigError(f"a token must be text of at least {MIN_TOKEN_LENGTH} characters (make "
                                  "one with: python -c \"import secrets; print(secrets.token_urlsafe(24))\")",
                                  file, line)
            entries[token] = _identity(value, file, line)
        return cls(entries)

    def identify(self, authorization: str | None) -> Identity | None:
        """The identity for an ``Authorization: Bearer ...`` header, or ``None`` if it matches no token."""
        if not authorization:
            return None
        scheme, _, given = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not given.strip():
            return None
        digest = _digest(given.strip())
        found: Identity | None = None
        for known, who in self._entries:  # no early exit: every entry is compared
            if hmac.compare_digest(digest, known):
                found = who
        return found


def _identity(value: Any, file: str, line: int | None) -> Identity:
    if isinstance(value, dict) and set(value) == {"school"} and str(value["school"]).strip():
        return Identity("school", str(value["school"]).strip())
    if isinstance(value, dict) and set(value) == {"role"} and value["role"] == "inspector":
        return Identity("inspector")
    raise ConfigError("each token needs exactly one of {school: ID} or {role: inspector}", file, line)


def _line(data: Any, key: Any) -> int | None:
    try:
        return int(data.lc.key(key)[0]) + 1
    except (AttributeError, KeyError, TypeError):
        return None
