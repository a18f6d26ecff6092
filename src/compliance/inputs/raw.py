"""What a format reader hands back: raw tables and mappings, with line numbers.

Readers know file formats, not document kinds: they return cells as found
(strings, or native spreadsheet values) and the line each row came from.  A
table reader may also hand back the sheet as it stands (:attr:`RawTable.grid`,
with merged ranges and the sheet's name), so the shaping stage
(:mod:`compliance.inputs.shaping`) can find the header row below a title, fold a
two-row header and tell notes from data, as a person reading it would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from compliance.inputs.reasons import Msg


class ReadError(Exception):
    """A file (or part of one) that cannot be parsed at all: becomes INP003.

    :param message: what is wrong, for a user: a plain ``str`` (shown as is in either
        language) or a :class:`~compliance.inputs.reasons.Msg` (shown in the report's).
    :param line: the 1-based line (or sheet row) where it went wrong, if known.

    :attr reason: the message as given; :attr message: it as English text.
    """

    def __init__(self, message: str | Msg, line: int | None = None):
        super().__init__(str(message))
        self.reason = message
        self.message = str(message)
        self.line = line

    def __reduce__(self) -> tuple[Any, ...]:  # the Msg, not its English text, across processes
        return (type(self), (self.reason, self.line))


class LMap(dict[str, Any]):
    """A mapping from a YAML/JSON document that remembers where each key stood."""

    def __init__(self, *args: Any, line: int | None = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.line = line
        self.lines: dict[str, int | None] = {}

    def line_of(self, key: str) -> int | None:
        return self.lines.get(key, self.line)


class LList(list[Any]):
    """A sequence from a YAML/JSON document that remembers where each item stood."""

    def __init__(self, *args: Any, line: int | None = None):
        super().__init__(*args)
        self.line = line
        self.lines: list[int | None] = []

    def line_of(self, index: int) -> int | None:
        return self.lines[index] if index < len(self.lines) else self.line


@dataclass
class RawRow:
    """One data row: cells by header, the line it started on, and a shape problem if any."""

    line: int | None
    cells: dict[str, Any]
    #: a shape problem: ``too_many_cells:N:M``, ``too_few_cells:N:M``, ``not_a_mapping``,
    #: or a reader's own text (a ``str`` or a ``Msg``)
    problem: str | Msg | None = None
    cell_lines: dict[str, int | None] | None = None
    #: every cell of the row by position, when ``cells`` cannot hold them all (a header
    #: written twice, or several empty ones: ``年级,学科,,``): so that a row is told from
    #: a note or section row by what it holds, not by the last cell under each header
    by_position: tuple[Any, ...] | None = None


#: one row of a sheet as it stands: its line (sheet row) and its cells by position
GridRow = tuple[int, tuple[Any, ...]]


class Refused:
    """The one cell of a grid row standing for a line the reader refused (too long, a
    stray quote): the row stays a row, reported with ``reason``, never dropped."""

    __slots__ = ("reason",)

    def __init__(self, reason: str | Msg):
        self.reason = reason

    def __str__(self) -> str:
        return f"<{self.reason}>"


@dataclass(frozen=True, slots=True)
class MergedRange:
    """Cells merged into one (``A1:D1``): rows are lines, columns 1-based positions.

    The value is the top-left cell's; the others read as blank.  Names as in
    openpyxl's ``CellRange``.
    """

    min_row: int
    min_col: int
    max_row: int
    max_col: int

    def __contains__(self, cell: tuple[int, int]) -> bool:
        row, col = cell
        return self.min_row <= row <= self.max_row and self.min_col <= col <= self.max_col

    @property
    def width(self) -> int:
        return self.max_col - self.min_col + 1

    @property
    def height(self) -> int:
        return self.max_row - self.min_row + 1


@dataclass
class RawTable:
    """A table found in a file: a sheet, a CSV file, or a list of rows in YAML/JSON."""

    headers: list[str]
    rows: Iterable[RawRow]
    kind_hint: str | None = None
    sheet: str | None = None
    line: int | None = None
    school_id: str | None = None
    #: optional, for big files: a thunk giving the same rows as Arrow string columns
    #: (:class:`compliance.inputs.columnar.Source`), or ``None`` when they must be read
    #: row by row; ``rows`` is then never started (see ``inputs/columnar.py``)
    columnar: Callable[[], Any] | None = None
    #: optional: the table as it stands, header row and anything above it included, as a
    #: thunk giving every row with a non-blank cell as ``(line, cells by position)``.
    #: Given, the shaping stage finds the header itself and ``headers``/``rows`` are only
    #: the reader's plain reading (first non-blank row as the header); absent, shaping
    #: works from ``headers`` and ``rows``.
    grid: Callable[[], Iterator[GridRow]] | None = None
    #: merged cell ranges, in the lines and positions of ``grid`` (XLSX)
    merged: list[MergedRange] = field(default_factory=list)


@dataclass
class RawMapping:
    """A mapping document (``school.yaml``, ``zones.yaml``, ``calendar.yaml``)."""

    data: LMap
    kind_hint: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


RawDocument = RawTable | RawMapping


@runtime_checkable
class Reader(Protocol):
    """A file format reader, contributed through the ``compliance_readers`` hook.

    :attr name: a short name (``csv``).
    :attr suffixes: lower-case file suffixes it reads (``.csv``, ``.tsv``).
    """

    name: str
    suffixes: tuple[str, ...]

    def read(self, path: Path) -> list[RawDocument] | None:
        """Parse ``path``; raise :class:`ReadError` for a file that cannot be parsed;
        return ``None`` to hand the file to the next reader of its suffix."""
        ...
