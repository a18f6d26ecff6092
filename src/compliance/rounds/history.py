"""Every run recorded in an SQLite database (``--history FILE.db``).

The schema is made by numbered migrations, each applied in a transaction and noted
in ``schema_migrations``, so a database from any earlier release is brought up to
date when opened.  A run is written in one transaction: a run that is killed leaves
the database as it was.  The database is in WAL mode and waits (``timeout``) for
another run that is writing; it never holds a child's name or raw student id:
findings are stored masked, and ids only inside fingerprints.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from compliance.host.errors import UsageError
from compliance.outputs.report import Report
from compliance.rules.context import PERSONAL_KEYS, mask
from compliance.rules.finding import SEVERITIES, Finding

#: each release's schema changes, in order; never edit one that was released
MIGRATIONS: list[list[str]] = [
    # 1: runs, the files they read and their findings
    [
        """CREATE TABLE runs (
            id INTEGER PRIMARY KEY,
            time TEXT NOT NULL,
            tool_version TEXT NOT NULL,
            profile TEXT NOT NULL,
            evidence TEXT NOT NULL)""",
        """CREATE TABLE run_files (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            path TEXT NOT NULL,
            size INTEGER NOT NULL,
            sha256 TEXT NOT NULL)""",
        """CREATE TABLE findings (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            school_id TEXT,
            code TEXT NOT NULL,
            severity TEXT NOT NULL,
            fingerprint TEXT NOT NULL,
            message TEXT NOT NULL,
            file TEXT NOT NULL,
            line INTEGER,
            subject TEXT NOT NULL,
            waived INTEGER NOT NULL DEFAULT 0)""",
        "CREATE INDEX findings_by_run ON findings(run_id, school_id)",
    ],
    # 2: which schools and rules a run checked (a school with no findings left is
    # known to be clean), and the fingerprint key the database is bound to
    [
        """CREATE TABLE run_schools (
            run_id INTEGER NOT NULL REFERENCES runs(id),
            school_id TEXT NOT NULL,
            PRIMARY KEY (run_id, school_id))""",
        """INSERT INTO run_schools (run_id, school_id)
            SELECT DISTINCT run_id, school_id FROM findings WHERE school_id IS NOT NULL""",
        "ALTER TABLE runs ADD COLUMN checked TEXT NOT NULL DEFAULT '[]'",
        "CREATE TABLE settings (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)

STATUS = {"open": "未整改", "fixed": "已整改", "waived": "已豁免"}


@dataclass(frozen=True)
class Round:
    """One recorded run as far as one school is concerned."""

    run_id: int
    time: str
    checked: frozenset[str]

    def checks(self, code: str) -> bool:
        return not self.checked or code in self.checked or code.startswith(("INP", "ERR"))


class History:
    """An open history database (created and migrated on opening).

    :param timeout: seconds to wait for another run that is writing.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0, create: bool = True):
        self.path = Path(path)
        if not create and not self.path.is_file():
            raise UsageError(f"{self.path}: no such history database")
        try:
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
            self.db.execute("PRAGMA foreign_keys = ON")
            mode = self.db.execute("PRAGMA journal_mode = WAL").fetchone()
            del mode  # WAL where the file system allows it; rollback journal otherwise
            self._migrate()
        except sqlite3.DatabaseError as exc:
            raise self._error(exc) from None

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> History:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _error(self, exc: sqlite3.Error) -> UsageError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return UsageError(f"{self.path}: the history database is busy (another run is "
                              "writing to it); try again when it has finished")
        if "not a database" in text or "malformed" in text:
            return UsageError(f"{self.path}: not a compliance history database ({text})")
        return UsageError(f"{self.path}: history database error: {text}")

    # -- schema ------------------------------------------------------------------

    def version(self) -> int:
        """The schema version the database is at (0: empty)."""
        has = self.db.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = "
                              "'schema_migrations'").fetchone()
        if not has:
            return 0
        row = self.db.execute("SELECT MAX(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def _migrate(self, upto: int = SCHEMA_VERSION) -> None:
        if self.version() > SCHEMA_VERSION:
            raise UsageError(f"{self.path}: made by a newer compliance (schema version "
                             f"{self.version()}, this one knows {SCHEMA_VERSION}); upgrade")
        if self.version() >= upto:
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            self.db.execute("CREATE TABLE IF NOT EXISTS schema_migrations ("
                            "version INTEGER PRIMARY KEY, applied TEXT NOT NULL)")
            for number in range(self.version() + 1, upto + 1):
                for statement in MIGRATIONS[number - 1]:
                    self.db.execute(statement)
                self.db.execute("INSERT INTO schema_migrations VALUES (?, datetime('now'))",
                                (number,))
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise

    # -- the key -----------------------------------------------------------------

    def key_id(self) -> str | None:
        row = self.db.execute("SELECT value FROM settings WHERE name = 'key_id'").fetchone()
        return row[0] if row else None

    def check_key(self, key_id: str) -> None:
        """Refuse a run whose fingerprint key is not the one the database was made with."""
        known = self.key_id()
        if known is not None and known != key_id:
            raise UsageError(
                f"{self.path}: this history was recorded with fingerprint key {known}, but "
                f"this run uses key {key_id}: its fingerprints would not match. Use the "
                "earlier key (COMPLIANCE_FINGERPRINT_KEY, fingerprint_key in the settings, "
                "or the key file of the user who recorded it), or start a new history file")

    # -- writing -----------------------------------------------------------------

    def record(self, report: Report, key_id: str, *, pii_shown: bool = False) -> int:
        """Record ``report`` as a new round in one transaction; its run id.

        :param pii_shown: the report's findings carry names and ids unmasked
            (``--show-pii``); they are masked before they are stored.
        """
        evidence = report.evidence or {}
        run = evidence.get("run", {})
        try:
            self.db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise self._error(exc) from None
        try:
            self.check_key(key_id)
            self.db.execute("INSERT OR IGNORE INTO settings VALUES ('key_id', ?)", (key_id,))
            cursor = self.db.execute(
                "INSERT INTO runs (time, tool_version, profile, evidence, checked) "
                "VALUES (?, ?, ?, ?, ?)",
                (run.get("time", ""), report.tool.get("version", ""), report.profile,
                 json.dumps(evidence, ensure_ascii=False, sort_keys=True),
                 json.dumps(sorted(report.checked))))
            run_id = int(cursor.lastrowid or 0)
            self.db.executemany(
                "INSERT INTO run_files VALUES (?, ?, ?, ?)",
                [(run_id, f["path"], f["size"], f["sha256"]) for f in evidence.get("files", [])])
            schools = sorted(set(report.schools) | {f.school_id for f in report.findings
                                                      if f.school_id})
            self.db.executemany("INSERT INTO run_schools VALUES (?, ?)",
                                [(run_id, s) for s in schools])
            self.db.executemany(
                "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _finding_rows(run_id, report.findings, pii_shown))
            self.db.execute("COMMIT")
        except BaseException as exc:
            self.db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from None
            raise
        return run_id

    # -- reading -----------------------------------------------------------------

    def rounds_of(self, school_id: str) -> list[Round]:
        """The rounds that checked ``school_id``, oldest first."""
        rows = self.db.execute(
            "SELECT r.id, r.time, r.checked FROM runs r JOIN run_schools s ON s.run_id = r.id "
            "WHERE s.school_id = ? ORDER BY r.id", (school_id,)).fetchall()
        return [Round(i, t, frozenset(json.loads(c))) for i, t, c in rows]

    def findings_of(self, run_id: int, school_id: str | None = None) -> list[dict[str, Any]]:
        """A round's findings (of one school) as JSON-report dicts."""
        sql = ("SELECT school_id, code, severity, fingerprint, message, file, line, subject, "
               "waived FROM findings WHERE run_id = ?")
        args: tuple[Any, ...] = (run_id,)
        if school_id is not None:
            sql += " AND school_id = ?"
            args += (school_id,)
        return [
            {"code": code, "severity": severity, "school_id": sid, "message": message,
             "location": {"file": file, "line": line}, "subject": json.loads(subject),
             "fingerprint": fp, "waived": bool(waived)}
            for sid, code, severity, fp, message, file, line, subject, waived
            in self.db.execute(sql + " ORDER BY rowid", args)
        ]

    def previous(self, schools: Iterable[str]) -> list[dict[str, Any]]:
        """Each school's findings in its latest recorded round (the implicit baseline)."""
        out: list[dict[str, Any]] = []
        for school_id in sorted(set(schools)):
            rounds = self.rounds_of(school_id)
            if rounds:
                out.extend(self.findings_of(rounds[-1].run_id, school_id))
        return out

    def _fingerprints(self, run_id: int, school_id: str) -> Counter[str]:
        return Counter(fp for (fp,) in self.db.execute(
            "SELECT fingerprint FROM findings WHERE run_id = ? AND school_id = ?",
            (run_id, school_id)))

    def rounds(self, school: str | None = None) -> list[dict[str, Any]]:
        """Every round (or those that checked ``school``), oldest first: id, time, profile,
        curriculum plan, schools, findings by severity (waived ones apart), and new /
        still there / fixed against each school's previous round (``new + still`` is
        every finding of the round, waived ones included)."""
        # the plan is read from the stored evidence by SQLite, not by parsing every run's JSON
        runs = self.db.execute(
            "SELECT id, time, profile, CASE WHEN json_valid(evidence) "
            "THEN json_extract(evidence, '$.run.curriculum') END FROM runs ORDER BY id").fetchall()
        last: dict[str, Counter[str]] = {}
        out = []
        for run_id, time, profile, curriculum in runs:
            schools = [s for (s,) in self.db.execute(
                "SELECT school_id FROM run_schools WHERE run_id = ? ORDER BY school_id",
                (run_id,))]
            if school is not None:
                if school not in schools:
                    continue
                schools = [school]
            new = still = fixed = 0
            for sid in schools:
                now = self._fingerprints(run_id, sid)
                before = last.get(sid)
                if before is not None:
                    new += sum((now - before).values())
                    still += sum((now & before).values())
                    fixed += sum((before - now).values())
                else:
                    new += sum(now.values())
                last[sid] = now
            severity = Counter[str]()
            waived = 0
            sql = "SELECT severity, waived FROM findings WHERE run_id = ?"
            args: tuple[Any, ...] = (run_id,)
            if school is not None:
                sql += " AND school_id = ?"
                args += (school,)
            for sev, is_waived in self.db.execute(sql, args):
                if is_waived:
                    waived += 1
                else:
                    severity[sev] += 1
            out.append({"round": run_id, "time": time, "profile": profile,
                        "curriculum": curriculum if isinstance(curriculum, str) else None,
                        "schools": schools, "findings": sum(severity.values()),
                        "by_severity": {s: severity[s] for s in SEVERITIES if severity[s]},
                        "waived": waived, "new": new, "still": still, "fixed": fixed})
        return out

    def trend(self, schools: Iterable[str]) -> dict[str, list[dict[str, Any]]]:
        """Per school, its findings (not waived) per round, oldest first."""
        out: dict[str, list[dict[str, Any]]] = {}
        for school_id in sorted(set(schools)):
            points = []
            for rnd in self.rounds_of(school_id):
                (count,) = self.db.execute(
                    "SELECT COUNT(*) FROM findings WHERE run_id = ? AND school_id = ? "
                    "AND waived = 0", (rnd.run_id, school_id)).fetchone()
                points.append({"round": rnd.run_id, "time": rnd.time, "findings": count})
            if points:
                out[school_id] = points
        return out

    def ledger(self) -> list[dict[str, Any]]:
        """The rectification ledger (整改台账): one row per fingerprint ever seen."""
        schools = [s for (s,) in self.db.execute(
            "SELECT DISTINCT school_id FROM run_schools ORDER BY school_id")]
        times = dict(self.db.execute("SELECT id, time FROM runs"))
        rows: list[dict[str, Any]] = []
        for school_id in schools:
            rounds = self.rounds_of(school_id)
            seen: dict[str, dict[str, Any]] = {}
            for rnd in rounds:
                for code, fp, message, waived in self.db.execute(
                        "SELECT code, fingerprint, message, waived FROM findings "
                        "WHERE run_id = ? AND school_id = ? ORDER BY rowid",
                        (rnd.run_id, school_id)):
                    entry = seen.get(fp)
                    if entry is None or entry["last"] != rnd.run_id:
                        if entry is None:
                            entry = seen[fp] = {"code": code, "first": rnd.run_id}
                        entry.update(last=rnd.run_id, message=message, waived=bool(waived))
                    else:
                        entry["waived"] = entry["waived"] and bool(waived)
            for fp, entry in seen.items():
                code = entry["code"]
                checking = [r.run_id for r in rounds if r.checks(code)]
                later = [r for r in checking if r > entry["last"]]
                if later:
                    status, fixed_in = "fixed", later[0]
                else:
                    status, fixed_in = ("waived" if entry["waived"] else "open"), None
                rows.append({
                    "school_id": school_id, "code": code, "fingerprint": fp,
                    "message": entry["message"],
                    "first_seen": entry["first"], "first_seen_time": times[entry["first"]],
                    "last_seen": entry["last"], "last_seen_time": times[entry["last"]],
                    "status": STATUS[status], "fixed_in": fixed_in,
                    "fixed_in_time": times[fixed_in] if fixed_in else None,
                })
        rows.sort(key=lambda r: (r["school_id"], r["code"], r["first_seen"], r["fingerprint"]))
        return rows


def _finding_rows(run_id: int, findings: Iterable[Finding], pii_shown: bool,
                  ) -> Iterator[tuple[Any, ...]]:
    """The rows of ``findings``, masked (made one at a time as they are inserted)."""
    for f in findings:
        subject, message = (_masked(f) if pii_shown else (f.subject, f.message))
        yield (run_id, f.school_id, f.code, f.severity, f.fingerprint, message,
               f.location.file, f.location.line,
               json.dumps(subject, ensure_ascii=False, sort_keys=True), int(f.waived))


def _masked(finding: Finding) -> tuple[dict[str, Any], str]:
    """A finding's subject and message with names and ids masked, as without --show-pii:
    as the finding factory masked them (``Finding.masked``); for a finding made without
    it (a waiver's, a plugin's own), by the built-in personal keys."""
    if finding.masked is not None:
        return finding.masked
    subject = dict(finding.subject)
    message = finding.message
    for key in sorted(PERSONAL_KEYS & subject.keys()):
        raw = subject[key]
        subject[key] = mask(key, raw)
        for shown, hidden in zip(raw if isinstance(raw, list) else [raw],
                                 subject[key] if isinstance(raw, list) else [subject[key]],
                                 strict=True):
            if shown:
                message = message.replace(str(shown), str(hidden))
    return subject, message


def format_rounds(rounds: list[dict[str, Any]], lang: str) -> str:
    """The rounds as lines for a terminal (``compliance history FILE.db``)."""
    from rich.cells import cell_len

    from compliance.outputs.labels import t

    zh = lang == "zh"
    if not rounds:
        return "历史库中还没有检查记录。" if zh else "No rounds recorded yet."
    names = (["轮次", "时间", "学校", "问题", "新增", "未整改", "已整改", "级别"] if zh else
             ["round", "time", "schools", "findings", "new", "still", "fixed", "by severity"])
    table = [names]
    for r in rounds:
        sev = ", ".join(f"{t(s, lang)} {n}" for s, n in r["by_severity"].items()) or "-"
        if r["waived"]:
            sev += f" ({'已豁免' if zh else 'waived'} {r['waived']})"
        table.append([str(r["round"]), str(r["time"]), str(len(r["schools"])), str(r["findings"]),
                      str(r["new"]), str(r.get("still", 0)), str(r["fixed"]), sev])
    # columns as wide as their widest cell in terminal columns (a Chinese character
    # takes two); the first two to the left, the counts to the right
    widths = [max(cell_len(row[c]) for row in table) for c in range(len(names) - 1)]
    lines = []
    for row in table:
        cells = []
        for c, width in enumerate(widths):
            pad = " " * (width - cell_len(row[c]))
            cells.append(row[c] + pad if c < 2 else pad + row[c])
        lines.append(" ".join(cells) + "  " + row[-1])
    return "\n".join(lines)
