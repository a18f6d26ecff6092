"""One call that turns a checked report into a report of its round: fingerprints
completed, the run's evidence attached, compared with a baseline (a file, or the
previous round in the history), recorded in the history, ``--new-only`` applied.

The CLI and the web page both call :func:`apply_rounds` after the check and the
waivers, so neither holds logic the other lacks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from compliance.host.errors import UsageError
from compliance.outputs.report import Report
from compliance.outputs.spilled import rewrite
from compliance.rounds import baseline as baselines
from compliance.rounds.evidence import file_entry, input_files, run_record
from compliance.rounds.fingerprint import default_fingerprint
from compliance.rules.finding import Finding


@dataclass
class RoundOptions:
    """What shapes a round: ``--baseline``, ``--history``, ``--new-only``.

    :param evidence: attach the run's evidence (file hashes cost a read of every
        input); the JSON, SARIF and HTML reports and the history need it.
    """

    baseline: str | None = None
    history: str | None = None
    new_only: bool = False
    evidence: bool = True
    waivers: str | None = None


def apply_rounds(report: Report, engine: Any, paths: Sequence[str],
                 options: RoundOptions) -> Report:
    """Complete ``report`` for its round, in place; returns it.

    :raises UsageError: a bad baseline file, ``--new-only`` with nothing to compare
        with, a history database that cannot be used or was made with another key.
    """
    if options.new_only and not (options.baseline or options.history):
        raise UsageError("--new-only needs --baseline REPORT.json or --history FILE.db "
                         "to tell which findings are new")
    if not all(f.fingerprint for f in report.findings):
        report.findings = rewrite(report.findings, _fingerprinted)
    previous = baselines.load_baseline(options.baseline) if options.baseline else None
    if options.evidence or options.history:
        config = engine.options.config.source
        extra = {k: v for k, v in (("settings", file_entry(config)),
                                   ("school", file_entry(engine.options.school)),
                                   ("baseline", file_entry(options.baseline)),
                                   ("waivers", file_entry(options.waivers))) if v}
        plan = getattr(engine, "plan", None)  # the CUR pack's curriculum plan in force
        report.evidence = {"run": run_record(engine, calendar=report.calendar_sources,
                                             curriculum=plan.name if plan else None,
                                             extra=extra),
                           "files": input_files(paths)}
    if options.history:
        from compliance.rounds.history import History

        key_id = engine.fingerprinter.key.id
        with History(options.history) as history:
            history.check_key(key_id)
            if previous is None:
                previous = history.previous(report.schools)
            baselines.compare(report, previous)
            history.record(report, key_id, pii_shown=engine.options.show_pii)
            report.trend = history.trend(report.schools)
    elif previous is not None:
        baselines.compare(report, previous)
    if options.new_only:
        baselines.only_new(report)
    return report


def _fingerprinted(finding: Finding) -> Finding:
    if not finding.fingerprint:  # made outside a rule's context (a plugin's own)
        finding.fingerprint = default_fingerprint(finding.school_id, finding.code,
                                                  finding.subject)
    return finding
