"""A finding's fingerprint: a short stable hash of the school, the code and the facts
that make it *this* violation (its identity) — never a line, a file's name or path
beyond the school, the order of rows or the message text.

A rule names its identity in its metadata (``identity: [grade, subject]`` in the
pack's YAML): subject fields, or ``location.file`` (the file's name within the
school, without its extension, so a CSV re-exported as XLSX keeps it) and
``location.column``.  A rule that names none (a plugin's, say) is identified by its
whole subject minus any line or file.  Student ids, names and addresses enter only
as keyed hashes (:mod:`compliance.rounds.key`), and so do the fields a plugin's
document kind declares personal.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from compliance.rounds.key import FingerprintKey

if TYPE_CHECKING:
    from compliance.inputs.model import Location
    from compliance.rules.metadata import RuleMeta

#: bumped if the way fingerprints are made ever changes (old baselines then look new)
SCHEME = 1
#: values that enter a fingerprint only through the key (HMAC)
PERSONAL = frozenset({"student_id", "name", "student_name", "address", "residence_address"})
#: subject fields never part of the default identity (where, not what)
WHERE = frozenset({"line", "lines", "file", "files", "sheet", "row", "rows", "location"})
#: packs whose rules the contract identifies but whose metadata may not say so yet
DEFAULTS: dict[str, list[str]] = {"CUR": ["class", "subject"]}


def file_key(path: str) -> str:
    """A file's name within its school, without the extension (``作息时间表``)."""
    return PurePosixPath(path.replace("\\", "/")).stem


def identity_fields(meta: RuleMeta) -> list[str] | None:
    """The fields ``meta``'s findings are identified by; ``None`` for the default."""
    if meta.identity is not None:
        return meta.identity
    return DEFAULTS.get(meta.code[:3])


class Fingerprinter:
    """Makes fingerprints for one run (one key)."""

    def __init__(self, key: FingerprintKey, personal: Iterable[str] = PERSONAL):
        self.key = key
        #: values that enter only as keyed hashes: the built-in personal fields and
        #: those the run's kinds declare personal
        self.personal = PERSONAL.union(personal)
        self._fields: dict[str, list[str] | None] = {}

    def identity(self, meta: RuleMeta, loc: Location, subject: Mapping[str, Any],
                 args: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """The identity as ``(field, value)`` pairs, personal values already keyed.

        :param subject: JSON-ready and *unmasked* (the fingerprint is made before masking).
        """
        code = meta.code
        if code not in self._fields:
            self._fields[code] = identity_fields(meta)
        fields = self._fields[code]
        if fields is None:
            pairs = [(k, subject[k]) for k in sorted(subject) if k not in WHERE]
        else:
            pairs = [(f, subject[f] if f in subject else _value(f, loc, args)) for f in fields]
        column = loc.column or args.get("column")
        personal = self.personal
        out = []
        for name, value in pairs:
            if value is not None and value != "" and (
                    name in personal or (name == "value" and column in personal)):
                value = ([self.key.hash(str(v)) for v in value] if isinstance(value, list)
                         else self.key.hash(str(value)))
            out.append((name, value))
        return out

    def of(self, meta: RuleMeta, school_id: str | None, loc: Location,
           subject: Mapping[str, Any], args: Mapping[str, Any]) -> str:
        """The fingerprint: 16 hex digits (64 bits of SHA-256)."""
        parts = [str(SCHEME), school_id or "", meta.code]
        for name, value in self.identity(meta, loc, subject, args):
            parts.append(name)
            parts.append(_text(value))
        return _digest(parts)


def _value(name: str, loc: Location, args: Mapping[str, Any]) -> Any:
    """An identity field the subject lacks: a location part, or a plain message value."""
    if name == "location.file":
        return file_key(loc.file)
    if name == "location.column":
        return loc.column or args.get("column") or None
    value = args.get(name)
    # message-only values: plain ones only (a rendered reason is language text)
    return value if isinstance(value, str | int | float | bool | list) else None


def _text(value: Any) -> str:
    """A value as canonical text, its type tagged (``7`` and ``"7"`` differ)."""
    cls = value.__class__
    if cls is str:
        return "s" + str(value)
    if value is None:
        return "n"
    if cls is int or cls is bool or cls is float:
        return cls.__name__[0] + repr(value)
    return "j" + json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def _digest(parts: list[str]) -> str:
    # a unit separator between parts: no field's text holds one in practice
    text = "\x1f".join(parts)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def default_fingerprint(school_id: str | None, code: str, subject: Mapping[str, Any]) -> str:
    """For a finding made without a rule's metadata (a waiver's own WVR findings): the
    school, the code and the subject as given (already masked) minus line and file."""
    parts = [str(SCHEME), school_id or "", code]
    for name in sorted(k for k in subject if k not in WHERE):
        parts.append(name)
        parts.append(_text(subject[name]))
    return _digest(parts)
