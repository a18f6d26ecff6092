"""What a check sees: one school's submission, its parameters and calendar, and a
``finding()`` that fills in severity, message, citation and masks personal data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from compliance.inputs.calendar import OfficialCalendar, SchoolCalendar, YearCalendar
from compliance.inputs.columnar import RecordTable, Table
from compliance.inputs.model import Location, Record, School, Submission, level_of_grade
from compliance.inputs.personal import PERSONAL_KEYS as PERSONAL_KEYS  # re-exported: the
from compliance.inputs.personal import findable, mask_known
from compliance.inputs.personal import mask as mask  # masking helpers live with the inputs,
from compliance.inputs.personal import mask_id as mask_id  # which quote cells too
from compliance.inputs.personal import mask_name as mask_name
from compliance.inputs.reasons import Msg, TemplateValues
from compliance.inputs.values import Clock, Scope, Weekdays, format_weekdays
from compliance.rules.finding import Finding
from compliance.rules.i18n import label

if TYPE_CHECKING:
    from collections.abc import Callable

    from compliance.host.profiles import Settings
    from compliance.rounds.fingerprint import Fingerprinter
    from compliance.rules.metadata import RuleMeta


def jsonable(value: Any) -> Any:
    """Subject values as JSON-ready data with a stable order."""
    cls = value.__class__
    if cls is str or cls is int or cls is bool or cls is float or value is None:
        return value
    if isinstance(value, bool | int | float | str) and not isinstance(value, Clock):
        return value
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Clock | Weekdays | Scope):
        return str(value)
    if isinstance(value, frozenset | set):
        return sorted(jsonable(v) for v in value)
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    return str(value)


def _scrubbed(value: Any, known: list[tuple[str, str]]) -> Any:
    """``value`` (JSON-ready) with every ``known`` personal value in a text masked."""
    if isinstance(value, str):
        return mask_known(value, known)
    if isinstance(value, list):
        return [_scrubbed(v, known) for v in value]
    if isinstance(value, dict):
        return {k: _scrubbed(v, known) for k, v in value.items()}
    return value


#: the personal fields a row is looked at for (:func:`personal_values`)
_PERSONAL_ORDER = tuple(sorted(PERSONAL_KEYS))


def personal_values(record: Record, fields: tuple[str, ...] = _PERSONAL_ORDER,
                    ) -> list[tuple[str, str]]:
    """A row's personal values (id, name, address, and any field its kind declares
    personal: ``fields``; long enough to look for:
    :func:`~compliance.inputs.personal.findable`) with their fields, longest first (an
    address holding the name is masked whole)."""
    values = record.values
    found = []
    for key in fields:
        raw = values.get(key)
        if raw is not None:
            text = raw.strip() if raw.__class__ is str else str(raw).strip()
            if findable(key, text):
                found.append((text, key))
    if len(found) > 1:
        found.sort(key=lambda pair: -len(pair[0]))
    return found


class RunState:
    """What every context of one run shares."""

    def __init__(self, settings: Settings, lang: str, show_pii: bool,
                 official: Callable[[int], YearCalendar | None],
                 fingerprinter: Fingerprinter | None = None,
                 personal: Iterable[str] = PERSONAL_KEYS):
        self.settings = settings
        self.fingerprinter = fingerprinter
        self.lang = lang
        self.show_pii = show_pii
        self.official = official
        #: the keys a finding masks: the built-in personal fields and every field the
        #: run's document kinds declare personal (a plugin kind's ``guardian_phone``)
        self.personal_keys = PERSONAL_KEYS.union(personal)
        #: the same, as a row is looked at for its own personal values
        self.personal_order = tuple(sorted(self.personal_keys))
        self._params: dict[str, dict[str, Any]] = {}

    def params(self, meta: RuleMeta) -> dict[str, Any]:
        if meta.code not in self._params:
            self._params[meta.code] = self.settings.params(meta)
        return self._params[meta.code]

    def make_finding(self, meta: RuleMeta, loc: Location, school_id: str | None,
                     subject: dict[str, Any], args: dict[str, Any],
                     known: list[tuple[str, str]] | None = None) -> Finding:
        """A finding of ``meta``'s rule; ``known``: the row's own personal values with
        their fields (:func:`personal_values`), masked wherever the subject or message
        repeats them.

        With ``--show-pii`` the finding shows them as written and keeps the masked
        subject and message beside (``Finding.masked``) for what must stay masked
        whatever the run shows: the rounds history.
        """
        subject = {k: jsonable(v) for k, v in subject.items() if v is not None}
        # made before masking: a student id enters only as a keyed hash
        fingerprint = (self.fingerprinter.of(meta, school_id, loc, subject, args)
                       if self.fingerprinter is not None else "")
        rendered = {k: v.render(self.lang) if isinstance(v, Msg) else jsonable(v)
                    for k, v in args.items()}
        template = meta.message[self.lang]
        masked = self._masked(template, subject, rendered, known)
        shown = None
        if self.show_pii:
            values = TemplateValues(subject)
            values.update(rendered)
            shown = subject, template.format_map(values)
        subject, message = shown or masked
        return Finding(
            code=meta.code,
            severity=self.settings.severity(meta),
            pack=meta.pack,
            school_id=school_id,
            message=message,
            location=loc,
            subject=subject,
            citation=meta.citation(self.lang),
            fingerprint=fingerprint,
            masked=masked if shown is not None else None,
        )

    def _masked(self, template: str, subject: dict[str, Any], rendered: dict[str, Any],
                known: list[tuple[str, str]] | None) -> tuple[dict[str, Any], str]:
        """The subject and message with personal data masked: by key (every personal
        field of the run's kinds), and the row's own ``known`` values wherever repeated."""
        personal = self.personal_keys
        subject = dict(subject)
        for key in personal & subject.keys():
            subject[key] = mask(key, subject[key])
        values = TemplateValues(subject)  # JSON-ready and masked
        values.update(rendered)
        for key in personal & rendered.keys():
            values[key] = mask(key, values[key])
        message = template.format_map(values)
        if known:
            # under a key of the plugin's own choosing, or quoted in a text: still the
            # child's id, name or address (the keys above are masked already)
            message = _scrubbed(message, known)
            subject = {k: v if k in personal else _scrubbed(v, known)
                       for k, v in subject.items()}
        return subject, message


class SchoolContext:
    """One school's submission as a check sees it."""

    def __init__(self, submission: Submission, rules: dict[str, RuleMeta], state: RunState):
        self.submission = submission
        self.school: School | None = submission.school
        self.school_id = submission.school_id
        self.rules = rules
        self.state = state
        self.lang = state.lang
        self._calendar: SchoolCalendar | None = None

    def records(self, kind: str) -> Iterator[Record]:
        """Every readable row of every document of ``kind`` the school handed in."""
        return self.submission.records(kind)

    def tables(self, kind: str) -> list[Table]:
        """Every document of ``kind`` as a :class:`~compliance.inputs.columnar.Table`.

        For rules that look at every row of big tables: a table read the columnar way
        answers column questions without making a record per row
        (``table.where("admission_basis", watched.__contains__)``); records are made
        only for the rows asked for (``table.records(positions)``).
        """
        return [doc.table if doc.table is not None else RecordTable(kind, doc.records)
                for doc in self.submission.documents if doc.kind == kind]

    def params(self, code: str) -> dict[str, Any]:
        """The parameter values in force for ``code`` (rule defaults ← profiles ← config)."""
        return self.state.params(self.rules[code])

    @property
    def calendar(self) -> SchoolCalendar:
        """The school's days: terms, local days and the official calendar (see
        :mod:`compliance.inputs.calendar` for where each year comes from)."""
        if self._calendar is None:
            district = self.submission.district
            terms = [(t.start, t.end) for t in self.school.terms] if self.school else None
            official = self.state.official
            declared = district.official_years() if district else []
            if declared:  # the district's calendar.yaml years, after the run's own files
                if not isinstance(official, OfficialCalendar):
                    official = OfficialCalendar(official)
                official = official.extended(declared)
            self._calendar = SchoolCalendar(
                official,
                terms or None,
                district.local_holidays() if district else set(),
                district.local_workdays() if district else set(),
            )
        return self._calendar

    def calendar_sources(self) -> dict[int, Any]:
        """The years this school's checks asked the calendar about, with each year's
        :class:`~compliance.inputs.calendar.CalendarSource` (``None``: not covered)."""
        return self._calendar.sources() if self._calendar is not None else {}

    def grades_of(self, scope: Scope | None) -> list[int]:
        """The school's grades a schedule row applies to."""
        grades = self.school.grades if self.school else list(range(1, 10))
        if scope is None or scope.whole_school:
            return grades
        return [g for g in grades if scope.covers_grade(g)] or sorted(
            scope.grades | {int(c.split("-")[0]) for c in scope.classes}
        )

    def label(self, group: str, key: str) -> str:
        return label(group, key, self.lang)

    def weekdays_text(self, days: frozenset[int]) -> str:
        return format_weekdays(days, self.lang)

    def note(self, where: Location, text: str | Msg, why: str = "assumed") -> None:
        """List ``text`` in the notes of the file ``where`` points into (once): an
        assumption a rule made, which a reader of the report should see but which is
        no finding (a school course counted towards the weekly total).  A :class:`Msg`
        is shown in the report's language."""
        from compliance.inputs.shaping import Note

        for doc in self.submission.documents:
            if doc.loc.file == where.file and doc.loc.sheet == where.sheet:
                if not any(n.text == text and n.why == why for n in doc.notes):
                    doc.notes.append(Note(where.line, where.sheet, text, why))
                return

    def finding(self, code: str, where: Record | Location, *, column: str | None = None,
                subject: dict[str, Any] | None = None, **args: Any) -> Finding:
        """A finding of ``code`` at a record (optionally one of its columns) or a location.

        ``subject`` holds the facts (JSON-ready, personal data masked unless
        ``--show-pii``); ``args`` are extra values for the message template only (a
        :class:`~compliance.inputs.reasons.Msg` among them is rendered in the run's language).
        """
        loc = where.at(column) if isinstance(where, Record) else where
        season = where["season"] if isinstance(where, Record) else None
        if season is None and subject and subject.get("season") is not None:
            season = subject["season"]
        if season is not None:
            # a seasonal entry's finding names its season (exports.md), for any rule
            subject = {**(subject or {}), "season": str(season)}
        known = (personal_values(where, self.state.personal_order) if isinstance(where, Record)
                 else None)
        found = self.state.make_finding(self.rules[code], loc, self.school_id, subject or {}, args,
                                        known)
        if season is not None:
            named = f"（{season}作息）" if self.lang == "zh" else f" (season {season})"
            found.message += named
            if found.masked is not None:
                found.masked = (found.masked[0], found.masked[1] + named)
        return found


class RunContext:
    """What a run-wide check's ``finish`` sees."""

    def __init__(self, rules: dict[str, RuleMeta], state: RunState):
        self.rules = rules
        self.state = state
        self.lang = state.lang

    def params(self, code: str) -> dict[str, Any]:
        return self.state.params(self.rules[code])

    def finding(self, code: str, loc: Location, school_id: str | None, *,
                subject: dict[str, Any] | None = None, **args: Any) -> Finding:
        return self.state.make_finding(self.rules[code], loc, school_id, subject or {}, args)


def param_for_grade(value: Any, grade: int) -> Any:
    """A parameter that may differ by level or grade.

    A plain value applies to every grade; a mapping may key by level
    (``primary``, ``junior``), by grade range (``"3-6"``) or by grade (``"7"``).
    """
    if not isinstance(value, dict):
        return value
    for key, item in value.items():
        key = str(key)
        if key == level_of_grade(grade) or key == str(grade):
            return item
        if "-" in key:
            lo, _, hi = key.partition("-")
            if lo.isdigit() and hi.isdigit() and int(lo) <= grade <= int(hi):
                return item
    return value.get("default")
