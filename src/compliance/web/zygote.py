"""A warm parent for check processes: ``python -P -m compliance.web.zygote``.

Starting Python and building the engine (plugins, rule metadata, profiles) costs
more than checking a school.  The zygote does it once, then forks one child per
check: the child starts with everything imported and built, lowers its own limits,
runs the job (:func:`compliance.web.worker.child_main`) and exits.  The zygote
itself never checks anything and stays single-threaded, so forking is safe.

One JSON object per line on stdin/stdout:

- first, server → zygote: ``{"profiles": [...], "entry_points": bool, "modules": [...],
  "curriculum": NAME|FILE|null}``;
  zygote → server: ``{"ready": true}`` or ``{"error": "..."}``;
- then, server → zygote: ``{"id": N, "job": "/path/job.json"}``;
  zygote → server: ``{"id": N, "pid": P}`` when forked, ``{"id": N, "exit": CODE}``
  when the child has ended (``CODE`` negative for a signal).

When stdin closes (the server stopped), the zygote kills its children and exits.
A child leads its own process group and writes its stdout and stderr to
``worker.log`` beside its job file, never into the protocol.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from compliance.host.engine import Engine

#: a child that fails before its job can say why exits with this
CHILD_FAILED = 70


def _send(message: dict[str, Any]) -> None:
    os.write(1, (json.dumps(message, ensure_ascii=False) + "\n").encode("utf-8"))


def _fork(request: dict[str, Any], engines: dict[str, Engine]) -> int:
    pid = os.fork()
    if pid:
        return pid
    code = CHILD_FAILED
    try:
        os.setsid()  # its own process group: the server kills the check and all it started
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        job_file = str(request["job"])
        log = os.open(Path(job_file).with_name("worker.log"), os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(log, 1)
        os.dup2(log, 2)
        null = os.open(os.devnull, os.O_RDONLY)
        os.dup2(null, 0)
        from compliance.web.worker import child_main

        code = child_main(job_file, engines)
    except BaseException:
        import traceback

        with contextlib.suppress(Exception):
            traceback.print_exc()
    finally:
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)


def _reap(children: dict[int, int]) -> None:
    while children:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        ident = children.pop(pid, None)
        if ident is not None:
            _send({"id": ident, "exit": os.waitstatus_to_exitcode(status)})


def main() -> int:
    """Build the engines, then serve fork requests until stdin closes."""
    # Ctrl+C in the server's terminal stops the server, which closes our stdin.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # pyarrow's own allocator reserves ~1 GB of address space; under RLIMIT_AS the
    # system allocator is the one that fits (set before pyarrow can be imported).
    os.environ["ARROW_DEFAULT_MEMORY_POOL"] = "system"
    buffer = b""
    while b"\n" not in buffer:
        chunk = os.read(0, 65536)
        if not chunk:
            return 0
        buffer += chunk
    line, buffer = buffer.split(b"\n", 1)
    try:
        config = json.loads(line)
        from compliance.web.worker import build_engine

        engines = {profile: build_engine(profile, bool(config["entry_points"]), list(config["modules"]),
                                         config.get("curriculum"))
                   for profile in config["profiles"]}
    except Exception as exc:
        _send({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    _send({"ready": True})
    children: dict[int, int] = {}
    try:
        while True:
            ready, _, _ = select.select([0], [], [], 0.02)
            if ready:
                chunk = os.read(0, 65536)
                if not chunk:
                    return 0
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    request = json.loads(line)
                    pid = _fork(request, engines)
                    children[pid] = int(request["id"])
                    _send({"id": request["id"], "pid": pid})
            _reap(children)
    finally:
        for pid in children:
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)


if __name__ == "__main__":
    sys.exit(main())
