"""--history FILE.db: rounds recorded in SQLite, one transaction per run; the implicit
baseline; `compliance history`; the rectification ledger; the key the history is
bound to; nothing personal stored."""

from __future__ import annotations

import csv
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine, RunOptions
from compliance.host.errors import UsageError
from compliance.rounds.apply import RoundOptions, apply_rounds
from compliance.rounds.history import MIGRATIONS, SCHEMA_VERSION, History

from .conftest import ROOT, SAMPLES
from .rounds_support import copy_district, read_csv, write_csv

runner = CliRunner()
ZS = str(SAMPLES / "zhongshan")


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def check(*args: str) -> tuple[int, dict]:
    code, out = invoke("check", *args, "--format", "json")
    return code, json.loads(out) if out.startswith("{") else {"error": out}


def counts(db: Path) -> tuple[int, int]:
    with sqlite3.connect(db) as conn:
        runs = conn.execute("SELECT COUNT(*) FROM runs").fetchone()[0]
        findings = conn.execute("SELECT COUNT(*) FROM findings").fetchone()[0]
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return runs, findings


def drop_row(folder: Path, file: str, text: str) -> None:
    path = folder / "zs-002" / file
    rows = read_csv(path)
    kept = [r for r in rows if not any(text in cell for cell in r)]
    assert len(kept) == len(rows) - 1
    write_csv(path, kept)


def test_history_compares_with_the_previous_round_of_the_same_schools(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    code, first = check(ZS, "--history", str(db))
    assert code == 1 and {f["baseline"] for f in first["findings"]} == {"new"}
    folder = copy_district(tmp_path / "zhongshan")
    drop_row(folder, "教辅征订.csv", "口算天天练 二年级上")
    _, second = check(str(folder), "--history", str(db))
    assert [f["code"] for f in second["fixed"]] == ["WBK001"]
    assert {f["baseline"] for f in second["findings"]} == {"unchanged"}
    assert counts(db) == (2, 26 + 25)
    code, out = invoke("history", str(db), "--format", "json")
    rounds = json.loads(out)
    assert [(r["round"], r["findings"], r["new"], r["fixed"]) for r in rounds] == [
        (1, 26, 26, 0), (2, 25, 0, 1)]
    assert [r["still"] for r in rounds] == [0, 25]  # 未整改: in this round and the one before
    assert {r["curriculum"] for r in rounds} == {"national-2022"}
    assert rounds[0]["time"] == "2025-12-01T00:00:00Z"  # SOURCE_DATE_EPOCH (conftest)
    code, out = invoke("history", str(db), "--school", "ZS-001", "--lang", "zh")
    assert code == 0 and "轮次" in out and len(out.strip().splitlines()) == 3
    code, out = invoke("history", str(db))  # the terminal table: new, still there, fixed
    head, one, two = out.strip().splitlines()
    assert head.split()[4:7] == ["new", "still", "fixed"]
    assert one.split()[4:7] == ["26", "0", "0"] and two.split()[4:7] == ["0", "25", "1"]
    code, out = invoke("history", str(db), "--school", "ZS-002", "--format", "json")
    assert [r["schools"] for r in json.loads(out)] == [["ZS-002"], ["ZS-002"]]


def test_the_html_report_of_a_run_with_history_has_a_trend_per_school(tmp_path: Path) -> None:
    db, page = tmp_path / "h.db", tmp_path / "r.html"
    invoke("check", ZS, "--history", str(db), "--format", "json", "-o", str(tmp_path / "1.json"))
    invoke("check", ZS, "--history", str(db), "--format", "html", "-o", str(page))
    html = page.read_text("utf-8")
    assert 'id="trend"' in html
    assert html.count('class="chart trend"') == 4  # one per school of the samples
    assert "第1轮" not in html and "round 2" in html  # the run's language (en here)


def test_the_ledger_over_three_rounds(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    folder = copy_district(tmp_path / "zhongshan")
    check(str(folder), "--history", str(db))                     # round 1
    drop_row(folder, "教辅征订.csv", "口算天天练 二年级上")          # WBK001 rectified
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text("waivers:\n  - code: HOL002\n    school_id: ZS-002\n"
                       "    reason: 区教育局批准的月考\n    approved_by: 中山区教育局\n"
                       "    expires: 2099-12-31\n", encoding="utf-8")
    check(str(folder), "--history", str(db), "--waivers", str(waivers))   # round 2
    drop_row(folder, "教辅征订.csv", "课时作业本 七年级数学上")        # WBK002 rectified
    check(str(folder), "--history", str(db), "--waivers", str(waivers))   # round 3
    xlsx, csv_file = tmp_path / "整改台账.xlsx", tmp_path / "整改台账.csv"
    code, out = invoke("history", str(db), "--ledger", "-o", str(xlsx), "--lang", "zh")
    assert code == 0, out
    code, out = invoke("history", str(db), "--ledger", "-o", str(csv_file), "--lang", "zh")
    assert code == 0, out
    from openpyxl import load_workbook

    sheet = load_workbook(xlsx).active
    assert sheet is not None
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    header = rows[0]
    assert header[:3] == ["学校代码", "规则代码", "问题"]
    by_code = {r[1]: dict(zip(header, r, strict=True)) for r in rows[1:]}
    assert len(rows) - 1 == 26  # one row per fingerprint ever seen
    assert (by_code["WBK001"]["状态"], by_code["WBK001"]["整改轮次"]) == ("已整改", 2)
    assert (by_code["WBK002"]["状态"], by_code["WBK002"]["整改轮次"]) == ("已整改", 3)
    assert (by_code["HOL002"]["状态"], by_code["HOL002"]["整改轮次"]) == ("已豁免", None)
    hrs = by_code["HRS001"]
    assert (hrs["状态"], hrs["首次发现轮次"], hrs["最近发现轮次"]) == ("未整改", 1, 3)
    with csv_file.open(encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    assert table[0] == header and len(table) == len(rows)
    assert {r[1]: r[7] for r in table[1:]}["WBK001"] == "已整改"


def test_ledger_needs_an_output_and_a_history(tmp_path: Path) -> None:
    code, out = invoke("history", str(tmp_path / "none.db"))
    assert code == 2 and "no such history database" in out
    db = tmp_path / "h.db"
    check(ZS, "--history", str(db))
    code, out = invoke("history", str(db), "--ledger")
    assert code == 2 and "-o" in out
    code, out = invoke("history", str(db), "--ledger", "-o", str(tmp_path / "l.txt"))
    assert code == 2 and "xlsx or csv" in out


def test_a_run_with_another_key_is_refused_clearly(tmp_path: Path,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "h.db"
    check(ZS, "--history", str(db))
    monkeypatch.setenv("COMPLIANCE_FINGERPRINT_KEY", "a different key")
    code, out = invoke("check", ZS, "--history", str(db))
    assert code == 2
    assert "fingerprint key" in out and "Traceback" not in out
    assert counts(db)[0] == 1


def test_nothing_personal_is_stored_even_with_show_pii(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    _, report = check(ZS, "--history", str(db), "--show-pii")
    personal = {str(f["subject"][k]) for f in report["findings"]
                for k in ("student_id", "name") if k in f["subject"]}
    assert len(personal) >= 10 and not any("*" in p for p in personal)  # shown unmasked
    with sqlite3.connect(db) as conn:
        dump = "\n".join(conn.iterdump())
    assert not [p for p in personal if p in dump]
    assert "***************4321" in dump  # the masked form is kept


def test_a_database_of_an_older_schema_is_migrated(tmp_path: Path) -> None:
    """A database written by the first release (schema 1: no run_schools, no key)."""
    _, earlier = check(ZS)
    db = tmp_path / "old.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, "
                     "applied TEXT NOT NULL)")
        for statement in MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute("INSERT INTO schema_migrations VALUES (1, '2025-09-01 00:00:00')")
        conn.execute("INSERT INTO runs VALUES (1, '2025-09-01T00:00:00Z', '0.1.0', "
                     "'default', '{}')")
        conn.executemany(
            "INSERT INTO findings VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?, 0)",
            [(f["school_id"], f["code"], f["severity"], f["fingerprint"], f["message"],
              f["location"]["file"], f["location"]["line"], json.dumps(f["subject"]))
             for f in earlier["findings"]])
    code, now = check(ZS, "--history", str(db))
    assert code == 1
    assert {f["baseline"] for f in now["findings"]} == {"unchanged"}
    with History(db) as history:
        assert history.version() == SCHEMA_VERSION
        assert [r.run_id for r in history.rounds_of("ZS-002")] == [1, 2]
    assert counts(db) == (2, 52)


def test_a_newer_or_foreign_database_is_refused(tmp_path: Path) -> None:
    newer = tmp_path / "newer.db"
    with History(newer) as history:
        history.db.execute("INSERT INTO schema_migrations VALUES (99, 'later')")
    with pytest.raises(UsageError, match="newer compliance"):
        History(newer)
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not a database at all" * 100)
    code, out = invoke("check", ZS, "--history", str(junk))
    assert code == 2 and "not a compliance history database" in out


# -- interrupted and concurrent writers ---------------------------------------------

SLOW_WRITER = """
import pathlib, sys, time
from compliance.host.engine import Engine, RunOptions
from compliance.rounds import history
from compliance.rounds.apply import RoundOptions, apply_rounds

db, marker, pause = sys.argv[1], pathlib.Path(sys.argv[2]), float(sys.argv[3])
rows = history._finding_rows

def slow(*args):
    for index, row in enumerate(rows(*args)):
        if index == 3:  # between findings, inside the run's transaction
            marker.write_text("writing")
            time.sleep(pause)
        yield row

history._finding_rows = slow
engine = Engine(RunOptions(entry_points=False, jobs=1))
paths = [sys.argv[4]]
report = engine.check(paths)
apply_rounds(report, engine, paths, RoundOptions(history=db))
print("recorded")
"""


def _slow_writer(db: Path, marker: Path, pause: float) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    proc = subprocess.Popen([sys.executable, "-c", SLOW_WRITER, str(db), str(marker),
                             str(pause), ZS], env=env, text=True, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while not marker.exists():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "the writer never reached its findings"
        time.sleep(0.05)
    return proc


def test_a_run_killed_mid_write_leaves_the_database_as_it_was(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    check(ZS, "--history", str(db))
    before = counts(db)
    proc = _slow_writer(db, tmp_path / "marker", 600)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=60)
    assert counts(db) == before == (1, 26)
    code, _ = check(ZS, "--history", str(db))  # and the database is usable
    assert code == 1 and counts(db) == (2, 52)


def test_two_runs_writing_at_once_take_turns(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    check(ZS, "--history", str(db))
    proc = _slow_writer(db, tmp_path / "marker", 2)
    started = time.monotonic()
    code, report = check(ZS, "--history", str(db))  # waits for the writer's transaction
    waited = time.monotonic() - started
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0 and "recorded" in out, err
    assert code == 1 and report["findings"]
    assert waited > 0.5
    assert counts(db) == (3, 78)


def test_a_writer_that_cannot_wait_longer_fails_clearly(tmp_path: Path) -> None:
    db = tmp_path / "h.db"
    engine = Engine(RunOptions(entry_points=False, jobs=1))
    report = engine.check([ZS])
    apply_rounds(report, engine, [ZS], RoundOptions(history=str(db)))
    blocker = sqlite3.connect(db, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    try:
        with History(db, timeout=0.2) as history, pytest.raises(UsageError, match="busy"):
            history.record(report, engine.fingerprinter.key.id)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert counts(db) == (1, 26)
