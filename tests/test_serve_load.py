"""``compliance serve`` under load and under a client that walks away, on a real
uvicorn on a free loopback port.

- 50 concurrent uploads of the sample district: every one answered 200 with the
  district's report, no upload left in the server's temporary folder, no worker
  process left, and the server's memory back near where it started.
- A client that disconnects mid-check: its worker is killed and its upload deleted
  at once, not when the check would have ended.

Bounded (a few seconds of CPU per test); marked ``load`` so it can be picked out
(``-m load``) or skipped (``-m "not load"``), and it runs in the default suite.
"""

from __future__ import annotations

import asyncio
import io
import os
import socket
import time
import zipfile
from pathlib import Path

import pytest

from compliance.host.engine import Engine, RunOptions
from tests.conftest import ROOT, SAMPLES
from tests.serve_support import LiveServer, live_server

httpx = pytest.importorskip("httpx2")

pytestmark = pytest.mark.load
DISTRICT = SAMPLES / "zhongshan"
CONCURRENT = 50


def district_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for p in sorted(DISTRICT.rglob("*")):
            if p.is_file():
                zf.write(p, "zhongshan/" + p.relative_to(DISTRICT).as_posix())
    return buf.getvalue()


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is ``pid``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid and fields[0] != "Z":
            found.append(int(entry.name))
    return found


def check_processes(server: LiveServer) -> list[int]:
    """The check processes running now: children of the server's zygote (its one child)."""
    return [pid for zygote in children_of(server.process.pid) for pid in children_of(zygote)]


def health(server: LiveServer) -> dict:
    return httpx.get(server.url + "/healthz", timeout=10).json()


async def upload_all(url: str, data: bytes, count: int) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=count, max_keepalive_connections=count)
    async with httpx.AsyncClient(timeout=180, limits=limits) as client:
        async def one() -> httpx.Response:
            return await client.post(url + "/api/check?lang=zh",
                                     files=[("files", ("zhongshan.zip", data))])
        return await asyncio.gather(*(one() for _ in range(count)))


def test_fifty_concurrent_district_uploads_all_succeed_and_leave_nothing_behind(tmp_path) -> None:
    expected = Engine(RunOptions(lang="zh", jobs=1)).check([str(DISTRICT)])
    data = district_zip()
    with live_server(tmp_path, "--workers", "2", "--queue-wait", "170") as server:
        warm = asyncio.run(upload_all(server.url, data, 4))  # first imports and buffers settle here
        assert [r.status_code for r in warm] == [200] * 4
        start_kb = server.rss_kb()
        started = time.monotonic()
        answers = asyncio.run(upload_all(server.url, data, CONCURRENT))
        elapsed = time.monotonic() - started
        statuses = [r.status_code for r in answers]
        assert statuses == [200] * CONCURRENT, statuses
        for answer in answers:
            report = answer.json()
            assert report["summary"]["findings"] == len(expected.active)
            assert report["summary"]["schools"] == len(expected.schools)
        assert server.uploads_left() == []
        assert len(children_of(server.process.pid)) == 1  # the zygote, and nothing under it
        assert check_processes(server) == []
        assert health(server)["running"] == 0 and health(server)["waiting"] == 0
        end_kb = server.rss_kb()
        print(f"\n{CONCURRENT} uploads in {elapsed:.1f} s; server RSS {start_kb} kB -> {end_kb} kB")
        # near its start: the uploads went to disk and the checks to worker processes
        assert end_kb < start_kb * 1.25 + 16 * 1024, (start_kb, end_kb)


def test_a_client_that_disconnects_stops_its_check_and_its_upload_is_deleted(tmp_path) -> None:
    env = {"PYTHONPATH": str(ROOT), "COMPLIANCE_TEST_SLEEP": "60"}
    with live_server(tmp_path, "--workers", "1", "-p", "tests.serve_test_plugin", env=env) as server:
        data = district_zip()
        boundary = "----disconnect"
        body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"files\"; filename=\"d.zip\"\r\n"
                "Content-Type: application/zip\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
        host, port = server.url.removeprefix("http://").split(":")
        sock = socket.create_connection((host, int(port)))
        sock.sendall((f"POST /api/check HTTP/1.1\r\nHost: {host}\r\nContent-Type: multipart/form-data; "
                      f"boundary={boundary}\r\nContent-Length: {len(body)}\r\n\r\n").encode() + body)
        deadline = time.monotonic() + 30
        while health(server)["running"] < 1:
            assert time.monotonic() < deadline, "the check never started"
            time.sleep(0.05)
        assert server.uploads_left() != []  # the upload is there while it is checked
        workers = check_processes(server)
        assert workers
        sock.close()
        gone = time.monotonic()
        while health(server)["running"] or server.uploads_left():
            assert time.monotonic() - gone < 10, "the check went on after the client left"
            time.sleep(0.05)
        assert check_processes(server) == []
        for pid in workers:
            assert not os.path.exists(f"/proc/{pid}") or "Z" in Path(f"/proc/{pid}/stat").read_text()
