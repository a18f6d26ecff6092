"""Checking many schools: one school at a time, optionally over worker processes.

The parent walks the paths and plans each school (profiles, district zones and
calendars, which files belong to it; a multi-school table is split into one spill
file per school).  Each school is then read, checked and dropped on its own — in
the parent with ``--jobs 1``, else in a pool of worker processes — so memory grows
with the largest school, not with the number of schools.

Run-wide checks (``pack.across_schools(..., collect=fn)``) ``collect`` in whichever
process checks the school; the parts travel back pickled (they must pickle), the
parent keeps them so (on disk past a limit: :class:`~compliance.host.outcome.Collected`)
and ``finish`` runs once in the parent, over the parts in school-id order.  Results
are merged in school-id order too, so the report is byte-identical for any
``--jobs``.  A worker that dies (a crash, not an exception) costs only its school:
that school is retried alone and, if it kills its worker again, reported as ERR001.
"""

from __future__ import annotations

import collections
import contextlib
import dataclasses
import gc
import itertools
import multiprocessing
import os
import pickle
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Generator, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, cast

from compliance.host.errors import UsageError
from compliance.host.interrupts import PLUGIN_FAULTS, stop_on_signals, worker_signals
from compliance.host.outcome import Collected, Outcome, build_report, collect_limit, selected
from compliance.inputs import batch_read, columnar
from compliance.inputs.batch_read import Prefetched
from compliance.inputs.loader import Loaded, Loader, SchoolPlan, materialise
from compliance.inputs.model import Location, School
from compliance.inputs.reasons import Msg
from compliance.inputs.shaping import (
    found_in,
    known_personal_values,
    longest_first,
    mask_known_in_notes,
)
from compliance.outputs.report import (
    Report,
    Skipped,
    add_rule_notes,
    schedule_rows,
    timetable_rows,
)
from compliance.outputs.spilled import FindingRuns, spill_limit
from compliance.rules.context import RunState, SchoolContext
from compliance.rules.finding import Finding

if TYPE_CHECKING:
    from compliance.host.engine import Engine, RunOptions

#: ``progress(done, total)`` after each school; ``done == total`` at the end.
Progress = Callable[[int, int], None]

#: below this many schools a pool costs more (≈ 50 ms to start) than it saves
MIN_SCHOOLS_FOR_POOL = 8


@dataclass
class SchoolResult:
    """What checking one school gives back to the parent (it pickles)."""

    school_id: str
    name: str = ""
    findings: list[Finding] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    collected: dict[int, list[Any]] = field(default_factory=dict)
    #: the parts in ``collected`` are pickled (bytes): a worker's, kept so by the parent
    pickled: bool = False
    files: int = 0
    rows_read: int = 0
    rows_rejected: int = 0
    schedules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # HTML week view
    timetables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # HTML week view
    file_notes: dict[str, Any] = field(default_factory=dict)  # titles, rows passed over
    calendar_sources: dict[int, Any] = field(default_factory=dict)  # year -> CalendarSource
    #: by file read while planning, this school's pupils its title and notes name
    named: dict[str, dict[str, str]] = field(default_factory=dict)


def default_jobs() -> int:
    """The number of cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def run_state(engine: Engine) -> RunState:
    opts = engine.options
    return RunState(engine.settings, opts.lang, opts.show_pii, engine._official,
                    engine.fingerprinter, engine.personal)


def check_school(engine: Engine, plan: SchoolPlan, state: RunState,
                 keep: list[tuple[SchoolContext, SchoolResult]] | None = None,
                 prefetched: Prefetched | None = None) -> SchoolResult:
    """Read one planned school, run every selected check on it, and drop it (or, for the
    batch rules, add it to ``keep``).  ``prefetched``: files of its batch already read."""
    result = SchoolResult(plan.school_id, plan.school.name if plan.school else "")
    try:
        got = materialise(plan, engine.registry.kinds, engine.registry.readers, engine._reader_origin,
                          prefetched.splits if prefetched else None,
                          prefetched.ahead.pop(plan.school_id, None) if prefetched else None)
    except PLUGIN_FAULTS as exc:  # a reader defect: this school is incomplete, the run goes on
        result.findings.append(crash_finding(engine, state, plan.school_id,
                                             Msg("err.reading_raised",
                                                 error=f"{type(exc).__name__}: {exc}"),
                                             traceback.format_exc()))
        return result
    result.files, result.rows_read, result.rows_rejected = got.files, got.rows_read, got.rows_rejected
    result.file_notes = got.file_notes
    result.findings.extend(engine._input_finding(p, state) for p in got.problems)
    if not plan.school_id and not got.submission.documents:
        return result  # only rows naming no school, each already an INP finding
    if engine.options.schedules:
        result.schedules = schedule_rows({plan.school_id: got.submission})
    ctx = SchoolContext(got.submission, engine.registry.rules, state)
    result.findings.extend(engine._run_school(ctx, engine._checks(), result.collected,
                                              result.skipped))
    # after the checks: a rule may have added an assumption to a file's notes
    if engine.options.schedules:
        result.timetables = timetable_rows({plan.school_id: got.submission})
    add_rule_notes({plan.school_id: got.submission}, result.file_notes)
    if not engine.options.show_pii:  # a footnote or title naming a pupil
        mask_known_in_notes({plan.school_id: got.submission}, result.file_notes,
                            engine.registry.kinds)
        shared = {f: texts for f, texts in plan.note_texts.items()
                  if any(doc.loc.file == f for doc in got.submission.documents)}
        if shared:  # a district list's notes: the parent masks them with every school's
            known = known_personal_values(got.submission.documents, engine.registry.kinds)
            result.named = {f: found for f, texts in shared.items()
                            if (found := found_in(texts, known))}
    result.calendar_sources = ctx.calendar_sources()
    if keep is not None:
        keep.append((ctx, result))
    return result


def check_in_batches(engine: Engine, plans: Iterator[SchoolPlan], state: RunState,
                     tick: Callable[[], None] = lambda: None) -> Iterator[SchoolResult]:
    """Schools one after another, each result given as soon as it is complete; with
    batch rules selected, each run of :data:`~compliance.rules.batch.BATCH_SCHOOLS`
    schools is kept until the batch rules have seen it, then given and dropped."""
    from compliance.rules.batch import BATCH_SCHOOLS

    batching = bool(engine.batch_checks())
    done: list[SchoolResult] = []
    held: list[tuple[SchoolContext, SchoolResult]] = []
    for plan, prefetched in _read_ahead(engine, plans):
        done.append(check_school(engine, plan, state, held if batching else None, prefetched))
        tick()
        if len(held) >= BATCH_SCHOOLS:
            finish_batch(engine, held, state)
        if not held:
            yield from done
            done.clear()
    if held:
        finish_batch(engine, held, state)
    yield from done


def _read_ahead(engine: Engine, plans: Iterator[SchoolPlan],
                ) -> Iterator[tuple[SchoolPlan, Prefetched | None]]:
    """``plans`` in order, each with the small files of its batch of
    :data:`~compliance.inputs.batch_read.READ_BATCH` schools normalised together."""
    if not batch_read.enabled():
        yield from ((plan, None) for plan in plans)
        return
    while batch := list(itertools.islice(plans, batch_read.READ_BATCH)):
        kinds, readers = engine.registry.kinds, engine.registry.readers
        prefetched = batch_read.prefetch(batch, kinds, readers, engine._reader_origin)
        for plan in batch:
            yield plan, prefetched
        del batch, prefetched


def finish_batch(engine: Engine, held: list[tuple[SchoolContext, SchoolResult]],
                 state: RunState) -> None:
    """The batch rules over the ``held`` schools; each finding goes to its school's result."""
    by_school = {ctx.school_id: result for ctx, result in held}
    for finding in engine.run_batch([ctx for ctx, _ in held], state):
        by_school.get(cast(str, finding.school_id), held[0][1]).findings.append(finding)
    for ctx, result in held:  # batch rules may have asked the calendar about more years
        result.calendar_sources = ctx.calendar_sources()
    held.clear()


def crash_finding(engine: Engine, state: RunState, school_id: str, reason: Msg,
                  trace: str | None = None) -> Finding:
    """ERR001 for a school whose checking could not finish."""
    if engine.options.debug and trace:
        reason = Msg("err.with_trace", reason=reason, trace=trace)
    meta = engine.registry.rules["ERR001"]
    return state.make_finding(meta, Location("<worker>"), school_id or None,
                              {"check": "school"}, {"reason": reason})


# -- worker processes ----------------------------------------------------------

_WORKER: dict[str, Any] = {}


def _init_worker(options: RunOptions | None, plans: dict[str, SchoolPlan] | None,
                 parent: int | None = None) -> None:
    """Pool initializer: a forked worker inherits the parent's engine; a spawned one builds it."""
    worker_signals(parent)
    if options is not None:
        from compliance.host.engine import Engine

        _WORKER["engine"] = Engine(options)
        _WORKER["plans"] = plans
    _WORKER["state"] = run_state(_WORKER["engine"])


def _work(school_ids: list[str]) -> list[SchoolResult]:
    plans, engine = _WORKER["plans"], _WORKER["engine"]
    with engine.period_names():  # the engine's own, whatever the worker's context holds
        results = list(check_in_batches(engine, (plans[sid] for sid in school_ids),
                                        _WORKER["state"]))
    for result in results:  # the parent keeps them pickled, or writes them out as they are
        result.collected = {index: [pickle.dumps(part, pickle.HIGHEST_PROTOCOL) for part in parts]
                            for index, parts in result.collected.items()}
        result.pickled = True
    return results


#: schools per task: enough tasks per worker to balance the load, few enough that the
#: parent's one thread feeding tasks and unpickling results never leaves a worker idle
TASKS_PER_WORKER = 8


def _pool(engine: Engine, plans: dict[str, SchoolPlan], workers: int) -> ProcessPoolExecutor:
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods:
        # forked workers share the parent's plugins and plans: nothing to pickle up front;
        # and pyarrow, imported and set up once here (the main process needs it for the
        # run-wide checks anyway) rather than once in every worker
        columnar.available()
        _WORKER.update(engine=engine, plans=plans)
        return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_init_worker, initargs=(None, None, os.getpid()))
    # spawned workers (macOS, Windows) rebuild the engine from the options: plugins
    # given as objects through the Python API (``extra=``) are not seen there
    options = dataclasses.replace(engine.options, progress=None)
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                               initializer=_init_worker, initargs=(options, plans, os.getpid()))


def _in_pool(engine: Engine, plans: dict[str, SchoolPlan], ids: list[str], workers: int,
             tick: Callable[[], None]) -> Generator[tuple[str, SchoolResult | None]]:
    """Check ``ids`` over ``workers`` processes, each school's result in the order of
    ``ids`` as it comes back; ``None`` for a school whose worker died."""
    size = max(1, -(-len(ids) // (workers * TASKS_PER_WORKER)))
    batches = [ids[i:i + size] for i in range(0, len(ids), size)]
    pool = _pool(engine, plans, workers)
    try:
        # taken in order and let go once read: the parent holds no result it has given
        futures: collections.deque[tuple[Future[list[SchoolResult]], list[str]]] = \
            collections.deque((pool.submit(_work, batch), batch) for batch in batches)
        while futures:
            future, batch = futures.popleft()
            try:
                got: list[SchoolResult | None] = list(future.result())
            except BrokenProcessPool:
                got = [None] * len(batch)
            del future
            for sid, result in zip(batch, got, strict=True):
                tick()
                yield sid, result
            del got
    except BaseException:
        # Ctrl-C, SIGTERM: a worker may be stuck in a plugin; waiting for it (what
        # shutdown does) could take forever, so every worker is killed first.
        _kill(pool)
        raise
    else:
        pool.shutdown(wait=True)
    finally:
        _WORKER.clear()  # the parent keeps no reference to the run's plans


def _kill(pool: ProcessPoolExecutor) -> None:
    """End a pool now: its workers killed, its queued tasks dropped."""
    # the executor offers no way to stop a running task; its process table is the only
    # handle on the workers (a private attribute, stable since Python 3.2)
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.kill()
    for process in list((getattr(pool, "_processes", None) or {}).values()):
        with contextlib.suppress(Exception):
            process.join(1)
    pool.shutdown(wait=False, cancel_futures=True)


def check_schools(engine: Engine, plans: dict[str, SchoolPlan], jobs: int,
                  take: Callable[[SchoolResult], None],
                  progress: Progress | None = None) -> None:
    """Every planned school checked; ``take`` is given each result in school-id order as
    soon as it and every earlier one are back (the parent keeps none itself)."""
    ids = sorted(plans)
    done = 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(min(done, len(ids)), len(ids))

    workers = min(jobs, len(ids))
    if workers <= 1 or len(ids) < MIN_SCHOOLS_FOR_POOL:
        state = run_state(engine)
        for one in check_in_batches(engine, (plans.pop(sid) for sid in ids), state, tick):
            take(one)
        return
    # after a school whose worker died, results wait until it has been retried
    waiting: list[tuple[str, SchoolResult | None]] = []
    with contextlib.closing(_in_pool(engine, plans, ids, workers, tick)) as back:
        for sid, back_result in back:
            if back_result is None or waiting:
                waiting.append((sid, back_result))
            else:
                take(back_result)
    state = run_state(engine)
    for sid, result in waiting:
        if result is None:
            # the pool broke: other schools died with it; retry each alone to find the culprit
            result = dict(_in_pool(engine, plans, [sid], 1, lambda: None))[sid]
            result = result or SchoolResult(sid, cast(School, plans[sid].school).name
                                            if plans[sid].school else "",
                                            [crash_finding(engine, state, sid,
                                                           Msg("err.worker_died"))])
        take(result)
    waiting.clear()
    # every school is back: the plans (and a district list's columns, which forked
    # workers shared) are not needed for the run-wide checks and the report
    plans.clear()


def no_submission(paths: Sequence[str]) -> str:
    """The one line for a run that found nothing to check."""
    return (f"{', '.join(paths)}: no submission found (未找到提交材料): give a school folder "
            "(school.yaml and its documents), a district folder of school folders, or files "
            "such as schedule.csv")


def run_check(engine: Engine, paths: Sequence[str], progress: Progress | None = None) -> Report:
    """What :meth:`Engine.check` does: plan, check each school, finish run-wide checks."""
    # this engine's plugin period names, for this run only (workers put them in force too)
    with engine.period_names():
        return _run_check(engine, paths, progress)


def _run_check(engine: Engine, paths: Sequence[str], progress: Progress | None) -> Report:
    opts = engine.options
    for given in paths:
        if not os.path.exists(given):
            raise UsageError(f"{given}: no such file or folder")
    jobs = getattr(opts, "jobs", None) or default_jobs()
    with stop_on_signals(), _few_collections(), \
            tempfile.TemporaryDirectory(prefix="compliance-") as spill:
        loader = Loader(engine.registry.kinds, engine.registry.readers, opts.school,
                        origin=engine._reader_origin, defer=True, spill_dir=spill)
        loaded = loader.load(paths)
        # the walk's own state (a district list's raw table among it: ≈ 60 MB for 1M
        # rows) is not needed once the schools are planned, nor by forked workers
        del loader
        if not loaded.plans and not loaded.problems and loaded.files == 0:
            raise UsageError(no_submission(paths))
        state = run_state(engine)
        if not opts.show_pii:
            _hand_out_note_texts(loaded)
        merger = _Merger(loaded, FindingRuns(spill_limit(), selected(engine)),
                         Collected(collect_limit()))
        try:
            check_schools(engine, loaded.plans, jobs, merger, progress)
        except BaseException:  # what run-wide checks collected, if on disk: removed now
            merger.outcome.collected.close()
            raise
    return build_report(engine, paths, state, merger.merged())


def _hand_out_note_texts(loaded: Loaded) -> None:
    """Give each school the titles and notes of the files read while planning that it
    has rows in (a district's list), to tell which of its pupils they name."""
    texts = {f: got for f, notes in loaded.file_notes.items() if (got := notes.texts())}
    for plan in loaded.plans.values() if texts else ():
        mine = {p.loc.file for p in plan.parts} | {d.loc.file for d in plan.docs}
        plan.note_texts = {f: texts[f] for f in mine & texts.keys()}


class _Merger:
    """The walk's and every school's results as one run's outcome, taken one school at
    a time in school-id order: each school's findings go to :class:`FindingRuns` (which
    writes them out past its limit); the rest is small and kept."""

    def __init__(self, loaded: Loaded, findings: FindingRuns, collected: Collected):
        self.outcome = Outcome(problems=loaded.problems, findings=findings, collected=collected,
                               files=loaded.files,
                               rows_read=loaded.rows_read, rows_rejected=loaded.rows_rejected,
                               file_notes=dict(loaded.file_notes),
                               found_above=loaded.found_above)
        self.shared: dict[str, str] = {}
        self.named: dict[str, dict[str, str]] = {}
        self.schools: dict[str, str] = {}
        self.calendar_sources: list[dict[int, Any]] = []

    def __call__(self, result: SchoolResult) -> None:
        outcome, shared = self.outcome, self.shared
        for finding in result.findings:  # workers' copies of one clause text become one again
            finding.citation = shared.setdefault(finding.citation, finding.citation)
        outcome.findings.extend(result.findings)
        result.findings = []
        outcome.skipped.extend(result.skipped)
        for index, parts in result.collected.items():
            outcome.collected.add(index, parts, result.pickled)
        result.collected = {}
        outcome.files += result.files
        file_notes = outcome.file_notes
        for path, notes in result.file_notes.items():
            if path in file_notes and file_notes[path] is not notes:
                file_notes[path].notes.extend(notes.notes)  # one table file, several schools
                file_notes[path].title = file_notes[path].title or notes.title
            else:
                file_notes[path] = notes
        outcome.rows_read += result.rows_read
        outcome.rows_rejected += result.rows_rejected
        for path, found in result.named.items():
            self.named.setdefault(path, {}).update(found)
        self.schools[result.school_id] = result.name
        outcome.schedules.update(result.schedules)
        outcome.timetables.update(result.timetables)
        self.calendar_sources.append(result.calendar_sources)

    def merged(self) -> Outcome:
        outcome = self.outcome
        for path, found in self.named.items():  # a district list's notes, with every school's pupils
            outcome.file_notes[path].mask_known(longest_first(found))
        outcome.schools = self.schools
        outcome.calendar_sources = self.calendar_sources
        return outcome


@contextlib.contextmanager
def _few_collections() -> Any:
    """Fewer cyclic-GC passes while millions of acyclic rows are made and dropped.

    The collector's default thresholds make it walk the whole heap again and again
    as rows pile up (a third of the run time on a 1M-row file); reference counting
    frees rows anyway.  Workers forked inside inherit the setting.
    """
    before = gc.get_threshold()
    # the plugins, rules and plans: never garbage, never scanned again (no collection
    # first: it costs ≈ 20 ms of a one-school run to free a few hundred start-up objects)
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


class TerminalProgress:
    """A one-line progress bar on stderr, shown only for runs over many schools.

    Use as ``RunOptions(progress=TerminalProgress())``; it draws nothing unless
    stderr is a terminal and there are at least ``minimum`` schools.
    """

    def __init__(self, minimum: int = 20, stream: Any = None):
        self.minimum = minimum
        self.stream = stream or sys.stderr
        self.enabled = self.stream.isatty() and not os.environ.get("COMPLIANCE_NO_PROGRESS")
        self._last = 0.0

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled or total < self.minimum:
            return
        now = time.monotonic()
        if done < total and now - self._last < 0.1:
            return
        self._last = now
        width = 30
        filled = width * done // total
        self.stream.write(f"\r{'█' * filled}{'·' * (width - filled)} {done}/{total} "
                          f"schools 所学校")
        if done == total:
            self.stream.write("\r" + " " * (width + 40) + "\r")
        self.stream.flush()
