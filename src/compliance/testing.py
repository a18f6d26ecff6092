"""A pytest plugin for rule authors, installed with compliance (entry point ``pytest11``).

It gives the fixture ``compliance_check``, which runs the engine on files or on
inline rows and returns a :class:`CheckResult`::

    def test_exam_on_saturday_is_reported(compliance_check):
        result = compliance_check(
            rows={"schedule": [{"date": "2025-10-18", "start": "08:00", "end": "10:00",
                                "activity": "exam", "grades": "9"}]},
            select=["EXM"],
        )
        assert result.codes == ["EXM001"]
        assert result.findings[0].location.line == 2

Inline ``rows`` map a document kind to a list of dicts; they are written as
``<kind>.csv`` (row ``i`` on line ``i + 2``) into a temporary school folder whose
``school.yaml`` is built from ``school=`` (a default nine-year school when omitted).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from compliance.outputs.report import Report
from compliance.rules.finding import Finding
from compliance.verify import DEFAULT_SCHOOL, run_engine, write_school

__all__ = ["DEFAULT_SCHOOL", "CheckResult", "compliance_check", "run_check"]


@dataclass
class CheckResult:
    """What a check run produced.

    :attr report: the full :class:`~compliance.outputs.report.Report`.
    :attr folder: the school folder written for inline rows (else ``None``).
    """

    report: Report
    folder: Path | None = None

    @property
    def findings(self) -> Sequence[Finding]:
        """All findings, in report order."""
        return self.report.findings

    @property
    def codes(self) -> list[str]:
        """The codes of the findings, in report order (repeats kept)."""
        return [f.code for f in self.report.findings]

    def of(self, code: str) -> list[Finding]:
        """The findings of one code."""
        return [f for f in self.report.findings if f.code == code]

    def lines(self, code: str) -> list[int | None]:
        """The lines the findings of ``code`` point at."""
        return [f.location.line for f in self.of(code)]


def run_check(tmp: Path, *paths: str | Path,
              rows: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
              school: Mapping[str, Any] | None = None, **options: Any) -> CheckResult:
    """Run the engine on ``paths`` and/or inline ``rows`` (written under ``tmp``).

    ``options`` are those of :func:`compliance.verify.run_engine`: ``profile``,
    ``select``, ``ignore``, ``rules``, ``plugins``, ``plugins_dir``, ``lang``,
    ``entry_points``, ``show_pii``.
    """
    targets = [Path(p) for p in paths]
    folder = None
    if rows is not None or school is not None:
        folder = write_school(Path(tmp) / "school", rows, school)
        targets.append(folder)
    if not targets:
        raise ValueError("compliance_check needs paths or rows=")
    return CheckResult(run_engine(targets, **options), folder)


@pytest.fixture
def compliance_check(tmp_path: Path) -> Callable[..., CheckResult]:
    """``compliance_check(*paths, rows=None, school=None, **options) -> CheckResult``."""
    counter = iter(range(1_000_000))

    def check(*paths: str | Path, **kwargs: Any) -> CheckResult:
        # every call gets its own folder, so one test may run several checks
        return run_check(tmp_path / f"run-{next(counter)}", *paths, **kwargs)

    return check
