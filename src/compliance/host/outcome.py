"""From what a run produced to its :class:`~compliance.outputs.report.Report`.

Both ways of checking — school by school (:func:`compliance.host.parallel.run_check`,
what ``Engine.check`` does) and all in memory (``Engine.check_loaded``) — gather an
:class:`Outcome` and hand it to :func:`build_report`, which runs the run-wide checks,
keeps the selected rules' findings and fills in the report.  What the report holds
is decided here once, so the two ways cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from compliance import __version__
from compliance.inputs.calendar_run import calendar_evidence
from compliance.inputs.problems import InputProblem
from compliance.inputs.safety import shown
from compliance.inputs.shaping import revealed
from compliance.outputs.report import Report, Skipped, rule_clauses, run_time
from compliance.outputs.spilled import FindingRuns
from compliance.rules.context import RunContext, RunState
from compliance.rules.finding import Finding

if TYPE_CHECKING:
    from compliance.host.engine import Engine

#: rule code prefixes whose findings are kept whatever ``--select``/``--ignore`` say
ALWAYS_ON = ("INP", "ERR")


@dataclass
class Outcome:
    """What a run produced before its run-wide checks: every school read and checked.

    :param problems: the run's own input problems (the walk's: a bad ``school.yaml``,
        an unreadable file); the calendar files' are added by :func:`build_report`.
    :param findings: the schools' findings: their input problems, per-school and batch
        rules (held in memory, or past a limit written out as sorted runs).
    :param collected: per run-wide check (by its index in ``Engine._checks()``), what
        its ``collect`` gave for each school, in school-id order.
    :param schools: school id -> name; the empty id (rows naming no school) is left out.
    :param file_notes: path -> :class:`~compliance.inputs.shaping.FileNotes`, rows in
        them masked as read (shown as written only with ``show_pii``).
    :param calendar_sources: each school's ``{year: CalendarSource}``.
    """

    problems: list[InputProblem] = field(default_factory=list)
    findings: FindingRuns = field(default_factory=FindingRuns)
    skipped: list[Skipped] = field(default_factory=list)
    collected: dict[int, list[Any]] = field(default_factory=dict)
    schools: Mapping[str, str] = field(default_factory=dict)
    files: int = 0
    rows_read: int = 0
    rows_rejected: int = 0
    file_notes: dict[str, Any] = field(default_factory=dict)
    schedules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    timetables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    calendar_sources: Iterable[Mapping[int, Any]] = ()
    found_above: list[str] = field(default_factory=list)


def selected(engine: Engine) -> Callable[[Finding], bool]:
    """Whether a finding is kept in the report: its rule was selected, or it is an
    INP/ERR one."""
    active = engine.active
    return lambda f: f.code in active or f.code.startswith(ALWAYS_ON)


def build_report(engine: Engine, paths: Sequence[str], state: RunState,
                 outcome: Outcome) -> Report:
    """The run's report: ``outcome`` with the run-wide checks' findings, only the
    selected rules' findings (and every INP/ERR one) kept, sorted."""
    opts = engine.options
    rules = engine.registry.rules
    first = [engine._input_finding(p, state)
             for p in [*engine.calendar_problems(), *outcome.problems]]
    outcome.findings.flush()  # the schools' findings out of memory, if a city's
    run = RunContext(rules, state)
    last: list[Finding] = []
    for index, (pack, check) in enumerate(engine._checks()):
        if check.scope == "run":
            last.extend(engine._guard(pack, check, None, lambda c=check, i=index:
                                      c.fn(run, outcome.collected.get(i, [])), state))
    active = engine.active
    findings = outcome.findings.finish(first, last, selected(engine))
    return Report(
        tool={"name": "compliance", "version": __version__},
        profile=engine.settings.profile,
        lang=opts.lang,
        findings=findings,
        schools={sid: name for sid, name in outcome.schools.items() if sid},
        files=outcome.files,
        skipped=outcome.skipped,
        rows_read=outcome.rows_read,
        rows_rejected=outcome.rows_rejected,
        titles={code: meta.title for code, meta in rules.items()},
        schedules=outcome.schedules if opts.schedules else {},
        checked=sorted(active),
        timetables=outcome.timetables if opts.schedules else {},
        # rows quoted in notes are masked as read; shown as written only when asked
        file_notes=revealed(outcome.file_notes) if opts.show_pii else outcome.file_notes,
        calendar_sources=calendar_evidence(outcome.calendar_sources),
        found_above=outcome.found_above,
        clauses=rule_clauses(rules, opts.lang),
        generated_at=run_time(),
        inputs=[shown(p) for p in paths],
    )
