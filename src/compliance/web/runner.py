"""Run checks in worker processes, a few at a time, each with a time limit.

At most ``workers`` checks run at once; a request that finds them all busy waits
up to ``queue_wait`` seconds for a turn, then is refused with 503 and
``Retry-After``.  Each check is a fresh process forked by the zygote
(:mod:`compliance.web.zygote`, which has the engine built already), with its own
memory limit (set by the child, see :mod:`compliance.web.worker`), killed at the
time limit or when the client goes away; the server's own memory does not grow
with what it has checked.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import os
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import anyio.abc
from anyio.streams.buffered import BufferedByteReceiveStream

from compliance.host.errors import UsageError
from compliance.web.refusals import Refusal, size_text
from compliance.web.worker import MEMORY_EXIT, USAGE_EXIT, Job

RETRY_AFTER = 10
#: how long the zygote may take to import and build the engines
START_TIMEOUT = 120


@dataclass
class Outcome:
    """A finished check: the rendered reports by format, and what the worker said about the upload."""

    outputs: dict[str, bytes]
    schools: list[str]


class _Pending:
    """One check the zygote was asked for: its child's pid and exit status, when known."""

    def __init__(self) -> None:
        self.forked = anyio.Event()
        self.ended = anyio.Event()
        self.pid: int | None = None
        self.exit: int | None = None


class Runner:
    """The bounded pool of check processes of one server.

    :meth:`serve` (run for the app's lifetime, in its lifespan) starts the zygote and
    reads its answers; :meth:`run` is called per request.
    """

    def __init__(self, workers: int, time_limit: float = 120.0, memory_mb: int = 1024,
                 queue_wait: float = 15.0, profiles: list[str] | None = None,
                 entry_points: bool = True, modules: list[str] | None = None,
                 curriculum: str | None = None) -> None:
        self.workers = workers
        self.time_limit = time_limit
        self.memory_mb = memory_mb
        self.queue_wait = queue_wait
        self.profiles = profiles or ["default"]
        self.entry_points = entry_points
        self.modules = modules or []
        #: the server's ``--curriculum`` (a name or an absolute file), for the warm engines
        self.curriculum = curriculum
        self._slots = anyio.Semaphore(workers)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._zygote: anyio.abc.Process | None = None
        self._group: anyio.abc.TaskGroup | None = None
        #: checks running now, and requests waiting for a turn (for /healthz)
        self.running = 0
        self.waiting = 0

    # -- the zygote --------------------------------------------------------------

    @contextlib.asynccontextmanager
    async def serve(self) -> Any:
        """Keep a zygote for as long as the context is open (the app's lifespan)."""
        async with anyio.create_task_group() as group:
            self._group = group
            await self._start()
            try:
                yield self
            finally:
                group.cancel_scope.cancel()
                with anyio.CancelScope(shield=True):
                    await self._stop()

    async def _start(self) -> None:
        assert self._group is not None
        env = dict(os.environ)
        env.pop("COMPLIANCE_DEBUG", None)
        # -P: no folder of the server's (and never an upload folder) on the import path.
        process = await anyio.open_process(
            [sys.executable, "-P", "-m", "compliance.web.zygote"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=None, env=env)
        assert process.stdin is not None and process.stdout is not None
        config = {"profiles": self.profiles, "entry_points": self.entry_points, "modules": self.modules,
                  "curriculum": self.curriculum}
        await process.stdin.send((json.dumps(config) + "\n").encode("utf-8"))
        lines = BufferedByteReceiveStream(process.stdout)
        with anyio.move_on_after(START_TIMEOUT):
            answer = json.loads(await lines.receive_until(b"\n", 1 << 20))
            if answer.get("ready"):
                self._zygote = process
                self._group.start_soon(self._pump, process, lines)
                return
            await process.aclose()
            raise UsageError(f"compliance serve: the check workers could not start: {answer.get('error')}")
        process.kill()
        await process.aclose()
        raise UsageError("compliance serve: the check workers did not start in time")

    async def _pump(self, process: anyio.abc.Process, lines: BufferedByteReceiveStream) -> None:
        """Read the zygote's answers until it ends; then every pending check has ended too."""
        try:
            while True:
                message = json.loads(await lines.receive_until(b"\n", 1 << 20))
                pending = self._pending.get(int(message["id"]))
                if pending is None:
                    continue
                if "pid" in message:
                    pending.pid = int(message["pid"])
                    pending.forked.set()
                elif "exit" in message:
                    pending.exit = int(message["exit"])
                    pending.forked.set()
                    pending.ended.set()
        except (anyio.EndOfStream, anyio.IncompleteRead, anyio.ClosedResourceError, ValueError):
            pass
        finally:
            if self._zygote is process:
                self._zygote = None
            for pending in self._pending.values():  # their children went with the zygote
                pending.forked.set()
                pending.ended.set()

    async def _stop(self) -> None:
        process, self._zygote = self._zygote, None
        if process is None:
            return
        with contextlib.suppress(Exception):
            await process.aclose()  # closes stdin: the zygote kills its children and exits
        with anyio.move_on_after(5):
            await process.wait()
        if process.returncode is None:
            process.kill()

    # -- checks ------------------------------------------------------------------

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
        if self._zygote is None:  # it died (or was never started): a new one
            await self._start()
        zygote = self._zygote
        assert zygote is not None and zygote.stdin is not None
        job.memory_mb = self.memory_mb
        job.cpu_seconds = int(self.time_limit) + 1
        job_file = job_dir / "job.json"
        job.write(job_file)
        ident = next(self._ids)
        pending = self._pending[ident] = _Pending()
        try:
            await zygote.stdin.send((json.dumps({"id": ident, "job": str(job_file)}) + "\n").encode())
            with anyio.move_on_after(self.time_limit) as timer:
                await pending.ended.wait()
        finally:
            with anyio.CancelScope(shield=True):  # cleanup must finish even when cancelled
                if not pending.ended.is_set():  # time limit, or the client went away
                    with anyio.move_on_after(5):
                        await pending.forked.wait()
                    if pending.pid is not None:
                        _kill(pending.pid)
                    with anyio.move_on_after(10):
                        await pending.ended.wait()
                del self._pending[ident]
        if timer.cancelled_caught:
            raise Refusal("timeout", seconds=f"{self.time_limit:g}")
        if pending.exit is None:
            raise Refusal("worker_failed", reason="the worker pool stopped")
        return _outcome(job, pending.exit, _tail(job_dir / "worker.log"), self.memory_mb)


def _kill(pid: int) -> None:
    """Kill the check and anything it started (it leads its own process group)."""
    with contextlib.suppress(OSError):
        os.killpg(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.kill(pid, signal.SIGKILL)


def _tail(path: Path) -> bytes:
    try:
        return path.read_bytes()[-4000:]
    except OSError:
        return b""


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
