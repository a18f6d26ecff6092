"""Input problems (the INP codes) as the inputs layer reports them.

The inputs layer knows what went wrong and where; the engine turns each problem
into a :class:`~compliance.rules.finding.Finding` with the INP pack's messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from compliance.inputs.model import Location
from compliance.inputs.reasons import Msg


@dataclass(slots=True)
class InputProblem:
    """One INP finding-to-be.

    :param code: ``INP001`` … ``INP007``.
    :param reason: what is wrong, shown after the message: a
        :class:`~compliance.inputs.reasons.Msg` (rendered in the report's language) or
        a plain ``str`` (a plugin's own, shown as is in either language).
    :param args: values for the INP message template.
    """

    code: str
    loc: Location
    reason: str | Msg
    school_id: str | None = None
    args: dict[str, Any] = field(default_factory=dict)
    subject: dict[str, Any] = field(default_factory=dict)
