"""The report of one run: findings in a stable order, what was skipped, and a summary."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from compliance.outputs.spilled import Findings, close
from compliance.rules.finding import SEVERITIES, SEVERITY_RANK, Finding


@dataclass
class Skipped:
    """Rules that did not run for a school, and why."""

    school_id: str
    codes: list[str]
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"school_id": self.school_id, "codes": self.codes, "reason": self.reason}


@dataclass
class Report:
    """Everything a reporter needs."""

    tool: dict[str, str]
    profile: str
    lang: str
    # in sort_key order: a list, or past a limit read back from disk (outputs/spilled.py)
    findings: Findings
    schools: dict[str, str]  # id -> name
    files: int
    skipped: list[Skipped] = field(default_factory=list)
    rows_read: int = 0
    rows_rejected: int = 0
    waivers: list[dict[str, Any]] = field(default_factory=list)
    titles: dict[str, dict[str, str]] = field(default_factory=dict)
    # school id -> its schedule entries (see schedule_rows), for the HTML week view.
    schedules: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The rule codes that were selected for the run (JUnit: one case per rule).
    checked: list[str] = field(default_factory=list)
    # school id -> its timetable lessons (see timetable_rows), for the HTML week view.
    timetables: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # Each file read: its title and the rows passed over (exports.md), by path
    # (compliance.inputs.shaping.FileNotes).
    file_notes: dict[str, Any] = field(default_factory=dict)
    # The official calendar's source for each year the run looked at ("2027" -> {kind,
    # source, file, line, ...}); see compliance.inputs.calendar_run.calendar_evidence.
    calendar_sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Files read from beside or above the paths given (a school folder's district
    # zones.yaml and calendar.yaml, a lone file's school.yaml): the human formats say so.
    found_above: list[str] = field(default_factory=list)
    # Rule code -> the clauses it cites ({id, document, text} in the report's language),
    # for the human formats' clause lines; the finding's `citation` has the same text.
    clauses: dict[str, list[dict[str, str]]] = field(default_factory=dict)
    # When the report was made (ISO 8601, UTC) and the paths it was made from; shown by
    # the human formats, never written to JSON (which stays byte-identical per input).
    generated_at: str = ""
    inputs: list[str] = field(default_factory=list)
    # Rounds (compliance.rounds): the earlier findings now gone (``None`` without a
    # baseline), what the run was and read (evidence), each school's findings by round.
    fixed: list[dict[str, Any]] | None = None
    evidence: dict[str, Any] | None = None
    trend: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    round_counts: dict[str | None, dict[str, int]] | None = None  # per school, see baseline.py

    def __post_init__(self) -> None:
        if isinstance(self.findings, list):  # spilled findings are read back in order
            self.findings.sort(key=Finding.sort_key)

    @property
    def active(self) -> list[Finding]:
        """Findings that count (not waived)."""
        return [f for f in self.findings if not f.waived]

    def close(self) -> None:
        """Remove the temporary files of spilled findings (nothing for a list)."""
        close(self.findings)

    def summary(self) -> dict[str, Any]:
        by_severity: Counter[str] = Counter()
        by_code: Counter[str] = Counter()
        waived = 0
        for f in self.findings:  # one pass: spilled findings are read back each time
            if f.waived:
                waived += 1
            else:
                by_severity[f.severity] += 1
                by_code[f.code] += 1
        out: dict[str, Any] = {
            "schools": len(self.schools),
            "files": self.files,
            "findings": by_severity.total(),
            "by_severity": {s: by_severity[s] for s in SEVERITIES if by_severity[s]},
            "by_code": dict(sorted(by_code.items())),
        }
        if waived:
            out["waived"] = waived
        return out

    @property
    def incomplete(self) -> bool:
        """Some input could not be read, or a rule failed: the check is not complete."""
        return any(f.code.startswith(("INP", "ERR")) and not f.waived for f in self.findings)

    def exit_status(self, fail_on: str) -> int:
        """0 clean, 1 a finding at or above ``fail_on``, 2 incomplete (any INP finding)."""
        if self.incomplete:
            return 2
        threshold = SEVERITY_RANK[fail_on]
        if any(SEVERITY_RANK[f.severity] >= threshold and not f.waived for f in self.findings):
            return 1
        return 0

    def files_passed_over(self) -> list[tuple[str, str | None, dict[str, int]]]:
        """Each file that has a title or rows passed over: path, title, rows by ``why``."""
        out = []
        for path in sorted(self.file_notes):
            notes = self.file_notes[path]
            counts = notes.passed_over()
            if counts or notes.title or notes.notes:
                out.append((path, notes.title, counts))
        return out

    def by_school(self) -> dict[str | None, list[Finding]]:
        groups: dict[str | None, list[Finding]] = {}
        for finding in self.findings:
            groups.setdefault(finding.school_id, []).append(finding)
        return groups


def timetable_rows(submissions: Mapping[str | None, Any] | Mapping[str, Any]
                   ) -> dict[str, list[dict[str, Any]]]:
    """Each school's timetable lessons as plain data: ``class`` (``""`` for the whole
    school), ``weekday``, ``period``, ``subject``, ``start``/``end`` (``HH:MM`` when the
    period cell or the schedule gives them, else ``""``) and the cell's ``file``, ``sheet``,
    ``line`` and ``column``.  A class whose grid holds no lesson (handed in blank: the
    CUR001 case) gets one row of its own, ``blank: True``, located at its grid's title
    (else header) row, so the week view can show the grid as left blank."""
    from compliance.rules.timetable_lessons import lesson_entries

    out: dict[str, list[dict[str, Any]]] = {}
    for school_id, submission in submissions.items():
        if not school_id:
            continue
        times: dict[tuple[Any, ...], tuple[str, str]] = {}
        for entry in lesson_entries(submission):
            loc = entry.loc
            for day in entry["days"]:
                times.setdefault((loc.file, loc.sheet, loc.line, entry["class"], day),
                                 (str(entry["start"]), str(entry["end"])))
        rows = []
        for record in submission.records("timetable"):
            loc = record.loc
            start, end = times.get((loc.file, loc.sheet, loc.line, record["class"],
                                    record["weekday"]), ("", ""))
            rows.append({"class": record["class"] or "", "weekday": record["weekday"],
                         "period": record["period"], "subject": record["subject"],
                         "start": start, "end": end, "file": loc.file, "sheet": loc.sheet,
                         "line": loc.line, "column": loc.column})
        rows.extend(_blank_grids(submission, {r["class"] for r in rows}))
        if rows:
            out[school_id] = rows
    return out


def _blank_grids(submission: Any, taught: set[str]) -> list[dict[str, Any]]:
    """A row per class whose every grid holds no lesson, as the CUR rules judge them: a
    class's grid; a grid of no class only when the timetable is nothing but such grids."""
    grids = [g for doc in submission.documents_of("timetable") for g in getattr(doc, "grids", [])]
    if not grids:
        return []
    classed = [g for g in grids if g.class_ is not None]
    blank = [g for g in classed if g.class_ not in taught]
    if not taught and not classed:  # the whole school's timetable, with no lesson
        blank = grids[:1]
    out: list[dict[str, Any]] = []
    for g in blank:
        if any(r["class"] == (g.class_ or "") for r in out):
            continue  # a class's blank grids, once (at the first)
        out.append({"class": g.class_ or "", "blank": True, "grade": g.grade, "weekday": None,
                    "period": None, "subject": None, "start": "", "end": "", "file": g.loc.file,
                    "sheet": g.loc.sheet, "line": g.loc.line, "column": None})
    return out


def add_rule_notes(submissions: Mapping[str | None, Any] | Mapping[str, Any],
                   notes: dict[str, Any]) -> None:
    """Move what rules noted on documents (``SchoolContext.note``: an assumption such as a
    school course counted) into the notes of their files (``FileNotes`` by path)."""
    from compliance.inputs.shaping import FileNotes

    for submission in submissions.values():
        for doc in submission.documents:
            if doc.notes:
                notes.setdefault(doc.loc.file, FileNotes(doc.loc.file)).notes.extend(doc.notes)
                doc.notes = []


def rule_clauses(rules: dict[str, Any], lang: str) -> dict[str, list[dict[str, str]]]:
    """Each rule's cited clauses as ``{id, document, text}`` in ``lang``."""
    from compliance.rules.metadata import clauses

    known = clauses()
    out: dict[str, list[dict[str, str]]] = {}
    for code, meta in rules.items():
        found = [meta.own_clauses.get(cid) or known.get(cid) for cid in meta.clauses]
        out[code] = [{"id": c.id, "document": c.document[lang], "text": c.text}
                     for c in found if c is not None]
    return out


def run_time() -> str:
    """The run's time as ISO 8601 UTC (``2025-12-01T00:00:00Z``): ``SOURCE_DATE_EPOCH``
    (seconds) if set, else ``COMPLIANCE_TODAY`` (a date, at midnight UTC), else now —
    so a report made with either set is the same byte for byte (rounds.md)."""
    import datetime as dt
    import os

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), dt.UTC)
        except (ValueError, OverflowError, OSError):
            from compliance.host.errors import UsageError

            raise UsageError(f"SOURCE_DATE_EPOCH must be whole seconds since 1970, "
                             f"not {epoch!r}") from None
    elif os.environ.get("COMPLIANCE_TODAY"):
        from compliance.host.waivers import today

        moment = dt.datetime.combine(today(), dt.time(), dt.UTC)
    else:
        moment = dt.datetime.now(dt.UTC).replace(microsecond=0)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def schedule_rows(submissions: Mapping[str | None, Any] | Mapping[str, Any]
                  ) -> dict[str, list[dict[str, Any]]]:
    """Each school's readable schedule rows as plain data: ``days`` (ISO weekdays) or
    ``date``, ``start``/``end`` as ``HH:MM``, ``activity``, ``title``, ``grades``,
    ``compulsory`` and the ``file``/``line`` a finding's location can be matched to."""
    out: dict[str, list[dict[str, Any]]] = {}
    for school_id, submission in submissions.items():
        if not school_id:
            continue
        rows = []
        for record in submission.records("schedule"):
            days, date = record["days"], record["date"]
            start, end = record["start"], record["end"]
            if start is None or end is None:
                continue
            rows.append({
                "days": sorted(days) if days else [],
                "date": date.isoformat() if date else None,
                "start": str(start),
                "end": str(end),
                "activity": record["activity"],
                "title": record["title"],
                "grades": str(record["grades"]) if record["grades"] is not None else "",
                "compulsory": record["compulsory"],
                "file": record.loc.file,
                "sheet": record.loc.sheet,
                "line": record.loc.line,
            })
        if rows:
            out[school_id] = rows
    return out
