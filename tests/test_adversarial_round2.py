"""The second hostile round (issue 14): each case built the way it was found.

Cheap cases run in-process or through typer's runner; anything that could hang or
eat memory (FIFOs, ``/dev/zero``, giant lines and workbooks) runs the CLI in a
subprocess under a time limit and an address-space rlimit (tests/adversarial_corpus.py).
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from tests.adversarial_corpus import HEADER, MEMORY_LIMIT, SCHOOL, Run
from tests.hostile_plugin import write_plugin

GOOD = "Mon-Fri,08:00,11:40,lesson,上午\n"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", "--no-entry-points", "--lang", "en",
                                      *[str(a) for a in args]])
    return result.exit_code, result.stdout, result.stderr


def _limits() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT // 2, MEMORY_LIMIT // 2))


def cli_argv(*args: str | Path) -> list[str]:
    return [sys.executable, "-c", "from compliance.cli import main; main()", "check",
            "--no-entry-points", "--lang", "en", *[str(a) for a in args]]


def cli_env(tmp: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8", "TMPDIR": str(tmp),
            "COMPLIANCE_NO_PROGRESS": "1", **extra}


def cli(tmp: Path, *args: str | Path, timeout: float = 30, **env: str) -> Run:
    """The CLI in a subprocess under a time limit and a 512 MB address-space limit."""
    proc = subprocess.run(cli_argv(*args), capture_output=True, timeout=timeout,
                          preexec_fn=_limits, env=cli_env(tmp, **env), check=False)
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"),
               proc.stderr.decode("utf-8", "replace"))


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_plugin(tmp_path_factory.mktemp("hostile"))


def district(root: Path, schools: int) -> Path:
    """``schools`` school folders, each with one good schedule."""
    for i in range(schools):
        folder = root / "district" / f"s{i:02d}"
        folder.mkdir(parents=True)
        (folder / "school.yaml").write_text(
            SCHOOL.read_text(encoding="utf-8").replace("ADV-001", f"ADV-{i:03d}"), encoding="utf-8")
        (folder / "schedule.csv").write_text(HEADER + GOOD, encoding="utf-8")
    return root / "district"


def school_dir(root: Path, files: dict[str, str | bytes]) -> Path:
    folder = root / "adv"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "school.yaml").write_bytes(SCHOOL.read_bytes())
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


# --- 3. waivers cannot hide unread input -----------------------------------------


def test_a_waiver_naming_an_input_finding_is_refused_with_one_line(tmp_path: Path) -> None:
    folder = school_dir(tmp_path, {"schedule.csv": HEADER + "Mon-Fri,25:00,11:40,lesson,x\n"})
    waivers = tmp_path / "waivers.yaml"
    for code in ("INP001", "ERR001", "inp003"):
        waivers.write_text(f"waivers:\n  - code: {code}\n    reason: r\n    approved_by: a\n"
                           "    expires: 2099-01-01\n", encoding="utf-8")
        status, out, err = invoke("--format", "json", "--waivers", waivers, folder)
        assert status == 2
        assert out == ""
        assert err.count("\n") == 1 and "cannot be waived" in err and f"{waivers}:2" in err, err


def test_input_findings_are_never_marked_waived_through_the_api(tmp_path: Path) -> None:
    from compliance.host.waivers import matches
    from compliance.inputs.model import Location
    from compliance.rules.finding import Finding

    finding = Finding(code="INP001", severity="error", pack="inputs", school_id=None, message="m",
                      location=Location("f"), subject={}, citation="")
    assert not matches({"code": "INP001", "school_id": None, "match": {}}, finding)


# --- 2. a plugin cannot end the run with a false pass ---------------------------------


@pytest.mark.parametrize("how", ["exit", "interrupt"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_rule_calling_sys_exit_or_raising_keyboardinterrupt_is_err001(
        tmp_path: Path, hostile: Path, how: str, jobs: str) -> None:
    folder = district(tmp_path, 8)  # eight schools: enough for a worker pool
    run = cli(tmp_path, "--plugins-dir", hostile, "--jobs", jobs, "--format", "json", folder,
              HOSTILE=how)
    assert run.status == 2, run.output
    report = json.loads(run.stdout)
    errors = [f for f in report["findings"] if f["code"] == "ERR001"]
    assert len(errors) == 8
    kind = "SystemExit" if how == "exit" else "KeyboardInterrupt"
    assert all(kind in f["message"] and "hostile" in f["message"] for f in errors)
    assert "Traceback" not in run.stderr


def test_a_reporter_calling_sys_exit_is_one_error_line(tmp_path: Path, hostile: Path) -> None:
    folder = school_dir(tmp_path, {"schedule.csv": HEADER + GOOD})
    run = cli(tmp_path, "--plugins-dir", hostile, "--format", "quits", folder)
    assert run.status == 2
    assert run.stderr.splitlines() == [
        "compliance: error: plugin 'hostileplugin': the 'quits' reporter raised SystemExit: 0; "
        "the report is incomplete (rerun with another --format)"]


# --- 9. a plugin's print() does not corrupt a report on stdout ------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_plugin_printing_does_not_corrupt_json_on_stdout(tmp_path: Path, hostile: Path,
                                                           jobs: str) -> None:
    folder = district(tmp_path, 8)
    run = cli(tmp_path, "--plugins-dir", hostile, "--pack", "hostile", "--jobs", jobs,
              "--format", "json", folder, HOSTILE="print")
    assert run.status == 0, run.output
    assert json.loads(run.stdout)["summary"]["findings"] == 0
    assert run.stderr.count("a plugin talking on stdout") == 8


# --- a rule that never returns ----------------------------------------------------------


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_rule_that_never_returns_is_stopped_by_the_time_limit(tmp_path: Path, hostile: Path,
                                                                jobs: str) -> None:
    folder = district(tmp_path, 8)
    # the subprocess's own time limit is what catches a hang; a built-in rule that also
    # passed 0.3 s on a loaded machine is not what this test is about, so only the
    # hostile rule's findings are counted
    run = cli(tmp_path, "--plugins-dir", hostile, "--jobs", jobs, "--rule-timeout", "0.3",
              "--format", "json", folder, HOSTILE="loop", timeout=60)
    assert run.status == 2, run.output
    errors = [f for f in json.loads(run.stdout)["findings"]
              if f["code"] == "ERR001" and "HST001" in f["message"]]
    assert sorted(f["school_id"] for f in errors) == [f"ADV-{i:03d}" for i in range(8)]
    assert all("did not return within 0.3 s" in f["message"] for f in errors)


def test_the_time_limit_is_read_from_the_settings_file(tmp_path: Path, hostile: Path) -> None:
    folder = school_dir(tmp_path, {"schedule.csv": HEADER + GOOD})
    settings = tmp_path / "settings.yaml"
    settings.write_text("rule_timeout: 0.2\n", encoding="utf-8")
    run = cli(tmp_path, "--plugins-dir", hostile, "--config", settings, "--format", "json",
              folder, HOSTILE="loop")
    assert run.status == 2
    assert "did not return within 0.2 s" in run.stdout


# --- 9. SIGINT and SIGTERM stop everything within a second -----------------------------


@pytest.mark.parametrize(("sig", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_signal_stops_the_run_and_its_workers_within_a_second(
        tmp_path: Path, hostile: Path, sig: signal.Signals, status: int, jobs: str) -> None:
    folder = district(tmp_path, 8)
    work = tmp_path / "tmp"
    work.mkdir()
    mark = tmp_path / "mark"
    out = tmp_path / "report.json"
    out.write_text("the earlier report", encoding="utf-8")
    proc = subprocess.Popen(cli_argv("--plugins-dir", hostile, "--jobs", jobs, "-o", out,
                                     "--format", "json", folder),
                            env=cli_env(work, HOSTILE="sleep", HOSTILE_MARK=str(mark)),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_limits, start_new_session=True)
    try:
        worker = stuck_worker(mark)
        sent = time.monotonic()
        if sig == signal.SIGINT:
            os.killpg(proc.pid, sig)  # Ctrl-C reaches the whole process group
        else:
            proc.send_signal(sig)  # `kill PID` reaches the parent only
        _, err = proc.communicate(timeout=10)
        took = time.monotonic() - sent
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == status
    assert took < 1.5, took
    lines = err.decode().splitlines()
    assert len(lines) == 1 and lines[0].startswith("compliance: interrupted by SIG"), lines
    assert list(work.iterdir()) == []  # spilled rows, temporary outputs: all removed
    assert out.read_text(encoding="utf-8") == "the earlier report"
    time.sleep(0.2)
    with pytest.raises(ProcessLookupError):
        os.kill(worker, 0)  # the worker stuck in the plugin is gone too


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the kernel's parent-death signal")
def test_a_worker_stuck_in_a_plugin_dies_with_a_killed_parent(tmp_path: Path, hostile: Path) -> None:
    """SIGKILL (or the out-of-memory killer) gives the run no chance to stop its workers:
    a worker stuck in a plugin with no time limit must not live on (it would hold its
    memory and a core until the next reboot)."""
    folder = district(tmp_path, 8)
    mark = tmp_path / "mark"
    proc = subprocess.Popen(cli_argv("--plugins-dir", hostile, "--jobs", "2", "--rule-timeout", "0",
                                     "--format", "json", folder),
                            env=cli_env(tmp_path, HOSTILE="sleep", HOSTILE_MARK=str(mark)),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            preexec_fn=_limits, start_new_session=True)
    try:
        worker = stuck_worker(mark)
        assert worker and worker != proc.pid
        proc.kill()
        proc.wait(timeout=10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _alive(worker):
            time.sleep(0.05)
        assert not _alive(worker), "the worker outlived its killed parent"
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)


def stuck_worker(mark: Path) -> int:
    """The pid of the worker the hostile rule holds, once it has started (it writes ``mark``)."""
    deadline = time.monotonic() + 30
    while not mark.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert mark.exists(), "the hostile rule never started"
    time.sleep(0.2)
    return int(mark.read_text(encoding="utf-8") or 0)


def _alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie waiting for a reaper does not)."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (FileNotFoundError, ProcessLookupError, IndexError):
        return False


# --- 7. reports are replaced whole or not at all --------------------------------------


def test_a_reporter_failing_mid_write_leaves_the_earlier_file(tmp_path: Path,
                                                              hostile: Path) -> None:
    folder = school_dir(tmp_path, {"schedule.csv": HEADER + GOOD})
    out = tmp_path / "out.json"
    out.write_text('{"earlier": true}', encoding="utf-8")
    run = cli(tmp_path, "--plugins-dir", hostile, "--format", "half", "-o", out, folder)
    assert run.status == 2
    assert out.read_text(encoding="utf-8") == '{"earlier": true}'
    assert run.stderr.splitlines() == [
        f"compliance: error: --output {out}: plugin 'hostileplugin': the 'half' reporter raised "
        "RuntimeError: the reporter gave up half-way; the report is incomplete; the earlier "
        "file there is left untouched (rerun with another --format)"]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".out")) == []


def test_a_full_disk_leaves_the_earlier_file_and_says_so(tmp_path: Path) -> None:
    folder = school_dir(tmp_path, {"schedule.csv": HEADER + GOOD * 50})
    out = tmp_path / "out.html"
    out.write_text("earlier", encoding="utf-8")

    def small_disk() -> None:  # pragma: no cover - runs in the child
        _limits()
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit is EFBIG
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    proc = subprocess.run(cli_argv("--format", "html", "-o", out, folder), capture_output=True,
                          timeout=30, preexec_fn=small_disk, env=cli_env(tmp_path), check=False)
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert out.read_text(encoding="utf-8") == "earlier"
    assert err.startswith(f"compliance: error: --output {out}: cannot write: File too large; "
                          "the earlier file there is left untouched"), err
    assert len(err.splitlines()) == 1
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".out")] == []


def test_a_failing_report_file_is_named_and_the_next_one_still_written(tmp_path: Path) -> None:
    folder = school_dir(tmp_path, {"schedule.csv": HEADER + GOOD})
    bad = tmp_path / "no-such-folder" / "r.json"
    good = tmp_path / "r.csv"
    status, _, err = invoke("--format", "text", "-r", f"json:{bad}", "-r", f"csv:{good}", folder)
    assert status == 2
    assert err.splitlines() == [f"compliance: error: --report json:{bad}: cannot write: "
                                "No such file or directory; no file was written"]
    assert good.read_text(encoding="utf-8-sig").startswith("School id")


def test_two_runs_writing_one_output_leave_one_whole_report(tmp_path: Path) -> None:
    folder = school_dir(tmp_path, {"schedule.csv": HEADER + GOOD * 2000})
    out = tmp_path / "same.json"
    procs = [subprocess.Popen(cli_argv("--format", "json", "-o", out, folder),
                              env=cli_env(tmp_path), preexec_fn=_limits,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    for proc in procs:
        proc.communicate(timeout=60)
        assert proc.returncode == 1  # HWK001/HWK002: the profile publishes nothing
    report = json.loads(out.read_text(encoding="utf-8"))
    assert {f["code"] for f in report["findings"]} == {"HWK001", "HWK002"}


# --- 4. a school that handed in nothing cannot pass -----------------------------------


def test_a_school_with_only_its_profile_gets_an_input_finding(tmp_path: Path) -> None:
    folder = school_dir(tmp_path, {})
    status, out, _ = invoke("--format", "json", folder)
    assert status == 2
    found = [f for f in json.loads(out)["findings"] if f["code"].startswith("INP")]
    assert len(found) == 1 and found[0]["code"] == "INP002"
    assert "handed in nothing besides its profile" in found[0]["message"]
    assert found[0]["location"]["file"].endswith("school.yaml")


def test_a_district_of_profiles_only_names_every_school(tmp_path: Path) -> None:
    root = tmp_path / "d"
    for i in range(300):
        (root / f"s{i:03d}").mkdir(parents=True)
        (root / f"s{i:03d}" / "school.yaml").write_text(
            SCHOOL.read_text(encoding="utf-8").replace("ADV-001", f"ADV-{i:03d}"), encoding="utf-8")
    status, out, _ = invoke("--format", "json", "--jobs", "1", root)
    assert status == 2
    assert sum(f["code"] == "INP002" for f in json.loads(out)["findings"]) == 300


# --- 5, 6. only regular files inside the submission are opened --------------------------


def test_fifos_devices_and_links_out_of_the_submission_are_inp003_unopened(tmp_path: Path) -> None:
    folder = school_dir(tmp_path, {"schedule.csv": HEADER + GOOD})
    os.mkfifo(folder / "homework.csv")  # opening it would block for ever
    (folder / "notes.csv").symlink_to("/etc/passwd")
    for name in ("zones.yaml", "materials.json", "enrollment.xlsx"):
        (folder / name).symlink_to("/dev/zero")
    (folder / "random.yaml").symlink_to("/dev/urandom")
    inner = tmp_path / "inner"
    inner.mkdir()
    (folder / "elsewhere").symlink_to(inner, target_is_directory=True)
    run = cli(tmp_path, "--format", "text", folder, timeout=20)
    assert run.status == 2, run.output
    assert "root:" not in run.stdout
    lines = [line for line in run.stdout.splitlines() if ": INP003 " in line]
    assert len(lines) == 7, run.stdout
    assert any("homework.csv" in line and "a named pipe" in line for line in lines)
    for name in ("notes.csv", "zones.yaml", "materials.json", "enrollment.xlsx", "random.yaml",
                 "elsewhere"):
        assert any(f"{name}: INP003" in line and "outside the submitted folder" in line
                   for line in lines), name
    assert "1 file(s)" in run.stdout or "2 file(s)" in run.stdout  # schedule.csv was read


def test_a_device_named_as_the_path_given_is_inp003_unopened(tmp_path: Path) -> None:
    link = tmp_path / "schedule.yaml"
    link.symlink_to("/dev/zero")  # named on the command line: its target is what was given
    run = cli(tmp_path, "--school", SCHOOL, "--format", "text", link, timeout=20)
    assert run.status == 2
    assert "not a regular file (a device): not opened" in run.stdout


def test_a_link_inside_the_submission_is_followed_and_a_second_link_is_reported(
        tmp_path: Path) -> None:
    folder = school_dir(tmp_path, {"data/schedule.csv": HEADER + GOOD})
    (folder / "a.csv").symlink_to(folder / "data" / "schedule.csv")
    (folder / "b.csv").symlink_to(folder / "data" / "schedule.csv")
    status, out, _ = invoke("--format", "json", folder)
    report = json.loads(out)
    same = [f for f in report["findings"] if f["code"] == "INP003"]
    assert len(same) == 2, same  # the data/ folder's own copy and b.csv: both read as a.csv
    assert all("the same file as" in f["message"] and "a.csv" in f["message"] for f in same)
    assert report["summary"]["files"] == 2  # school.yaml and the schedule, once
    assert status == 2


def test_size_caps_are_checked_before_reading(tmp_path: Path) -> None:
    from compliance.inputs import safety
    from compliance.inputs.raw import ReadError
    from compliance.inputs.yaml_reader import read_text

    big = tmp_path / "big.yaml"
    with big.open("wb") as fh:
        fh.truncate(safety.MAX_YAML_BYTES + 1)  # sparse: no disk used, no byte read
    with pytest.raises(ReadError) as caught:
        read_text(big)
    assert "at most 64 MB are read" in str(caught.value)


# --- 9. a folder that cannot be read costs only itself --------------------------------


@pytest.mark.parametrize("mode", [0, 0o444], ids=["no-permission", "listable-not-searchable"])
def test_an_unreadable_folder_in_a_district_is_inp003_and_the_rest_is_checked(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int) -> None:
    folder = district(tmp_path, 2)
    locked = folder / "s01"
    locked.chmod(mode)
    try:
        if os.geteuid() == 0:
            # root reads anything: give the folder the errors a user would get
            def denied(real: Any, listing: bool) -> Any:
                def call(path: Any, *args: Any, **kwargs: Any) -> Any:
                    text = os.fsdecode(path) if not isinstance(path, int) else ""
                    if text.startswith(str(locked) + os.sep) or (
                            listing and not mode and text == str(locked)):
                        raise PermissionError(13, "Permission denied", text)
                    return real(path, *args, **kwargs)
                return call

            for name in ("stat", "lstat", "listdir"):
                monkeypatch.setattr(os, name, denied(getattr(os, name), name == "listdir"))
        status, out, err = invoke("--format", "text", "--jobs", "1", folder)
    finally:
        locked.chmod(0o755)
    assert status == 2, err
    assert "internal error" not in err
    assert any("/s01" in line and ": INP003 " in line and "Permission denied" in line
               for line in out.splitlines()), out
    assert "ADV-000" in out  # the readable school was still checked


# --- 1. rows hidden behind a pass ------------------------------------------------------


def test_stray_quotes_fold_no_rows_away(tmp_path: Path) -> None:
    from tests.adversarial_corpus import stray_quotes

    path = stray_quotes(tmp_path / "schedule.csv")
    status, out, _ = invoke("--format", "json", "--school", SCHOOL, "--select", "HRS002", path)
    report = json.loads(out)
    refused = {f["location"]["line"]: f["message"] for f in report["findings"]
               if f["code"] == "INP001"}
    assert sorted(refused) == [12, 158, 252]
    assert "would fold lines 12–158 into one cell" in refused[12]
    assert "would fold lines 252–301" in refused[252]
    # the row after the second stray quote is still checked, on its own line
    assert [f["location"]["line"] for f in report["findings"] if f["code"] == "HRS002"] == []
    assert status == 2
    text = invoke("--format", "text", "--school", SCHOOL, path)[1]
    assert "3 of 300 data row(s) not checked" in text


def test_a_late_row_between_stray_quotes_is_found(tmp_path: Path) -> None:
    lines = [GOOD] * 20
    lines[3] = 'Mon-Fri,08:00,11:40,lesson,"张三\n'
    lines[9] = "Mon-Fri,08:00,18:40,lesson,补课\n"  # inside the fold: would pass unseen
    lines[15] = 'Mon-Fri,08:00,11:40,lesson,"李四\n'
    path = tmp_path / "schedule.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    status, out, _ = invoke("--format", "json", "--school", SCHOOL, path)
    found = [(f["code"], f["location"]["line"]) for f in json.loads(out)["findings"]]
    assert ("HRS002", 11) in found
    assert ("INP001", 5) in found and ("INP001", 17) in found
    assert status == 2


def test_a_quoted_line_break_in_a_cell_is_still_one_cell(tmp_path: Path) -> None:
    path = tmp_path / "schedule.csv"
    path.write_text(HEADER + 'Mon-Fri,08:00,11:40,lesson,"上午\n第一节"\n' + GOOD, encoding="utf-8")
    status, out, _ = invoke("--format", "json", "--school", SCHOOL, "--select", "HRS", path)
    assert status == 0, out
    assert json.loads(out)["findings"] == []


def test_a_200_mb_line_mid_file_is_one_refused_row_and_the_rest_is_checked(
        tmp_path: Path) -> None:
    from tests.adversarial_corpus import giant_line_mid_file

    path = giant_line_mid_file(tmp_path / "schedule.csv")
    run = cli(tmp_path, "--school", SCHOOL, "--format", "text", "--select", "HRS002", path,
              timeout=120)
    assert run.status == 2, run.output[-2000:]
    assert f"{path}:7: INP001 error: a value cannot be read: the line is longer than" in run.stdout
    assert [f"{path}:{n} [end]: HRS002" in run.stdout for n in range(8, 13)] == [True] * 5
    assert "1 of 11 data row(s) not checked" in run.stdout
    assert len(run.stdout) < 10_000


def test_a_giant_header_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "schedule.csv"
    with path.open("wb") as fh:
        for _ in range(300):
            fh.write(b"a" * (1 << 20))
        fh.write(b"\n" + GOOD.encode())
    run = cli(tmp_path, "--school", SCHOOL, "--format", "text", path, timeout=60)
    assert run.status == 2
    assert f"{path}:1: INP003" in run.stdout


# --- 10. smaller -------------------------------------------------------------------------


def test_mixed_utf8_and_gbk_under_a_megabyte_is_reported_where_it_changes(tmp_path: Path) -> None:
    from tests.adversarial_corpus import mixed_encoding_small

    path = mixed_encoding_small(tmp_path / "schedule.csv")
    status, out, _ = invoke("--format", "text", "--school", SCHOOL, path)
    assert f"{path}:7: INP003" in out and "UTF-8 up to this line" in out, out
    assert status == 2


def test_line_numbers_after_a_refused_line_stay_right(tmp_path: Path) -> None:
    path = tmp_path / "schedule.csv"
    path.write_text(HEADER + 'Mon-Fri,08:00,11:40,lesson,"x\n' + GOOD
                    + "Mon-Fri,08:00,18:40,lesson,late\n", encoding="utf-8")
    _, out, _ = invoke("--format", "json", "--school", SCHOOL, "--select", "HRS002", path)
    found = sorted((f["location"]["line"], f["code"]) for f in json.loads(out)["findings"])
    assert found == [(2, "INP001"), (4, "HRS002")]


# --- 5. width caps for YAML and JSON ------------------------------------------------------


@pytest.mark.parametrize("fmt", ["json", "yaml-block", "yaml-flow"])
def test_rows_with_200k_distinct_keys_are_refused_quickly(tmp_path: Path, fmt: str) -> None:
    if fmt == "json":
        rows = [{"date": "2025-10-09", "class": "3-2", f"k{i}": "x"} for i in range(200_000)]
        path = tmp_path / "homework.json"
        path.write_text(json.dumps({"kind": "homework", "rows": rows}), encoding="utf-8")
    else:
        form = ("  - date: 2025-10-09\n    k{}: x\n" if fmt == "yaml-block"
                else "  - {{date: 2025-10-09, k{}: x}}\n")
        path = tmp_path / "homework.yaml"
        path.write_text("kind: homework\nrows:\n" + "".join(form.format(i) for i in range(200_000)),
                        encoding="utf-8")
    started = time.monotonic()
    run = cli(tmp_path, "--school", SCHOOL, "--format", "text", path, timeout=120)
    assert run.status == 2
    assert "more than 1000 different keys" in run.stdout
    print(f"{fmt}: {time.monotonic() - started:.1f} s")  # seconds, not the minutes of before


def test_a_10k_digit_number_is_a_cell_to_fix_not_a_python_limit(tmp_path: Path) -> None:
    digits = "9" * 10_000
    path = tmp_path / "homework.json"
    path.write_text('{"kind": "homework", "rows": [\n{"date": "2025-10-09", "class": "3-2", '
                    f'"subject": "语文", "minutes": {digits}, "published": true}}\n]}}',
                    encoding="utf-8")
    status, out, _ = invoke("--format", "text", "--school", SCHOOL, path)
    assert "set_int_max_str_digits" not in out
    assert f"{path}:2 [minutes]: INP001" in out and "expected a whole number" in out, out
    assert status == 2


# --- 5. workbooks: <dimension> and the last column are never trusted ---------------------


def test_a_small_workbook_declaring_every_cell_is_read_in_seconds(tmp_path: Path) -> None:
    from tests.adversarial_corpus import xlsx_huge_dimension

    path = xlsx_huge_dimension(tmp_path / "schedule.xlsx")
    assert path.stat().st_size < 4096
    started = time.monotonic()
    run = cli(tmp_path, "--school", SCHOOL, "--format", "text", "--select", "HRS002", path,
              timeout=60)
    assert time.monotonic() - started < 30
    assert f"{path}[schedule]:2 [end]: HRS002" in run.stdout, run.output
    # the far row, on its own line number: 25:00 is no time
    assert f"{path}[schedule]:1048576 [end]: INP001" in run.stdout, run.stdout
    assert run.status == 2


def test_one_cell_in_column_xfd_on_300k_rows_is_read_in_seconds(tmp_path: Path) -> None:
    from tests.adversarial_corpus import xlsx_far_column

    path = xlsx_far_column(tmp_path / "schedule.xlsx")
    started = time.monotonic()
    run = cli(tmp_path, "--school", SCHOOL, "--format", "text", "--select", "HRS002", path,
              timeout=180)
    took = time.monotonic() - started
    assert run.status == 2, run.output[-2000:]
    assert f"{path}[schedule]:2 [end]: HRS002" in run.stdout
    assert "300000 of 300001 data row(s) not checked" in run.stdout
    print(f"300k rows with a cell in XFD: {took:.1f} s")


def test_an_encrypted_workbook_says_so(tmp_path: Path) -> None:
    from tests.adversarial_corpus import encrypted_xlsx

    path = encrypted_xlsx(tmp_path / "schedule.xlsx")
    status, out, _ = invoke("--format", "text", "--school", SCHOOL, path)
    assert f"{path}: INP003" in out and "password-protected" in out
    assert "zip" not in out
    assert status == 2


def test_refused_lines_under_a_title_row_are_each_one_finding(tmp_path: Path) -> None:
    rows = [f"Mon-Fri,08:00,11:40,lesson,x{i}\n" for i in range(20)]
    rows[3] = 'Mon-Fri,08:00,11:40,lesson,"张三\n'
    rows[12] = 'Mon-Fri,08:00,11:40,lesson,"李四\n'
    rows[15] = "Mon-Fri,08:00,11:40,lesson," + "y" * (1 << 21) + "\n"
    path = tmp_path / "schedule.csv"
    path.write_text("某某小学作息时间表\n\n" + HEADER + "".join(rows), encoding="utf-8")
    status, out, _ = invoke("--format", "text", "--school", SCHOOL, path)
    assert [line.split(": INP001")[0] for line in out.splitlines() if ": INP001" in line] == [
        f"{path}:7", f"{path}:16", f"{path}:19"]
    assert "3 of 20 data row(s) not checked" in out
    assert status == 2


# --- 8. names and ids --------------------------------------------------------------------


@pytest.mark.parametrize("invisible", ["\u200b", "\ufeff", "\u2060", "\u200e"])
def test_ids_differing_only_by_format_characters_are_one_student(tmp_path: Path,
                                                                 invisible: str) -> None:
    from tests.test_pack_enrollment import HEADER as ENROLLMENT
    from tests.test_pack_enrollment import district as enrollment_district

    root = enrollment_district(tmp_path, {
        "a-001": {"enrollment.csv": ENROLLMENT + "G2102X,张三,1,Z01,,否,,,就近\n"},
        "b-002": {"enrollment.csv": ENROLLMENT + f"G21{invisible}02X,张三,1,Z01,,否,,,就近\n"},
    })
    _, out, _ = invoke("--format", "json", "--select", "ENR004", root)
    assert [f["code"] for f in json.loads(out)["findings"]] == ["ENR004"]


NOT_UTF8 = os.fsdecode("中山学校".encode("gbk"))  # a Windows zip's folder name, unpacked on Linux


@pytest.mark.parametrize("fmt", ["json", "text", "csv", "sarif", "junit", "html", "xlsx"])
def test_a_folder_name_that_is_not_utf8_is_shown_with_replacement_characters(
        tmp_path: Path, fmt: str) -> None:
    folder = tmp_path / NOT_UTF8
    folder.mkdir()
    (folder / "school.yaml").write_bytes(SCHOOL.read_bytes())
    (folder / "schedule.csv").write_text(HEADER + "Mon-Fri,08:00,25:00,lesson,x\n", encoding="utf-8")
    out = tmp_path / f"report.{fmt}"
    run = cli(tmp_path, "--format", fmt, "-o", out, folder)
    assert run.status == 2, run.output
    data = out.read_bytes()
    if fmt == "xlsx":
        import openpyxl

        book = openpyxl.load_workbook(out, read_only=True)
        cells = [str(c) for ws in book.worksheets for row in ws.iter_rows(values_only=True)
                 for c in row if c is not None]
        assert any("\ufffd" in c for c in cells)
        return
    text = data.decode("utf-8")  # strictly valid UTF-8
    assert "\ufffd" in text or "\\ufffd" in text or "%EF%BF%BD" in text  # SARIF: a URI
    if fmt in ("json", "sarif"):
        json.loads(text)
    # and on stdout, where the JSON report used to be invalid UTF-8
    if fmt == "json":
        proc = subprocess.run(cli_argv("--format", "json", folder), capture_output=True,
                              timeout=30, preexec_fn=_limits, env=cli_env(tmp_path), check=False)
        json.loads(proc.stdout.decode("utf-8"))


def test_ctrl_c_during_the_write_leaves_the_earlier_report_and_no_temporary_file(
        tmp_path: Path, hostile: Path) -> None:
    folder = school_dir(tmp_path, {"schedule.csv": HEADER + GOOD})
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "report.json"
    out.write_text("the earlier report", encoding="utf-8")
    mark = tmp_path / "mark"
    proc = subprocess.Popen(cli_argv("--plugins-dir", hostile, "--format", "slow", "-o", out,
                                     folder),
                            env=cli_env(tmp_path, HOSTILE_MARK=str(mark)), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=_limits, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while not mark.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert sorted(p.name for p in out_dir.iterdir())[0].startswith(".report.json.")
        os.killpg(proc.pid, signal.SIGINT)
        _, err = proc.communicate(timeout=10)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert proc.returncode == 130
    assert err.decode().startswith("compliance: interrupted by SIGINT")
    assert [p.name for p in out_dir.iterdir()] == ["report.json"]
    assert out.read_text(encoding="utf-8") == "the earlier report"
