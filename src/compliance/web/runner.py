"""Run checks in worker processes, a few at a time, each with a time limit.

At most ``workers`` checks run at once; a request that finds them all busy waits
up to ``queue_wait`` seconds for a turn, then is refused with 503 and
``Retry-After``.  Each check is a fresh ``python -m compliance.web.worker`` process
(memory limit set by the child itself, see :mod:`compliance.web.worker`), killed at
the time limit or when the client goes away, so the server's own memory does not
grow with what it has checked.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio

from compliance.web.refusals import Refusal, size_text
from compliance.web.worker import MEMORY_EXIT, USAGE_EXIT, Job

RETRY_AFTER = 10


@dataclass
class Outcome:
    """A finished check: the rendered reports by format, and what the worker said about the upload."""

    outputs: dict[str, bytes]
    schools: list[str]


class Runner:
    """The bounded pool of check processes of one server."""

    def __init__(self, workers: int, time_limit: float = 120.0, memory_mb: int = 1024,
                 queue_wait: float = 15.0) -> None:
        self.workers = workers
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self.queue_wait = queue_wait
        self._slots = anyio.Semaphore(workers)
        #: checks running now (for /healthz)
        self.running = 0
        self.waiting = 0

    async def run(self, job: Job, job_dir: Path) -> Outcome:
        """Run ``job`` in a worker process once a slot is free; raises :class:`Refusal`."""
        self.waiting += 1
        try:
            with anyio.move_on_after(self.queue_wait) as waited:
                await self._slots.acquire()
        finally:
            self.waiting -= 1
        if waited.cancelled_caught:
            refusal = Refusal("busy", workers=self.workers, retry=RETRY_AFTER)
            refusal.headers["Retry-After"] = str(RETRY_AFTER)
            raise refusal
        self.running += 1
        try:
            return await self._run(job, job_dir)
        finally:
            self.running -= 1
            self._slots.release()

    async def _run(self, job: Job, job_dir: Path) -> Outcome:
        job.memory_mb = self.memory_mb
        job.cpu_seconds = int(self.time_limit) + 1
        job_file = job_dir / "job.json"
        job.write(job_file)
        env = dict(os.environ)
        # pyarrow's own allocator reserves ~1 GB of address space up front; under
        # RLIMIT_AS the system allocator is the one that fits.
        env["ARROW_DEFAULT_MEMORY_POOL"] = "system"
        env["TMPDIR"] = str(job_dir)  # the engine's spill files stay in the private folder
        env.pop("COMPLIANCE_DEBUG", None)
        process = await anyio.open_process(
            # -P: the upload folder (the cwd) must never be on sys.path, or an uploaded
            # ``pluggy.py`` would be imported instead of the real one.
            [sys.executable, "-P", "-m", "compliance.web.worker", str(job_file)],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            cwd=job.cwd, env=env, start_new_session=True,
        )
        stderr = b""
        timed_out = False
        try:
            with anyio.move_on_after(self.time_limit) as timer:
                assert process.stderr is not None
                async for chunk in process.stderr:
                    stderr = (stderr + chunk)[-4000:]
                await process.wait()
            timed_out = timer.cancelled_caught
        finally:
            with anyio.CancelScope(shield=True):  # cleanup must finish even when cancelled
                if process.returncode is None:  # time limit, or the client went away
                    _kill(process.pid)
                    await process.wait()
                await process.aclose()
        if timed_out:
            raise Refusal("timeout", seconds=f"{self.time_limit:g}")
        return _outcome(job, process.returncode or 0, stderr, self.memory_mb)


def _kill(pid: int) -> None:
    """Kill the worker and anything it started (it leads its own process group)."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)


def _outcome(job: Job, returncode: int, stderr: bytes, memory_mb: int) -> Outcome:
    out = Path(job.out)
    error = _json(out / "error.json")
    if returncode == 0 and (out / "meta.json").exists():
        meta = _json(out / "meta.json") or {}
        outputs = {fmt: (out / f"report.{fmt}").read_bytes() for fmt in job.formats}
        return Outcome(outputs, list(meta.get("schools", [])))
    if returncode == USAGE_EXIT and error:
        raise Refusal("nothing_to_check", reason=error.get("message", ""))
    if returncode == MEMORY_EXIT or b"MemoryError" in stderr or returncode == -signal.SIGSEGV:
        raise Refusal("memory", limit=size_text(memory_mb * 1024 * 1024))
    if returncode in (-signal.SIGXCPU, -signal.SIGKILL):
        raise Refusal("timeout", seconds=f"{job.cpu_seconds}")
    lines = [line for line in stderr.decode("utf-8", "replace").splitlines() if line.strip()]
    raise Refusal("worker_failed", reason=lines[-1][:200] if lines else f"exit status {returncode}")


def _json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
