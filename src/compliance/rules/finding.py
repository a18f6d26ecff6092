"""A finding: one thing wrong, where, which clause it breaks, how sure we are."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compliance.inputs.model import Location

SEVERITIES = ("error", "warning", "info")
SEVERITY_RANK = {"error": 3, "warning": 2, "info": 1, "never": 99}


@dataclass(slots=True)
class Finding:
    """One violation (or input problem) found in a submission.

    :param subject: the facts it is about (date, class, grade, masked student id …);
        values are JSON-ready (strings, numbers, lists).
    """

    code: str
    severity: str
    pack: str
    school_id: str | None
    message: str
    location: Location
    subject: dict[str, Any] = field(default_factory=dict)
    citation: str = ""
    waived: bool = False
    waiver: dict[str, Any] | None = None
    #: stable across rounds (see compliance.rounds.fingerprint)
    fingerprint: str = ""
    #: against a baseline: ``new`` or ``unchanged``; ``None`` without one
    baseline: str | None = None
    #: with ``--show-pii``: the subject and message as they are shown without it (what
    #: the rounds history stores); ``None`` when the finding is masked already
    masked: tuple[dict[str, Any], str] | None = field(default=None, compare=False, repr=False)

    def sort_key(self) -> tuple[Any, ...]:
        loc = self.location
        return (
            self.school_id or "\uffff",
            loc.file,
            loc.sheet or "",
            loc.line if loc.line is not None else -1,
            self.code,
            loc.column or "",
            self.message,
        )

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "severity": self.severity,
            "pack": self.pack,
            "school_id": self.school_id,
            "message": self.message,
            "location": self.location.to_dict(),
            "subject": self.subject,
            "citation": self.citation,
            "waived": self.waived,
        }
        if self.waiver is not None:
            out["waiver"] = self.waiver
        out["fingerprint"] = self.fingerprint
        if self.baseline is not None:
            out["baseline"] = self.baseline
        return out
