"""Start ``compliance serve`` for real (uvicorn on a free loopback port) from a test."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class LiveServer:
    url: str
    process: subprocess.Popen[bytes]
    temp_dir: Path
    log: Path

    def rss_kb(self) -> int:
        """The server process's resident memory now."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def uploads_left(self) -> list[Path]:
        """Every file or folder left under the server's temporary folder (its own root excluded)."""
        return [p for root in self.temp_dir.glob("compliance-serve-*") for p in root.rglob("*")]


@contextmanager
def live_server(tmp: Path, *args: str, env: dict[str, str] | None = None) -> Iterator[LiveServer]:
    """``compliance serve ARGS`` on a free port with its temporary folders under ``tmp``; stopped on exit."""
    port = free_port()
    temp_dir = tmp / "server-tmp"
    temp_dir.mkdir(parents=True, exist_ok=True)
    log = tmp / "server.log"
    script = Path(sys.executable).with_name("compliance")
    environment = {**os.environ, "TMPDIR": str(temp_dir), **(env or {})}
    with log.open("wb") as out:
        process = subprocess.Popen([str(script), "serve", "--port", str(port), *args],
                                   stdout=out, stderr=subprocess.STDOUT, env=environment)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{url}/healthz", timeout=2) as answer:
                    if answer.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    said = log.read_text(errors="replace")
                    raise RuntimeError(f"the server did not start: {said}") from None
                time.sleep(0.1)
        yield LiveServer(url, process, temp_dir, log)
    finally:
        process.terminate()
        try:
            process.wait(20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
