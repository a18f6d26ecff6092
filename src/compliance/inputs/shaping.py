"""The shaping stage: a raw sheet as a person reads it, between reading and normalising.

Readers hand back cells as they stand (:attr:`RawTable.grid`, with merged ranges
and the sheet's name).  Shaping finds where the table starts and ends, as
``exports.md`` describes:

* the **header row**, the first among the first 20 whose cells name at least two
  fields of one kind (a two-row header judged as one); the rows above it are the
  **preamble**, whose first cell is the document's **title**;
* a **two-row header** (a group cell over sub-headers) folded into one header per column;
* **merged cells** filling their range;
* **note rows** after the data, **section rows** between data rows, instruction
  sheets and empty sheets, each listed as a :class:`Note`;
* a kind's own reshaping (:attr:`DocumentKind.shaper`: the schedule's time
  ranges, period names, seasons and grade bands).

What comes out is one :class:`Segment` per table found, each holding a plain
:class:`RawTable` (one header row, one row per record), so both normalisation
paths, and third-party readers' tables, go through unchanged.  The names follow the
Frictionless Table Dialect where the idea is the same (``headerRows``,
``headerJoin``, ``commentRows``): :class:`Dialect` says what was decided.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from compliance.inputs.kinds import header_key, stem_key
from compliance.inputs.personal import findable, mask, mask_known
from compliance.inputs.raw import GridRow, MergedRange, RawRow, RawTable, Refused
from compliance.inputs.reasons import Msg

if TYPE_CHECKING:
    from compliance.inputs.kinds import DocumentKind

#: rows looked at for the header row
HEADER_SEARCH = 20
#: a note row's first cell starts with one of these (exports.md)
NOTE_PREFIXES = ("注", "说明", "备注", "附", "制表", "审核", "填表人", "联系人", "联系电话", "日期:")
#: what may follow a note prefix for the row to be a note: nothing, a colon, a number,
#: a list mark or a bracket (``注：``, ``注1``, ``附件``…), so ``说明会`` is not a note
_NOTE_FOLLOW = re.compile(r"^(?:$|[:：0-9一二三四五六七八九十、.．(（件表]|人)")
_NOTE_FIRST = frozenset(p[0] for p in NOTE_PREFIXES)
#: sheets passed over whole (matched after normalising, case-insensitively)
INSTRUCTION_SHEETS = frozenset({"填表说明", "说明", "示例", "instructions", "example", "填报说明",
                                "使用说明"})
#: ``why`` of a note
WHYS = ("preamble", "note", "section", "instructions_sheet", "empty_sheet", "assumed")
_TRAILING_NOTE = re.compile(r"\s*[(（\[【][^()（）\[\]【】]*[)）\]】]\s*$")


@dataclass(frozen=True, slots=True)
class Note:
    """A row (or sheet) not taken as a record, or an assumption made, listed in the report.

    :attr why: one of :data:`WHYS`.
    :attr rows: how many rows it stands for (a passed-over sheet: its non-blank rows).
    """

    line: int | None
    sheet: str | None
    #: the row's text as written, cells in a personal column (a student's id, name or
    #: address) masked; or (an assumption) a :class:`Msg` shown in the report's language
    text: str | Msg
    why: str
    rows: int = 1
    #: the row's text unmasked, when masking changed it: shown only with ``--show-pii``
    raw: str | None = None

    def shown(self, lang: str) -> str:
        return self.text.render(lang) if isinstance(self.text, Msg) else self.text

    def revealed(self) -> Note:
        """This note as written, personal data unmasked (``--show-pii``)."""
        if self.raw is None:
            return self
        return Note(self.line, self.sheet, self.raw, self.why, self.rows)

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"line": self.line, "sheet": self.sheet, "text": self.shown(lang), "why": self.why}


@dataclass
class FileNotes:
    """One file's title and everything in it not taken as a record, for the report."""

    path: str
    title: str | None = None
    notes: list[Note] = field(default_factory=list)
    #: the title as written, when masking a pupil's name or id in it changed it
    title_raw: str | None = None

    def passed_over(self) -> dict[str, int]:
        """Rows passed over, by ``why`` (assumptions are not rows and are left out)."""
        counts: dict[str, int] = {}
        for note in self.notes:
            if note.why != "assumed":
                counts[note.why] = counts.get(note.why, 0) + note.rows
        return counts

    def to_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"path": self.path, "title": self.title,
                "notes": [n.to_dict(lang) for n in self.notes]}

    def revealed(self) -> FileNotes:
        """These notes as written, personal data unmasked (``--show-pii``)."""
        if self.title_raw is None and all(n.raw is None for n in self.notes):
            return self
        return FileNotes(self.path, self.title_raw or self.title,
                         [n.revealed() for n in self.notes])

    def texts(self) -> list[str]:
        """The title and every note's text as written (what :meth:`mask_known` masks)."""
        return ([self.title_raw or self.title] if self.title else []) + [
            n.raw or n.text for n in self.notes if isinstance(n.text, str)]

    def mask_known(self, known: list[tuple[str, str]]) -> None:
        """Mask, in the title and in every note's text, the ``known`` personal values
        (a pupil's id, name or address as the school's own lists hold them, with their
        fields): ``注：王小明因病休学`` → ``注：王**因病休学``.  What it changes is kept
        for ``--show-pii``."""
        if self.title is not None and (masked := mask_known(self.title, known)) != self.title:
            self.title_raw = self.title_raw or self.title
            self.title = masked
        for i, note in enumerate(self.notes):
            if isinstance(note.text, str) and (masked := mask_known(note.text, known)) != note.text:
                self.notes[i] = Note(note.line, note.sheet, masked, note.why, note.rows,
                                     note.raw or note.text)


def mask_known_in_notes(submissions: Mapping[Any, Any], file_notes: Mapping[str, Any],
                        kinds: Mapping[str, Any]) -> None:
    """The personal values the schools' documents hold (fields declared ``personal``)
    masked wherever the notes and title of their files repeat them — a footnote or a
    title naming a pupil, which stands in no personal column.  A file several schools
    share (a district's list) is masked with all of theirs at once.  Asked only of
    files that have a title or a note."""
    by_file: dict[str, dict[str, str]] = {}
    for submission in submissions.values():
        files = [f for f in {doc.loc.file for doc in submission.documents} & file_notes.keys()
                 if file_notes[f].texts()]
        if files:
            known = known_personal_values(submission.documents, kinds)
            for f in files:
                by_file.setdefault(f, {}).update((raw, key) for raw, key in known)
    for f, found in by_file.items():
        file_notes[f].mask_known(longest_first(found))


def found_in(texts: Iterable[str], known: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Those of the ``known`` personal values that ``texts`` hold, with their fields."""
    texts = list(texts)
    return {raw: key for raw, key in known if any(raw in text for text in texts)}


def longest_first(found: Mapping[str, str]) -> list[tuple[str, str]]:
    """``(value, field)`` pairs in the order :func:`mask_known` wants them."""
    return sorted(found.items(), key=lambda pair: (-len(pair[0]), pair[0]))


def known_personal_values(documents: Iterable[Any], kinds: Mapping[str, Any],
                          ) -> list[tuple[str, str]]:
    """The distinct personal values (long enough to look for:
    :func:`~compliance.inputs.personal.findable`) in ``documents``, with
    their fields, longest first (an address holding a name is masked whole)."""
    found: dict[str, str] = {}
    for doc in documents:
        kind = kinds.get(doc.kind)
        for name in sorted(kind.personal_fields) if kind is not None else ():
            cells = doc.table.column(name) if doc.table is not None else [
                r.values.get(name) for r in doc.records]
            for value in cells:
                if value is not None and findable(name, text := str(value).strip()):
                    found.setdefault(text, name)
    return longest_first(found)


def revealed(notes: dict[str, FileNotes]) -> dict[str, FileNotes]:
    """Every file's notes as written (a report made with ``--show-pii``)."""
    return {path: n.revealed() if isinstance(n, FileNotes) else n for path, n in notes.items()}


@dataclass
class Dialect:
    """What shaping decided about a table, in the Table Dialect's terms.

    :attr header_rows: the lines of the header (one or two);
    :attr header_join: how a group and its sub-header were joined;
    :attr comment_rows: the lines passed over (notes, sections, preamble).
    """

    header_rows: list[int] = field(default_factory=list)
    header_join: str = " "
    comment_rows: list[int] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a shaped table: its position, group (upper header cell) and sub-header."""

    index: int
    group: str
    sub: str
    #: the key of this column's cell in a shaped row (default ``c<index>``)
    key: str = ""

    @property
    def cell_key(self) -> str:
        return self.key or f"c{self.index}"

    @property
    def text(self) -> str:
        """The header as one text: the sub-header, the group, or both joined."""
        if self.group and self.sub and self.group != self.sub:
            return f"{self.group} {self.sub}"
        return self.sub or self.group


class KindShaper(Protocol):
    """A kind's own reshaping of a shaped table (the schedule's is
    :class:`compliance.inputs.schedule_shaping.ScheduleShaper`)."""

    def names(self, column: Column) -> set[str]:
        """The fields a header names beyond the kind's keys and aliases (``时间``: start, end)."""
        ...

    def reshape(self, kind: DocumentKind, columns: list[Column], rows: Iterable[RawRow],
                context: ShapeContext) -> tuple[list[str], Iterable[RawRow]] | None:
        """The table's headers and rows as the kind's plain table, or ``None`` to keep them."""
        ...


@dataclass
class ShapeContext:
    """What a kind's reshaping may use and add to: the file's notes, the school's seasons."""

    sheet: str | None
    notes: list[Note]
    #: ``school.yaml`` ``seasons:``: name -> (from, to) as (month, day) pairs
    seasons: dict[str, tuple[tuple[int, int] | None, tuple[int, int] | None]] = field(
        default_factory=dict)
    header_line: int | None = None


@dataclass
class Segment:
    """One table found in a sheet or file: its kind (when told), its plain table, its title."""

    kind: str | None
    table: RawTable
    title: str | None = None
    dialect: Dialect = field(default_factory=Dialect)


@dataclass
class Shaped:
    """A raw table shaped: the tables found in it, and everything passed over."""

    segments: list[Segment] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    #: the first table's title (the document's)
    title: str | None = None
    #: the sheet was passed over whole (an instruction sheet or an empty one)
    passed_over: bool = False


def clean_header(value: Any) -> str:
    """A header cell as text: full-width folded, spaces normalised, line breaks joined."""
    if value is None:
        return ""
    text = unicodedata.normalize("NFKC", str(value))
    return re.sub(r"\s+", " ", text).strip()


def header_keys(text: str) -> list[str]:
    """The keys a header text is looked up by: as is, and without a trailing bracketed note."""
    keys = [header_key(text)]
    bare = _TRAILING_NOTE.sub("", text)
    if bare and bare != text:
        keys.append(header_key(bare))
    return keys


def fields_named(kind: DocumentKind, column: Column) -> set[str]:
    """The fields of ``kind`` a column's header names (key or alias, or the kind's shaper)."""
    names: set[str] = set()
    for text in (column.sub, column.group) if column.sub else (column.group,):
        for key in header_keys(text):
            spec = kind.by_header.get(key)
            if spec is not None:
                names.add(spec.name)
                break
        if names:
            break
    shaper = getattr(kind, "shaper", None)
    if shaper is not None:
        names |= shaper.names(column)
    return names


def score(kind: DocumentKind, columns: Sequence[Column]) -> int:
    """How many distinct fields of ``kind`` the columns name."""
    named: set[str] = set()
    for column in columns:
        named |= fields_named(kind, column)
    return len(named)


def is_note_text(value: Any) -> bool:
    """Whether a row whose first non-blank cell is ``value`` is a note (``注：1.本表…``)."""
    if not isinstance(value, str):
        return False
    text = unicodedata.normalize("NFKC", value).strip()
    return any(text.startswith(prefix) and _NOTE_FOLLOW.match(text[len(prefix):]) is not None
               for prefix in NOTE_PREFIXES)


def sheet_passed_over(name: str | None) -> bool:
    """Whether a sheet of this name is instructions or an example (``填表说明``)."""
    return name is not None and stem_key(name).replace(" ", "") in INSTRUCTION_SHEETS


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(cells: Sequence[Any], personal: Mapping[int, str] | None = None) -> str:
    """A row's text: its cells joined, a merged value (repeated across its range) once;
    with ``personal`` (position -> field), the cells in those columns masked."""
    out: list[str] = []
    for index, cell in enumerate(cells):
        if _blank(cell):
            continue
        text = str(cell).strip()
        if personal and index in personal and not is_note_text(text):
            # the cell that makes the row a note (``注：…``) is the school's, not a child's
            text = str(mask(personal[index], text))
        if not out or text != out[-1]:
            out.append(text)
    return " ".join(out)


def _row_note(line: int | None, sheet: str | None, cells: Sequence[Any], why: str,
              personal: Mapping[int, str] | None) -> Note:
    """A row passed over as a note, cells of personal columns masked (the text as
    written kept for ``--show-pii``)."""
    text = _text(cells)
    if personal:
        masked = _text(cells, personal)
        if masked != text:
            return Note(line, sheet, masked, why, raw=text)
    return Note(line, sheet, text, why)


def personal_columns(kind: DocumentKind, columns: Sequence[Column]) -> dict[int, str]:
    """The positions of the columns holding a child's personal data, with their field."""
    personal = kind.personal_fields
    if not personal:
        return {}
    out: dict[int, str] = {}
    for column in columns:
        named = fields_named(kind, column) & personal
        if named:
            out[column.index] = min(named)
    return out


def _first(cells: Sequence[Any]) -> Any:
    return next((c for c in cells if not _blank(c)), None)


class _Grid:
    """A sheet's rows with merged cells filled, and the merges a row is made of."""

    def __init__(self, rows: list[GridRow], merged: list[MergedRange]):
        self.merged = merged
        self.by_line: dict[int, list[Any]] = {line: list(cells) for line, cells in rows}
        self.lines = [line for line, _ in rows]
        self.width = max((len(c) for _, c in rows), default=0)
        self.merged_rows: dict[int, list[MergedRange]] = {}
        for rng in merged:
            for line in range(rng.min_row, rng.max_row + 1):
                self.merged_rows.setdefault(line, []).append(rng)
            self.width = max(self.width, rng.max_col)
        # A merged range holds its value in the top-left cell: every cell of it gets it
        for rng in merged:
            top = self.by_line.get(rng.min_row)
            value = top[rng.min_col - 1] if top is not None and len(top) >= rng.min_col else None
            if _blank(value):
                continue
            for line in range(rng.min_row, rng.max_row + 1):
                cells = self.by_line.get(line)
                if cells is None:
                    cells = self.by_line[line] = []
                    self.lines.append(line)
                if len(cells) < rng.max_col:
                    cells.extend([None] * (rng.max_col - len(cells)))
                for col in range(rng.min_col, rng.max_col + 1):
                    if _blank(cells[col - 1]):
                        cells[col - 1] = value
        self.lines.sort()

    def raw_count(self, line: int) -> int:
        """Non-blank cells of a row as written (a merged range counts once)."""
        cells = self.by_line[line]
        count = 0
        for col, value in enumerate(cells, start=1):
            if _blank(value):
                continue
            rng = self.range_at(line, col)
            if rng is None or (rng.min_col == col and rng.min_row == line):
                count += 1  # a value merged in from above or the left is not this row's own
        return count

    def range_at(self, line: int, col: int) -> MergedRange | None:
        return next((r for r in self.merged_rows.get(line, ()) if (line, col) in r), None)

    def one_merged_across(self, line: int, width: int) -> bool:
        """The row is one merged cell across the table (or nearly: all its non-blank cells)."""
        cells = self.by_line[line]
        inked = [c for c, v in enumerate(cells, start=1) if not _blank(v)]
        if not inked:
            return False
        rng = self.range_at(line, inked[0])
        return (rng is not None and rng.width >= max(2, width - 1) and rng.min_row == rng.max_row
                and all(c in range(rng.min_col, rng.max_col + 1) for c in inked))

    def horizontal_merges(self, line: int) -> list[MergedRange]:
        return [r for r in self.merged_rows.get(line, ()) if r.width > 1 and r.min_row == line]


def _columns(grid: _Grid, line: int, sub_line: int | None) -> list[Column]:
    top = grid.by_line[line]
    below = grid.by_line.get(sub_line, []) if sub_line is not None else []
    width = max(len(top), len(below))
    columns: list[Column] = []
    group = ""
    for index in range(width):
        cell = clean_header(top[index]) if index < len(top) else ""
        sub = clean_header(below[index]) if index < len(below) else ""
        if sub_line is not None:
            rng = grid.range_at(line, index + 1)
            if cell:
                group = cell
            elif sub and rng is None and group:
                # a CSV's group cell stands over its first column only: the blanks to
                # its right, above sub-headers, belong to it
                cell = group
            if rng is not None and rng.max_row >= sub_line:
                sub = ""  # one cell over both header rows (``时段``): no sub-header
        columns.append(Column(index, cell, sub if sub != cell else ""))
    return columns


def _header_at(grid: _Grid, position: int, kinds: Sequence[DocumentKind]
               ) -> tuple[DocumentKind, list[Column], int | None] | None:
    """The kind whose fields the row at ``position`` names (with the row below as its
    sub-headers when that is how it reads), or ``None``."""
    line = grid.lines[position]
    next_line = grid.lines[position + 1] if position + 1 < len(grid.lines) else None
    best: tuple[int, DocumentKind, list[Column], int | None] | None = None
    for kind in kinds:
        one = _columns(grid, line, None)
        got = score(kind, one)
        options: list[tuple[int, list[Column], int | None]] = [(got, one, None)]
        if next_line is not None and _could_be_sub_header(grid, line, next_line):
            two = _columns(grid, line, next_line)
            options.append((score(kind, two) + (1 if _subs_name_slots(kind, two) else 0), two,
                            next_line))
        for value, columns, sub_line in options:
            if value >= 2 and (best is None or value > best[0]):
                best = (value, kind, columns, sub_line)
    if best is None:
        return None
    return best[1], best[2], best[3]


def _could_be_sub_header(grid: _Grid, line: int, next_line: int) -> bool:
    """The row below a header row may hold sub-headers: nothing in it looks like data, and
    the header has a cell merged across columns or down over both rows, or (a CSV) a group
    cell followed by blanks over the sub-headers."""
    top, below = grid.by_line[line], grid.by_line[next_line]
    if any(not _blank(v) and _looks_like_data(v) for v in below):
        return False
    width = max(len(top), len(below))
    # a cell merged across the whole table is a title, never a group
    if any(r.width < width for r in grid.horizontal_merges(line)):
        return True
    if any(r.max_row >= next_line and r.min_row == line for r in grid.merged_rows.get(line, ())):
        return True

    def at(cells: list[Any], i: int) -> Any:
        return cells[i] if i < len(cells) else None

    if sum(1 for v in top if not _blank(v)) < 2:
        return False  # one cell over every column is a title, not a group

    gaps = False
    for i in range(width):
        if _blank(at(below, i)):
            continue
        if _blank(at(top, i)):
            if not any(not _blank(t) for t in top[:i]):
                return False  # a sub-header under nothing
            gaps = True
        elif not (_blank(at(top, i + 1)) and not _blank(at(below, i + 1))) and not (
                _slot(at(top, i)) and _slot(at(below, i))):
            return False  # a header cell with text under it that groups nothing: data
    return gaps


def _slot(value: Any) -> bool:
    """A header naming a season or a grade band (``冬季`` over ``一至六年级``)."""
    from compliance.inputs.seasons import season_of_header
    from compliance.inputs.values import parse_band

    return isinstance(value, str) and (season_of_header(value) is not None
                                       or parse_band(value) is not None)


def _looks_like_data(value: Any) -> bool:
    """A cell no header holds: a number, a date or time, a time range."""
    if not isinstance(value, str):
        return True
    text = unicodedata.normalize("NFKC", value).strip()
    return bool(re.match(r"^[\d.:\s~\-—–至到]+$", text))


def _subs_name_slots(kind: DocumentKind, columns: list[Column]) -> bool:
    """The sub-headers name something (a season under a group): then the second row is
    truly a header, and wins over the one-row reading when both score alike."""
    return any(c.sub and fields_named(kind, Column(c.index, "", c.sub)) for c in columns)


def _kinds_for(kinds: dict[str, DocumentKind], kind_name: str | None) -> list[DocumentKind]:
    if kind_name is not None and kind_name in kinds:
        return [kinds[kind_name]]
    return list(kinds.values())


def _needs_grid(table: RawTable) -> bool:
    return table.grid is not None


def shape(table: RawTable, kinds: dict[str, DocumentKind], kind_name: str | None,
          seasons: dict[str, Any] | None = None) -> Shaped:
    """``table`` as the tables a person would read in it, and what was passed over.

    :param kind_name: the kind the file name or sheet name says, if any; otherwise
        each table's kind is told from its header row.
    :param seasons: the school's ``seasons:`` (see :class:`ShapeContext`).
    """
    out = Shaped()
    sheet = table.sheet
    if sheet_passed_over(sheet):
        count = sum(1 for _ in table.grid()) if table.grid is not None else sum(1 for _ in table.rows)
        out.notes.append(Note(None, sheet, sheet or "", "instructions_sheet", max(count, 1)))
        out.passed_over = True
        return out
    if table.grid is None:
        return _shape_plain(table, kinds, kind_name, seasons or {}, out)
    candidates = _kinds_for(kinds, kind_name)
    source = table.grid()
    head = list(itertools.islice(source, HEADER_SEARCH + 2))
    if not table.merged and head:
        first = _header_at(_Grid(head, []), 0, candidates)
        if first is not None and first[2] is None:
            # the header is the first row, alone: the reader's own rows (and its
            # columnar reading of a big file) serve as they are, notes told apart
            close = getattr(source, "close", None)
            if close is not None:
                close()
            return _shape_plain(table, kinds, first[0].name, seasons or {}, out, head[0][0])
    rows = head + list(source)
    if not rows:
        out.notes.append(Note(None, sheet, sheet or "", "empty_sheet", 0))
        out.passed_over = True
        return out
    grid = _Grid(rows, table.merged)
    position = 0
    pending_preamble: list[int] = []
    while position < len(grid.lines):
        found = None
        start = position
        for probe in range(position, min(len(grid.lines), position + HEADER_SEARCH)):
            found = _header_at(grid, probe, candidates)
            if found is not None:
                position = probe
                break
        if found is None:
            if not out.segments:
                # no header among the first rows: the reader's plain reading, for the
                # loader to tell (or not) as before
                return _shape_plain(table, kinds, kind_name, seasons or {}, out)
            for line in grid.lines[start:]:
                out.notes.append(Note(line, sheet, _text(grid.by_line[line]), "note"))
            break
        kind, columns, sub_line = found
        preamble = pending_preamble + grid.lines[start:position]
        pending_preamble = []
        title = None
        for line in preamble:
            text = _text(grid.by_line[line])
            if title is None:
                title = clean_header(_first(grid.by_line[line]))
            out.notes.append(Note(line, sheet, text, "preamble"))
        header_line = grid.lines[position]
        position += 2 if sub_line is not None else 1
        data, position, after = _data_rows(grid, position, columns, candidates, sheet, out.notes,
                                           personal_columns(kind, columns))
        context = ShapeContext(sheet, out.notes, dict(seasons or {}), header_line)
        headers, shaped_rows = _plain(kind, columns, data, context)
        dialect = Dialect([header_line] + ([sub_line] if sub_line is not None else []),
                          comment_rows=[n.line for n in out.notes if n.line is not None])
        out.segments.append(Segment(kind.name, RawTable(
            headers=headers, rows=shaped_rows, kind_hint=table.kind_hint, sheet=sheet,
            line=header_line, school_id=table.school_id), title, dialect))
        if out.title is None:
            out.title = title
        pending_preamble = after
    return out


def _data_rows(grid: _Grid, position: int, columns: list[Column],
               kinds: Sequence[DocumentKind], sheet: str | None, notes: list[Note],
               personal: Mapping[int, str] | None = None
               ) -> tuple[list[RawRow], int, list[int]]:
    """The data rows from ``position`` on, as rows by header; section and note rows go
    to ``notes`` (cells in the ``personal`` columns masked).  Ends at the sheet's end or
    at a later header row: then the position of that header and the lines just above it
    (its preamble) come back too."""
    width = len(columns)
    data: list[RawRow] = []
    held: list[Note] = []  # one-cell or merged rows: sections if data follows
    in_notes = False
    after_notes: list[int] = []
    while position < len(grid.lines):
        line = grid.lines[position]
        cells = grid.by_line[line]
        if in_notes:
            if _header_at(grid, position, kinds) is not None:
                # a second table: the rows since the last note row are its title
                return data, position, after_notes
            if is_note_text(_first(cells)):
                for earlier in after_notes:
                    notes.append(_row_note(earlier, sheet, grid.by_line[earlier], "note", personal))
                after_notes = []
                notes.append(_row_note(line, sheet, cells, "note", personal))
            else:
                after_notes.append(line)
            position += 1
            continue
        first = _first(cells)
        if is_note_text(first):
            notes.extend(_as(note, "note") for note in held)
            held = []
            notes.append(_row_note(line, sheet, cells, "note", personal))
            in_notes = True
            position += 1
            continue
        if width >= 2 and (grid.one_merged_across(line, width) or (
                grid.raw_count(line) == 1 and isinstance(first, str))):
            # a title merged across the table belongs to no column: shown as written
            held.append(_row_note(line, sheet, cells, "section", personal)
                        if not grid.one_merged_across(line, width)
                        else Note(line, sheet, clean_header(first), "section"))
            position += 1
            continue
        notes.extend(held)
        held = []
        if isinstance(first, Refused):  # a line the reader refused: one row, one finding
            data.append(RawRow(line, {}, first.reason))
            position += 1
            continue
        row = {f"c{c.index}": (cells[c.index] if c.index < len(cells) else None) for c in columns}
        problem = None
        extra = [v for v in cells[width:] if not _blank(v)]
        if extra:
            problem = f"too_many_cells:{len(cells)}:{width}"
        data.append(RawRow(line, row, problem))
        position += 1
    notes.extend(_as(note, "note") for note in held)
    for earlier in after_notes:
        notes.append(_row_note(earlier, sheet, grid.by_line[earlier], "note", personal))
    return data, position, []


def _as(note: Note, why: str) -> Note:
    return Note(note.line, note.sheet, note.text, why, note.rows, note.raw)


def _plain(kind: DocumentKind, columns: list[Column], rows: list[RawRow],
           context: ShapeContext) -> tuple[list[str], Iterable[RawRow]]:
    """The kind's plain table from shaped rows (cells by position): the kind's shaper's,
    or one header per column."""
    headers = _named_headers(kind, columns, [c.text or f"#{c.index + 1}" for c in columns])
    shaper = getattr(kind, "shaper", None)
    if shaper is not None:
        got: tuple[list[str], Iterable[RawRow]] | None = shaper.reshape(kind, columns, rows, context)
        if got is not None:
            return got
    keys = [f"c{c.index}" for c in columns]
    return headers, [RawRow(r.line, {h: r.cells.get(k) for h, k in zip(headers, keys, strict=True)},
                            r.problem, r.cell_lines) for r in rows]


def _named_headers(kind: DocumentKind, columns: list[Column], headers: list[str]) -> list[str]:
    """Each column under the header that names its field (a two-row header's sub-header or
    group, a header without its bracketed note), so normalisation finds it."""
    out = list(headers)
    for i, column in enumerate(columns):
        for text in (column.sub, column.group, column.text):
            if not text:
                continue
            for key in header_keys(text):
                spec = kind.by_header.get(key)
                if spec is not None:
                    out[i] = spec.name if key != header_key(text) or text != column.text else text
                    break
            else:
                continue
            break
    return out


def _shape_plain(table: RawTable, kinds: dict[str, DocumentKind], kind_name: str | None,
                 seasons: dict[str, Any], out: Shaped, header_line: int | None = None) -> Shaped:
    """A table without a grid (a plugin reader's, YAML/JSON rows), or with no header row
    found: its headers as given, note and section rows still told apart."""
    columns = [Column(i, clean_header(h), "") for i, h in enumerate(table.headers)]
    kind = kinds.get(kind_name) if kind_name else None
    if kind is None:
        scored = sorted(((score(k, columns), k.name) for k in kinds.values()), reverse=True)
        if scored and scored[0][0] >= 2 and (len(scored) == 1 or scored[1][0] < scored[0][0]):
            kind = kinds[scored[0][1]]
    if kind is None:
        out.segments.append(Segment(None, table))
        return out
    rows: Iterable[RawRow] = table.rows
    if table.grid is not None and table.headers:
        personal = personal_columns(kind, columns)
        rows = _notes_in_rows(table.rows, list(table.headers), table.sheet, out.notes,
                              {table.headers[i]: f for i, f in personal.items()})
    context = ShapeContext(table.sheet, out.notes, dict(seasons),
                           header_line if header_line is not None else table.line)
    shaper = getattr(kind, "shaper", None)
    headers = _named_headers(kind, columns, list(table.headers))
    if headers != list(table.headers):
        renamed = dict(zip(table.headers, headers, strict=False))
        source = rows
        rows = (RawRow(r.line, {renamed.get(k, k): v for k, v in r.cells.items()}, r.problem,
                       r.cell_lines) for r in source)
    unique = len(set(table.headers)) == len(table.headers)
    got = shaper.reshape(kind, [Column(i, "", h, h) for i, h in enumerate(headers)], rows, context) \
        if shaper is not None and unique else None
    if got is None:
        plain = RawTable(headers=headers, rows=rows, kind_hint=table.kind_hint, sheet=table.sheet,
                         line=table.line, school_id=table.school_id,
                         columnar=table.columnar if headers == list(table.headers) else None)
    else:
        plain = RawTable(headers=got[0], rows=got[1], kind_hint=table.kind_hint, sheet=table.sheet,
                         line=table.line, school_id=table.school_id)
    out.segments.append(Segment(kind.name, plain))
    return out


def _notes_in_rows(rows: Iterable[RawRow], headers: list[str], sheet: str | None,
                   notes: list[Note], personal: Mapping[str, str] | None = None
                   ) -> Iterator[RawRow]:
    """``rows`` without the note rows at their end and the section rows between them,
    streamed (the big-file path): a one-cell row is held until the next data row.
    Cells under the ``personal`` headers are masked in the notes.

    A row is judged by every cell it holds: by position when its reader gave them so
    (a header written twice), as the grid path and the columnar path judge it."""
    width = len(headers)
    placed = {i: personal[h] for i, h in enumerate(headers) if h in personal} if personal else None

    def note(row: RawRow, why: str) -> Note:
        if row.by_position is not None:
            return _row_note(row.line, sheet, row.by_position, why, placed)
        at = {i: personal[k] for i, k in enumerate(row.cells) if k in personal} if personal else None
        return _row_note(row.line, sheet, list(row.cells.values()), why, at)

    held: list[RawRow] = []
    rows = iter(rows)
    for row in rows:
        values: Iterable[Any] = row.by_position if row.by_position is not None else row.cells.values()
        first = None
        inked = 0
        for value in values:  # at most two looked at: the usual row has many
            if value is not None and (value.__class__ is not str or value.strip()):
                inked += 1
                if inked == 1:
                    first = value
                else:
                    break
        if first.__class__ is str and first.lstrip()[:1] in _NOTE_FIRST and is_note_text(first):
            notes.extend(note(earlier, "note") for earlier in held)
            notes.append(note(row, "note"))
            for rest in rows:  # once a note row is reached, the rest are notes
                notes.append(note(rest, "note"))
            return
        if inked == 1 and width >= 2 and not row.problem and first.__class__ is str:
            held.append(row)
            continue
        notes.extend(note(earlier, "section") for earlier in held)
        held = []
        yield row
    notes.extend(note(earlier, "note") for earlier in held)


def sheet_kind(name: str | None, stems: dict[str, str]) -> str | None:
    """The kind a sheet's name is or contains the stem of (``2025秋季作息时间表``)."""
    if not name:
        return None
    key = stem_key(name)
    if key in stems:
        return stems[key]
    best = None
    for stem, kind in stems.items():
        if len(stem) >= 2 and stem in key and (best is None or len(stem) > len(best[0])):
            best = (stem, kind)
    return best[1] if best else None


Reshape = Callable[..., Any]
