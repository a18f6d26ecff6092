"""The reporter interface a report-format plugin implements."""

from __future__ import annotations

from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from compliance.outputs.report import Report


@dataclass(frozen=True)
class RenderOptions:
    """How to render: language, colour, terminal width, whether the target is a TTY."""

    lang: str = "en"
    color: bool = False
    width: int | None = None
    terminal: bool = False


@runtime_checkable
class Reporter(Protocol):
    """A report format, contributed through the ``compliance_reporters`` hook.

    :attr name: the ``--format`` value.
    :attr binary: ``True`` when ``render`` writes bytes (XLSX).
    :attr suffix: the usual file suffix, for ``--output`` guessing.
    :attr uses_schedules: optional; ``False`` when ``render`` never reads
        ``report.schedules`` (every school's schedule rows, for a week view), so a run
        that asks only for such formats does not build them.  Absent means ``True``.
    """

    name: str
    binary: bool
    suffix: str

    def render(self, report: Report, out: IO[str] | IO[bytes], options: RenderOptions) -> None:
        """Write ``report`` to ``out``."""
        ...
