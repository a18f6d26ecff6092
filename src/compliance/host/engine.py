"""The engine: load the inputs, run every selected check over every school, and
build the report.  The CLI is a thin shell over this; so is the test harness::

    from compliance.host.engine import Engine, RunOptions
    report = Engine(RunOptions(profile="national-2021")).check(["samples/zhongshan"])
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from compliance.host.config import Config
from compliance.host.errors import UsageError
from compliance.host.interrupts import PLUGIN_FAULTS, RuleTimeout, rule_clock, time_limit
from compliance.host.manager import PluginSet, make_plugin_manager
from compliance.host.outcome import ALWAYS_ON, Outcome, build_report
from compliance.host.profiles import Profiles, Settings
from compliance.host.registry import Registry
from compliance.inputs.calendar_run import (
    read_calendar_files,
    run_calendar,
    settings_calendar_files,
)
from compliance.inputs.loader import Loaded, Loader
from compliance.inputs.model import Location, Submission
from compliance.inputs.periods import plugin_names_in_force
from compliance.inputs.problems import InputProblem
from compliance.inputs.reasons import Msg
from compliance.inputs.shaping import mask_known_in_notes
from compliance.outputs.report import (
    Report,
    Skipped,
    add_rule_notes,
    schedule_rows,
    timetable_rows,
)
from compliance.rules.context import RunState, SchoolContext
from compliance.rules.curriculum_plan import DEFAULT_PLAN, Curricula, Plan
from compliance.rules.finding import Finding
from compliance.rules.pack import Check

DEFAULT_RULE_TIMEOUT = 60.0


@dataclass
class RunOptions:
    """Everything that shapes a run, from the CLI, a settings file, or Python."""

    profile: str = "default"
    select: Sequence[str] = ()
    ignore: Sequence[str] = ()
    packs: Sequence[str] = ()
    lang: str = "en"
    show_pii: bool = False
    school: str | None = None
    modules: Sequence[str] = ()
    plugins_dir: str | None = None
    entry_points: bool = True
    debug: bool = False
    rules: Sequence[str] = ()  # declarative rule files (--rules), see rules/declarative.py
    #: ``--curriculum``: the CUR pack's plan, a plan's name or a YAML file
    curriculum: str | None = None
    config: Config = field(default_factory=Config)
    #: worker processes for many schools; ``None`` = the number of cores
    jobs: int | None = None
    #: ``progress(done, total)`` per school checked (see host/parallel.py)
    progress: Callable[[int, int], None] | None = None
    #: calendar files (``--calendar``) before the settings' ``calendar:``; see inputs/calendar.py
    calendars: Sequence[str] = ()
    #: seconds one check may run on one school before it is stopped as ERR001
    #: (``None`` or 0: no limit); see host/interrupts.py
    rule_timeout: float | None = DEFAULT_RULE_TIMEOUT
    #: build ``Report.schedules`` (the HTML week view); the CLI leaves it off unless a
    #: requested reporter uses it (``Reporter.uses_schedules``)
    schedules: bool = True


def matches(code: str, patterns: Iterable[str]) -> bool:
    return any(code.startswith(p) for p in patterns)


class Engine:
    """One configured engine; :meth:`check` may be called more than once."""

    def __init__(self, options: RunOptions | None = None, plugins: PluginSet | None = None):
        self.options = options or RunOptions()
        opts = self.options
        extra = []
        if opts.rules:
            from compliance.rules.declarative import RuleFiles

            extra.append(RuleFiles(list(opts.rules)))
        self.plugins = plugins or make_plugin_manager(
            modules=opts.modules, plugins_dir=opts.plugins_dir, entry_points=opts.entry_points,
            extra=extra,
        )
        self.registry = Registry.build(self.plugins)
        hook = self.plugins.pm.hook
        files = [f for group in hook.compliance_profiles() for f in group]
        self.profiles = Profiles(files + list(opts.config.paths("profiles")))
        profile = opts.profile
        if profile.endswith((".yaml", ".yml")):
            profile = self.profiles.add_file(Path(profile)).name
        self.settings = Settings(
            profile,
            self.profiles.chain(profile),
            opts.config.get("parameters") or {},
            opts.config.get("severities") or {},
        )
        self.settings.validate(self.registry.rules)
        self.plan = self._curriculum([f for group in hook.compliance_curricula() for f in group])
        self.active = self._active_codes()
        self.calendar_files = [*read_calendar_files(opts.calendars),
                               *settings_calendar_files(opts.config)]
        #: the run's official calendar: its calendar files' years, then the hook
        self._official = run_calendar(self.calendar_files,
                                      self.plugins.pm.hook.compliance_official_calendar)
        from compliance.rounds.fingerprint import Fingerprinter
        from compliance.rounds.key import FingerprintKey

        #: the subject and message keys a finding masks: every kind's personal fields
        self.personal = self.registry.personal_fields
        self.fingerprinter = Fingerprinter(FingerprintKey(opts.config.get("fingerprint_key")),
                                           self.personal)

    def _curriculum(self, files: list[str]) -> Plan:
        """The curriculum plan in force, loaded (and so checked) before anything is read.

        ``--curriculum`` wins, then ``curriculum:`` in the settings file, then the
        last profile of the chain that names one, then the built-in ``national-2022``.
        """
        opts = self.options
        curricula = Curricula(files)
        choice, source, base = opts.curriculum, "--curriculum", None
        if choice is None and opts.config.get("curriculum") is not None:
            choice, source, base = str(opts.config.get("curriculum")), "config", opts.config.base
        for profile in self.settings.chain:  # root first: the most specific profile wins
            if profile.curriculum is not None and (choice is None or source.startswith("profile")):
                choice, source = profile.curriculum, f"profile {profile.name}"
        plan = curricula.load(choice or DEFAULT_PLAN, base)
        if choice is not None:
            # the CUR rules read the plan through their `curriculum` parameter
            self.settings.set_param("curriculum", "curriculum", plan.source, source)
        self.curricula = curricula
        return plan

    # -- selection ---------------------------------------------------------------

    def _active_codes(self) -> set[str]:
        opts = self.options
        codes = set(self.registry.rules)
        for pattern in [*opts.select, *opts.ignore]:
            if not any(c.startswith(pattern) for c in codes):
                raise UsageError(f"--select/--ignore: no rule code starts with {pattern!r}; "
                                 "see `compliance rules`")
        for name in opts.packs:
            if name not in self.registry.packs:
                raise UsageError(f"--pack: unknown pack {name!r}; known packs: "
                                 f"{', '.join(sorted(self.registry.packs))}")
        active = set()
        for code, meta in self.registry.rules.items():
            if code.startswith(ALWAYS_ON):
                active.add(code)
                continue
            if opts.packs and meta.pack not in opts.packs:
                continue
            if opts.select and not matches(code, opts.select):
                continue
            if matches(code, opts.ignore):
                continue
            active.add(code)
        return active

    def _checks(self) -> list[tuple[str, Check]]:
        return [
            (pack.name, check)
            for pack in self.registry.packs.values()
            for check in pack.checks
            if any(code in self.active for code in check.codes)
        ]

    # -- running -----------------------------------------------------------------

    def load(self, paths: Sequence[str]) -> Loaded:
        for given in paths:
            if not os.path.exists(given):
                raise UsageError(f"{given}: no such file or folder")
        loader = Loader(self.registry.kinds, self.registry.readers, self.options.school,
                        origin=self._reader_origin)
        with self.period_names():
            return loader.load(paths)

    def period_names(self) -> AbstractContextManager[None]:
        """This engine's plugin period names in force while the block runs (reading
        happens inside it); another engine's, or none, again after."""
        return plugin_names_in_force(self.registry.period_names)

    def check(self, paths: Sequence[str], progress: Callable[[int, int], None] | None = None,
              ) -> Report:
        """Load ``paths``, evaluate, and return the report (findings sorted).

        Schools are read and checked one at a time, over ``options.jobs`` processes.

        :param progress: called as ``progress(done, total)`` after each school (a
            progress bar); never required.
        """
        from compliance.host.parallel import run_check

        return run_check(self, paths, progress or self.options.progress)

    def check_loaded(self, paths: Sequence[str]) -> Report:
        """The all-in-memory path: load everything, then check (kept for comparison)."""
        with self.period_names():
            return self._check_loaded(paths)

    def _check_loaded(self, paths: Sequence[str]) -> Report:
        progress = self.options.progress
        loaded = self.load(paths)
        state = RunState(self.settings, self.options.lang, self.options.show_pii, self._official,
                         self.fingerprinter, self.personal)
        rules = self.registry.rules
        outcome = Outcome(problems=loaded.problems, files=loaded.files,
                          rows_read=loaded.rows_read, rows_rejected=loaded.rows_rejected,
                          found_above=loaded.found_above)
        checks = self._checks()
        order = sorted(loaded.submissions)
        contexts = []
        for done, school_id in enumerate(order, start=1):
            submission = loaded.submissions[school_id]
            ctx = SchoolContext(submission, rules, state)
            contexts.append(ctx)
            collected: dict[int, list[Any]] = {}
            outcome.findings.extend(self._run_school(ctx, checks, collected, outcome.skipped))
            for index, parts in collected.items():
                outcome.collected.add(index, parts)
            if progress is not None:
                progress(done, len(order))
        outcome.findings.extend(self.run_batch(contexts, state))  # all in memory: one batch
        by_school: dict[str | None, Any] = {k: v for k, v in loaded.submissions.items()}
        add_rule_notes(by_school, loaded.file_notes)
        if not self.options.show_pii:  # a footnote or title naming a pupil
            mask_known_in_notes(loaded.submissions, loaded.file_notes, self.registry.kinds)
        outcome.file_notes = loaded.file_notes
        outcome.schools = {sid: (sub.school.name if sub.school else "")
                           for sid, sub in loaded.submissions.items()}
        if self.options.schedules:
            outcome.schedules = schedule_rows(loaded.submissions)
            outcome.timetables = timetable_rows(by_school)
        outcome.calendar_sources = [ctx.calendar_sources() for ctx in contexts]
        return build_report(self, paths, state, outcome)

    def _run_school(self, ctx: SchoolContext, checks: list[tuple[str, Check]],
                    collected: dict[int, list[Any]], skipped: list[Skipped]) -> list[Finding]:
        with rule_clock():  # one alarm handler for all of the school's rules
            return self._run_checks(ctx, checks, collected, skipped)

    def _run_checks(self, ctx: SchoolContext, checks: list[tuple[str, Check]],
                    collected: dict[int, list[Any]], skipped: list[Skipped]) -> list[Finding]:
        out: list[Finding] = []
        missing: list[str] = []
        for index, (pack, check) in enumerate(checks):
            if ctx.school is None:
                # Without a profile only the rules that need none run (submission.md).
                blind = [c for c in check.codes if self.registry.rules[c].needs_profile]
                missing.extend(c for c in blind if c in self.active)
                if len(blind) == len(check.codes):
                    continue
            if check.scope == "batch":
                continue  # run over the batch the school is in (run_batch)
            if check.scope == "run":
                if check.collect is not None:
                    part = self._guard(pack, check, ctx.school_id,
                                       lambda c=check: [c.collect(ctx)], ctx.state,
                                       findings_only=False)
                    collected.setdefault(index, []).extend(
                        p for p in part if not isinstance(p, Finding))
                    out.extend(p for p in part if isinstance(p, Finding))
                continue
            out.extend(self._guard(pack, check, ctx.school_id, lambda c=check: c.fn(ctx),
                                   ctx.state))
        if missing:
            out = [f for f in out if f.code not in missing]
            skipped.append(Skipped(ctx.school_id or "?", sorted(set(missing)),
                                   Msg("school.skipped").render(ctx.lang)))
        return out

    def batch_checks(self) -> list[tuple[str, Check]]:
        """The selected batch rules (``pack.per_batch``)."""
        return [(pack, check) for pack, check in self._checks() if check.scope == "batch"]

    def run_batch(self, contexts: Sequence[SchoolContext], state: RunState) -> list[Finding]:
        """Every selected batch rule over ``contexts`` (schools without a profile are left
        out of rules that need one, as per school)."""
        from compliance.rules.batch import BatchContext

        out: list[Finding] = []
        for pack, check in self.batch_checks():
            blind = any(self.registry.rules[c].needs_profile for c in check.codes)
            schools = [c for c in contexts if c.school is not None or not blind]
            if not schools:
                continue
            try:
                got = list(check.fn(BatchContext(schools, self.registry.rules, state)) or [])
                for item in got:
                    if not isinstance(item, Finding):
                        raise _NotAFinding(type(item).__name__)
                out.extend(got)
            except Exception as exc:
                # ERR001 for each school of the batch, so the report does not depend on
                # how --jobs happened to group the schools
                for ctx in schools:
                    out.extend(self._guard(pack, check, ctx.school_id, lambda e=exc: _reraise(e),
                                           state))
        return out

    def _guard(self, pack: str, check: Check, school_id: str | None, call: Any,
               state: RunState, findings_only: bool = True) -> list[Any]:
        """Run one check; a check that raises (or yields something that is not a
        finding) becomes an ERR001 finding, and the run goes on."""
        try:
            # SystemExit, KeyboardInterrupt (a real Ctrl-C is Interrupted, see
            # host/interrupts.py) and a rule past its time limit are the rule's fault too
            with time_limit(self.options.rule_timeout):
                out = list(call() or [])
            for item in out if findings_only else ():
                if not isinstance(item, Finding):
                    raise _NotAFinding(type(item).__name__)
            return out
        except (*PLUGIN_FAULTS, RuleTimeout) as exc:  # type: ignore[misc]
            plugin = self.registry.plugin_of("rule pack", pack) or pack
            detail: str | Msg
            if isinstance(exc, _NotAFinding):
                detail = Msg("err.not_a_finding", type=str(exc))
            elif isinstance(exc, RuleTimeout):
                detail = Msg("err.rule_timeout", seconds=f"{exc.seconds:g}")
            else:
                detail = f"{type(exc).__name__}: {exc}"
            if self.options.debug:
                # For developers, on stderr: the report keeps one line per finding.
                traceback.print_exc(file=sys.stderr)
            meta = self.registry.rules["ERR001"]
            where = _culprit_location(exc) or Location(f"<plugin {plugin}>")
            return [state.make_finding(
                meta, where, school_id,
                {"plugin": plugin, "pack": pack, "rule": ",".join(check.codes),
                 "check": check.name},
                {"reason": Msg("err.rule_raised", plugin=plugin, pack=pack,
                               rule="/".join(check.codes), check=check.name, error=detail)},
            )]

    def _reader_origin(self, reader: Any) -> str:
        """The name of the plugin a reader object came from (its module's plugin name)."""
        module = type(reader).__module__
        for name, plugin in self.plugins.pm.list_name_plugin():
            if getattr(plugin, "__name__", None) == module:
                return name
        return module

    def calendar_problems(self) -> list[InputProblem]:
        """What is wrong in the run's calendar files (``--calendar``, ``calendar:``)."""
        return [p for f in self.calendar_files for p in f.problems]

    def _input_finding(self, problem: InputProblem, state: RunState) -> Finding:
        meta = self.registry.rules[problem.code]
        return state.make_finding(meta, problem.loc, problem.school_id, problem.subject,
                                  {"reason": problem.reason, **problem.args})


class _NotAFinding(TypeError):
    """A check yielded something that is not a finding (its type's name)."""


def _reraise(exc: BaseException) -> None:
    raise exc


def _culprit_location(exc: BaseException) -> Location | None:
    tb = exc.__traceback__
    last = None
    while tb is not None:
        last = tb
        tb = tb.tb_next
    if last is None:
        return None
    return Location(last.tb_frame.f_code.co_filename, last.tb_lineno)


__all__ = ["Engine", "RunOptions", "Submission"]
