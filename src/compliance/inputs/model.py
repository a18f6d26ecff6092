"""The data model every reader produces and every rule consumes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

LEVEL_GRADES: dict[str, range] = {
    "primary": range(1, 7),
    "junior": range(7, 10),
    "nine_year": range(1, 10),
}


def level_of_grade(grade: int) -> str:
    """The school level (``primary`` or ``junior``) a compulsory grade belongs to."""
    return "primary" if grade <= 6 else "junior"


class Location:
    """Where a finding points: the file as given on the command line, line, column, sheet.

    A value object: never changed after it is made (a plain slots class rather than a
    frozen dataclass, which costs four times as much to create, once per row read).
    """

    __slots__ = ("column", "file", "line", "sheet")

    def __init__(self, file: str, line: int | None = None, column: str | None = None,
                 sheet: str | None = None):
        self.file = file
        self.line = line
        self.column = column
        self.sheet = sheet

    def _key(self) -> tuple[str, int | None, str | None, str | None]:
        return (self.file, self.line, self.column, self.sheet)

    def __eq__(self, other: object) -> bool:
        return other.__class__ is Location and self._key() == other._key()  # type: ignore[attr-defined,unused-ignore]

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return (f"Location(file={self.file!r}, line={self.line!r}, column={self.column!r}, "
                f"sheet={self.sheet!r})")

    def __reduce__(self) -> tuple[type[Location], tuple[str, int | None, str | None, str | None]]:
        return (Location, self._key())

    def with_column(self, column: str | None) -> Location:
        return Location(self.file, self.line, column, self.sheet)

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "line": self.line}
        if self.column is not None:
            out["column"] = self.column
        if self.sheet is not None:
            out["sheet"] = self.sheet
        return out

    def __str__(self) -> str:
        where = self.file
        if self.sheet:
            where += f"[{self.sheet}]"
        if self.line is not None:
            where += f":{self.line}"
        return where


class Record:
    """One data row of a table document, with canonical field names and parsed values."""

    __slots__ = ("kind", "loc", "school_id", "values")

    def __init__(self, kind: str, values: dict[str, Any], loc: Location, school_id: str | None):
        self.kind = kind
        self.values = values
        self.loc = loc
        self.school_id = school_id

    def __getitem__(self, name: str) -> Any:
        return self.values.get(name)

    def get(self, name: str, default: Any = None) -> Any:
        value = self.values.get(name)
        return default if value is None else value

    def at(self, column: str | None) -> Location:
        """This record's location, pointing at one column."""
        return self.loc.with_column(column)

    def __repr__(self) -> str:
        return f"Record({self.kind!r}, {self.values!r}, {self.loc})"


@dataclass(slots=True)
class Document:
    """One document of one kind read from one file (or one sheet of a workbook)."""

    kind: str
    loc: Location
    records: list[Record] = field(default_factory=list)
    school_id: str | None = None
    rows_read: int = 0
    rows_rejected: int = 0
    #: the rows held as columns (``compliance.inputs.columnar.ArrowTable``) when the
    #: file was read the columnar way; ``records`` is then filled only when asked for
    table: Any = None
    #: what rules noted about the file (``compliance.inputs.shaping.Note``, an assumption
    #: such as a school course counted); moved into the file's notes after the checks
    notes: list[Any] = field(default_factory=list)
    #: what a grid kind read besides its records: for the timetable one
    #: ``compliance.inputs.timetable.GridSeen`` per class grid, lessons or not, so that a
    #: class whose grid is blank is still judged (never records the row rules would see)
    grids: list[Any] = field(default_factory=list)

    def rows(self) -> list[Record]:
        """Every record, made from ``table`` the first time when the rows are held as columns."""
        if self.table is not None and not self.records and len(self.table):
            self.records = self.table.records()
        return self.records


@dataclass(frozen=True, slots=True)
class Term:
    name: str
    start: dt.date
    end: dt.date

    def __contains__(self, day: dt.date) -> bool:
        return self.start <= day <= self.end


@dataclass(frozen=True, slots=True)
class Disclosure:
    """One item of the school's 三公开 disclosure."""

    published: bool
    url: str | None = None
    date: dt.date | None = None


@dataclass(slots=True)
class School:
    """A school profile, read from ``school.yaml``."""

    id: str
    name: str
    loc: Location
    level: str = "primary"
    area: str = "urban"
    boarding: bool = False
    district: str | None = None
    catchment: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)
    terms: list[Term] = field(default_factory=list)
    disclosure: dict[str, Disclosure] = field(default_factory=dict)
    # Line of each ``disclosure.<item>`` key (or of ``disclosure:`` itself when the
    # item is absent), so a 三公开 finding can point at it.
    disclosure_lines: dict[str, int | None] = field(default_factory=dict)
    #: ``seasons:``: a seasonal schedule's season name -> ((month, day) from, to or None)
    seasons: dict[str, tuple[Any, Any]] = field(default_factory=dict)

    @property
    def grades(self) -> list[int]:
        """The grades the school teaches: from its classes, else from its level."""
        from_classes = sorted({int(c.split("-")[0]) for c in self.classes})
        return from_classes or list(LEVEL_GRADES.get(self.level, range(1, 10)))

    def in_term(self, day: dt.date) -> bool:
        return any(day in term for term in self.terms)


@dataclass(slots=True)
class Zone:
    code: str
    name: str
    communities: list[str]
    streets: list[tuple[str, int | None, int | None]]
    excepts: list[str]
    loc: Location


@dataclass(slots=True)
class Submission:
    """Everything one school handed in, plus the district context it sits in."""

    school_id: str
    school: School | None
    documents: list[Document] = field(default_factory=list)
    district: District | None = None

    def records(self, kind: str) -> Iterator[Record]:
        for doc in self.documents:
            if doc.kind == kind:
                yield from doc.rows()

    def documents_of(self, kind: str) -> list[Document]:
        return [d for d in self.documents if d.kind == kind]


@dataclass(slots=True)
class District:
    """A district folder's shared context: catchment zones and local calendar days."""

    loc: Location
    zones: dict[str, Zone] = field(default_factory=dict)
    zones_loc: Location | None = None
    holidays: set[dt.date] = field(default_factory=set)
    workdays: set[dt.date] = field(default_factory=set)
    parent: District | None = None
    #: official years its ``calendar.yaml`` declares (year -> YearCalendar)
    official: dict[int, Any] = field(default_factory=dict)

    def all_zones(self) -> dict[str, Zone]:
        merged = dict(self.parent.all_zones()) if self.parent else {}
        merged.update(self.zones)
        return merged

    def local_holidays(self) -> set[dt.date]:
        return (self.parent.local_holidays() if self.parent else set()) | self.holidays

    def local_workdays(self) -> set[dt.date]:
        return (self.parent.local_workdays() if self.parent else set()) | self.workdays

    def official_years(self) -> list[dict[int, Any]]:
        """The official years declared by this district and those around it, nearest first."""
        outer = self.parent.official_years() if self.parent else []
        return [self.official, *outer] if self.official else outer
