"""One check in a child process.

The server writes a job file; a child forked for it by :mod:`compliance.web.zygote`
(or, standalone, ``python -P -m compliance.web.worker JOB.json``) runs it and the
server reads back what it wrote.  Before the check the child lowers its own
limits (address space: ``RLIMIT_AS``; CPU seconds: ``RLIMIT_CPU`` as a backstop to
the server's wall-clock limit), so a hostile upload can exhaust only this process.
It runs in the upload folder, so every location in the report is relative to
what was uploaded.

Writes, in the job's ``out`` folder: ``report.<suffix>`` per format asked for, and
``meta.json`` (``{"schools": [...]}``, every school id with rows in the upload) —
or ``error.json`` (``{"kind": "usage"|"memory", "message": ...}``) and exits
with :data:`USAGE_EXIT` / :data:`MEMORY_EXIT`.
"""

from __future__ import annotations

import json
import os
import resource
import sys
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compliance.host.engine import Engine
    from compliance.outputs.report import Report

USAGE_EXIT = 3
MEMORY_EXIT = 4


@dataclass
class Job:
    """What one check needs; written by the server as JSON."""

    cwd: str  # the upload folder; ``path`` is relative to it
    path: str
    out: str
    profile: str = "default"
    lang: str = "zh"
    formats: list[str] = field(default_factory=lambda: ["json"])
    memory_mb: int = 1024
    cpu_seconds: int = 120
    entry_points: bool = True
    modules: list[str] = field(default_factory=list)
    #: ``--history``: the SQLite history this check is recorded in as a round (absolute path)
    history: str | None = None
    #: the curriculum plan the caller chose (a name or an absolute file); ``None``: the
    #: profile's own, which the zygote's engine has already
    curriculum: str | None = None

    def write(self, file: Path) -> None:
        file.write_text(json.dumps(asdict(self), ensure_ascii=False), encoding="utf-8")

    @classmethod
    def read(cls, file: Path) -> Job:
        return cls(**json.loads(file.read_text(encoding="utf-8")))


def limit_resources(memory_mb: int, cpu_seconds: int) -> None:
    """Cap this process's address space and CPU time (soft and hard: it cannot raise them)."""
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    # The server kills the process at the wall-clock limit; this only catches a busy loop
    # if the server itself is gone.
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds + 5, cpu_seconds + 10))


def build_engine(profile: str, entry_points: bool, modules: list[str],
                 curriculum: str | None = None) -> Engine:
    """The engine a check runs on (one school at a time, in this process)."""
    from compliance.host.engine import Engine, RunOptions

    return Engine(RunOptions(profile=profile, jobs=1, entry_points=entry_points, modules=modules,
                             curriculum=curriculum))


def with_curriculum(engine: Engine, curriculum: str) -> Engine:
    """``engine`` with another curriculum plan: the same plugins (already loaded), only the
    settings made again."""
    from dataclasses import replace

    from compliance.host.engine import Engine

    return Engine(replace(engine.options, curriculum=curriculum), plugins=engine.plugins)


def run(job: Job, engine: Engine | None = None) -> int:
    """Check ``job.path`` (on ``engine``, built beforehand by the zygote, or here) and
    write the outputs; returns the exit status."""
    from compliance.host.errors import ComplianceError

    out = Path(job.out)
    try:
        os.chdir(job.cwd)
        if engine is None:
            engine = build_engine(job.profile, job.entry_points, job.modules, job.curriculum)
        elif job.curriculum is not None:
            engine = with_curriculum(engine, job.curriculum)
        engine.options.lang = job.lang  # the engine is this process's own copy
        report = engine.check([job.path])
        try:
            _write(report, engine, job, out)
        finally:
            report.close()  # a city's findings spilled to temporary files
        return 0
    except ComplianceError as exc:
        if _caused_by_memory(exc):  # e.g. a plugin that ran out of memory while loading
            _error(out, "memory", str(exc))
            return MEMORY_EXIT
        _error(out, "usage", str(exc))
        return USAGE_EXIT
    except MemoryError:
        _error(out, "memory", "")
        return MEMORY_EXIT


def _write(report: Report, engine: Engine, job: Job, out: Path) -> None:
    """What `compliance check` adds (fingerprints, evidence, with --history the round),
    then the outputs and ``meta.json``."""
    from compliance.outputs.reporter import RenderOptions
    from compliance.rounds.apply import RoundOptions, apply_rounds

    apply_rounds(report, engine, [job.path], RoundOptions(history=job.history, evidence=True))
    options = RenderOptions(lang=job.lang)
    for fmt in job.formats:
        reporter = engine.registry.reporters[fmt]
        target = out / f"report.{fmt}"
        if reporter.binary:
            with target.open("wb") as fh:
                reporter.render(report, fh, options)
        else:
            with target.open("w", encoding="utf-8", newline="\n") as fh:
                reporter.render(report, fh, options)
    ids = set(report.schools) | {f.school_id for f in report.findings if f.school_id}
    meta: dict[str, Any] = {"schools": sorted(ids),
                            "findings": sum(not f.waived for f in report.findings)}
    (out / "meta.json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def _caused_by_memory(exc: BaseException | None) -> bool:
    seen = 0
    while exc is not None and seen < 20:
        if isinstance(exc, MemoryError):
            return True
        exc, seen = exc.__cause__ or exc.__context__, seen + 1
    return False


def _error(out: Path, kind: str, message: str) -> None:
    (out / "error.json").write_text(json.dumps({"kind": kind, "message": message},
                                               ensure_ascii=False), encoding="utf-8")


def child_main(job_file: str, engines: dict[str, Engine] | None = None) -> int:
    """A check process's work: limits first, then the check; returns the exit status."""
    job = Job.read(Path(job_file))
    limit_resources(job.memory_mb, job.cpu_seconds)
    try:
        return run(job, (engines or {}).get(job.profile))
    except MemoryError:
        # Even the handler may fail to allocate; the exit status alone says what happened.
        os._exit(MEMORY_EXIT)


def main(argv: list[str] | None = None) -> int:
    """``python -P -m compliance.web.worker JOB.json``: one check, standalone."""
    args = sys.argv[1:] if argv is None else argv
    return child_main(args[0])


if __name__ == "__main__":
    sys.exit(main())
