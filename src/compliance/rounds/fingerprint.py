"""A finding's fingerprint: a short stable hash of the school, the code and the facts
that make it *this* violation (its identity) — never a line, a file's name or path
beyond the school, the order of rows or the message text.

A rule names its identity in its metadata (``identity: [grade, subject]`` in the
pack's YAML): subject fields, or ``location.file`` (the file's name within the
school, without its extension, so a CSV re-exported as XLSX keeps it) and
``location.column``.  A rule that names none (a plugin's, say) is identified by its
whole subject minus any line or file.  Student ids, names and addresses enter only
as keyed hashes (:mod:`compliance.rounds.key`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
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

    def __init__(self, key: FingerprintKey):
        self.key = key

    def identity(self, meta: RuleMeta, loc: Location, subject: Mapping[str, Any],
                 args: Mapping[str, Any]) -> list[tuple[str, Any]]:
        """The identity as ``(field, value)`` pairs, personal values already keyed.

        :param subject: JSON-ready and *unmasked* (the fingerprint is made before masking).
        """
        fields = identity_fields(meta)
        if fields is None:
            names = sorted(k for k in subject if k not in WHERE)
            pairs = [(k, subject[k]) for k in names]
        else:
            pairs = [(f, self._value(f, loc, subject, args)) for f in fields]
        column = loc.column or args.get("column")
        return [(f, self._keyed(f, v, column)) for f, v in pairs]

    def of(self, meta: RuleMeta, school_id: str | None, loc: Location,
           subject: Mapping[str, Any], args: Mapping[str, Any]) -> str:
        """The fingerprint: 16 hex digits."""
        body = [SCHEME, school_id or "", meta.code, self.identity(meta, loc, subject, args)]
        text = json.dumps(body, ensure_ascii=True, sort_keys=True, separators=(",", ":"),
                          default=str)
        return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]

    @staticmethod
    def _value(name: str, loc: Location, subject: Mapping[str, Any],
               args: Mapping[str, Any]) -> Any:
        if name == "location.file":
            return file_key(loc.file)
        if name == "location.column":
            return loc.column or args.get("column") or None
        if name in subject:
            return subject[name]
        value = args.get(name)
        # message-only values: plain ones only (a rendered reason is language text)
        return value if isinstance(value, str | int | float | bool | list) else None

    def _keyed(self, name: str, value: Any, column: Any) -> Any:
        if value is None or value == "":
            return value
        personal = name in PERSONAL or (name == "value" and column in PERSONAL)
        if not personal:
            return value
        if isinstance(value, list):
            return [self.key.hash(str(v)) for v in value]
        return self.key.hash(str(value))


def default_fingerprint(school_id: str | None, code: str, subject: Mapping[str, Any]) -> str:
    """For a finding made without a rule's metadata (a waiver's own WVR findings): the
    school, the code and the subject as given (already masked) minus line and file."""
    pairs = sorted((k, v) for k, v in subject.items() if k not in WHERE)
    text = json.dumps([SCHEME, school_id or "", code, pairs], ensure_ascii=True,
                      sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("ascii")).hexdigest()[:16]
