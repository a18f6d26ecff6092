"""Walks what the user named — school folders, district folders, single files —
reads every file with the reader for its format, tells each document's kind, and
collects the submissions of every school.  Nothing is skipped silently: a file
that cannot be read or told becomes an INP finding."""

from __future__ import annotations

import os
import pickle
import tempfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from compliance.host.interrupts import PLUGIN_FAULTS
from compliance.inputs import safety
from compliance.inputs.columnar import ArrowTable, Split, normalize, release_memory
from compliance.inputs.kinds import DocumentKind, header_key, stem_key
from compliance.inputs.model import District, Document, Location, School, Submission
from compliance.inputs.personal import mask_name
from compliance.inputs.problems import InputProblem
from compliance.inputs.raw import LMap, RawDocument, RawMapping, RawRow, RawTable, Reader, ReadError
from compliance.inputs.reasons import Msg, kind_label, quoted
from compliance.inputs.school_files import parse_calendar, parse_school, parse_zones
from compliance.inputs.shaping import FileNotes, Shaped, shape, sheet_kind
from compliance.inputs.tables import columns_of, missing_columns, normalize_table
from compliance.inputs.values import BadValue, is_blank

MAPPING_STEMS = {
    "school": ("school", "学校", "学校信息"),
    "zones": ("zones", "学区", "学区划分"),
    "calendar": ("calendar", "校历"),
}
IGNORED_PREFIXES = (".", "~$", "README", "readme")
#: rows of multi-school tables held in memory before they are spilled to files
SPILL_ROWS = 50_000
#: rows from which a table's freed columns are handed back to the system at once
BIG_ROWS = 100_000


@dataclass
class Loaded:
    """Everything read from the paths of one run."""

    submissions: dict[str, Submission] = field(default_factory=dict)
    problems: list[InputProblem] = field(default_factory=list)
    files: int = 0
    rows_read: int = 0
    rows_rejected: int = 0
    #: deferred mode only: what to read, per school, when that school is checked
    plans: dict[str, SchoolPlan] = field(default_factory=dict)
    #: each file read: its title and the rows passed over (exports.md), by shown path
    file_notes: dict[str, FileNotes] = field(default_factory=dict)
    #: files read from above the paths given: a school folder's district zones.yaml and
    #: calendar.yaml, a lone file's school.yaml (the report lists them)
    found_above: list[str] = field(default_factory=list)


@dataclass
class FolderUnit:
    """A school folder whose tables are read only when its school is checked."""

    folder: Path
    base: str
    root: Path


@dataclass
class Partition:
    """One school's rows of a multi-school table: in memory, or spilled to a file.

    Spilled rows are pickled in batches of ``RawRow`` fields; :meth:`rows` streams them back.
    """

    kind: str
    loc: Location
    headers: list[str]
    school_id: str | None
    path: str | None = None
    held: list[tuple[Any, ...]] = field(default_factory=list)
    #: the school's clean rows when the table was read the columnar way (then ``held``
    #: has only the rows the row path must report)
    table: ArrowTable | None = None

    def rows(self) -> Iterator[RawRow]:
        if self.path is not None:
            with open(self.path, "rb") as fh:
                while True:
                    try:
                        batch = pickle.load(fh)
                    except EOFError:
                        break
                    for line, cells, problem, cell_lines in batch:
                        yield RawRow(line, cells, problem, cell_lines)
        for line, cells, problem, cell_lines in self.held:
            yield RawRow(line, cells, problem, cell_lines)


@dataclass
class SchoolPlan:
    """Everything needed to build one school's submission later, in any process.

    :attr docs: documents already read (loose single-school files);
    :attr folders: school folders still to read; :attr parts: spilled rows.
    """

    school_id: str
    school: School | None
    district: District | None
    docs: list[Document] = field(default_factory=list)
    folders: list[FolderUnit] = field(default_factory=list)
    parts: list[Partition] = field(default_factory=list)
    #: an input problem of this school was found while planning (a loose file unreadable)
    reported: bool = False
    #: the titles and notes of the files read while planning that this school has rows
    #: in (a district's list), by file: its pupils named there are masked afterwards
    note_texts: dict[str, list[str]] = field(default_factory=dict)


@dataclass
class Materialised:
    """One school's submission plus what reading it cost and found."""

    submission: Submission
    problems: list[InputProblem]
    files: int
    rows_read: int
    rows_rejected: int
    file_notes: dict[str, FileNotes] = field(default_factory=dict)


#: a table read the columnar way: (file shown, sheet, kind, headers, school)
PrefetchKey = tuple[str, str | None, str, tuple[str, ...], str]


@dataclass
class ReadAhead:
    """Files a batch's look ahead read, and tables it shaped, before their rows were
    touched: the school's reading takes them instead of doing it again.

    :attr documents: by file shown, what its reader gave;
    :attr shaped: by ``id`` of a table, the table and what :func:`shape` made of it.
    """

    documents: dict[str, list[RawDocument]] = field(default_factory=dict)
    shaped: dict[int, tuple[RawTable, Shaped]] = field(default_factory=dict)


def display_path(base: str, path: Path, root: Path) -> str:
    """The path as given on the command line joined with the file's path inside it
    (bytes that are not UTF-8 shown as U+FFFD)."""
    if path == root:
        return safety.shown(Path(base).as_posix())
    return safety.shown((Path(base) / path.relative_to(root)).as_posix())


# what Loader._read answers for a reader that handed the file back (read() gave None)
PASSED: list[RawDocument] = []


def _shown(path: Path) -> str:
    """A file found beside or above the given paths, as a user would type it."""
    try:
        return Path(os.path.relpath(path)).as_posix()
    except ValueError:  # another drive (Windows)
        return path.as_posix()


class Loader:
    """Reads a run's inputs.

    :param kinds: the document kinds by name.
    :param readers: the format readers, first match wins.
    :param school_file: ``--school FILE``: the profile loose documents belong to.
    """

    def __init__(self, kinds: dict[str, DocumentKind], readers: Sequence[Reader],
                 school_file: str | None = None,
                 origin: Callable[[Reader | None], str] | None = None, defer: bool = False,
                 spill_dir: str | None = None):
        self.kinds = kinds
        self.readers = list(readers)
        self.school_file = school_file
        # Names the plugin a reader came from, for the finding when it breaks.
        self.origin = origin or (lambda reader: type(reader).__module__)
        # defer: school folders and multi-school tables are only planned here and read
        # per school by :func:`materialise`, so memory is bounded by the largest school.
        self.defer = defer
        self.spill_dir = spill_dir
        self._folders: dict[str, list[FolderUnit]] = {}
        self._parts: list[tuple[Partition, District | None]] = []
        self.out = Loaded()
        self._schools: dict[str, School] = {}
        self._districts: dict[str, District | None] = {}
        self._docs: list[tuple[Document, District | None]] = []
        #: every file and folder met, by real path, and how it was first shown
        self._seen: dict[str, str] = {}
        self._outside_seen: set[str] = set()
        self._forced: str | None = None
        #: school files already normalised with their batch (``compliance.inputs.batch_read``)
        self.prefetched: dict[PrefetchKey, Split | None] = {}
        self.ahead = ReadAhead()
        self._stems: dict[str, str] = {}
        for kind in kinds.values():
            for stem in (kind.name, *kind.stems):
                self._stems[stem_key(stem)] = kind.name
        for name, stems in MAPPING_STEMS.items():
            for stem in stems:
                self._stems[stem_key(stem)] = name

    # -- walking ---------------------------------------------------------------

    def load(self, paths: Iterable[str]) -> Loaded:
        if self.school_file:
            school = self._school_profile(Path(self.school_file), self.school_file)
            self._forced = school.id if school else None
        for given in paths:
            path = Path(given)
            if safety.is_dir(path):
                # a school folder checked alone: its district (and city) are the folders above;
                # a district folder given alone is the top of what it was given
                school_folder = self._find_mapping(path, "school") is not None
                self._folder(path, given, path,
                             self._district_above(path.parent, 2) if school_folder else None)
            else:
                # a lone file: its own folder, and when that is a school folder, the two above
                beside = self._find_mapping(path.parent, "school") is not None
                owner, district = self._forced, self._district_above(path.parent,
                                                                      3 if beside else 1)
                if owner is None:
                    owner = self._school_beside(path, district)
                self._file(path, given, path, owner=owner, district=district)
        self._assemble()
        return self.out

    def _district_above(self, start: Path, levels: int) -> District | None:
        """The district context of a path given alone: ``zones.yaml`` / ``calendar.yaml``
        in ``start`` and the folders above it, at most ``levels`` folders in all, nearest
        last in the chain (a city's calendar, then the district's zones).  The search also
        stops at a project root (a folder with ``.git`` or ``pyproject.toml``) and the
        home folder."""
        found: list[Path] = []
        home = Path.home()
        chain = [start, *start.resolve().parents][:levels] if start.exists() else []
        for folder in chain:
            if any(self._find_mapping(folder, n) for n in ("zones", "calendar")):
                found.append(folder)
            if folder == home or (folder / ".git").exists() or (folder / "pyproject.toml").is_file():
                break
        district: District | None = None
        for folder in reversed(found):
            district = District(Location(_shown(folder)), parent=district)
            for name in ("zones", "calendar"):
                path = self._find_mapping(folder, name)
                if path is not None and self._once(path):
                    self.out.files += 1
                    self.out.found_above.append(_shown(path))
                    self._mapping_file(path, _shown(path), district)
        return district

    def _school_beside(self, path: Path, district: District | None) -> str | None:
        """A lone file in a school folder belongs to the ``school.yaml`` beside it."""
        school_path = self._find_mapping(path.parent, "school")
        if school_path is None or school_path.resolve() == path.resolve():
            return None
        if not self._once(school_path):
            known = next((s for s in self._schools.values()
                          if s.loc.file == _shown(school_path)), None)
            return known.id if known else None
        self.out.files += 1
        self.out.found_above.append(_shown(school_path))
        school = self._school_profile(school_path, _shown(school_path))
        if school is None:
            return None
        self._districts.setdefault(school.id, district)
        return school.id

    def _once(self, path: Path, shown: str = "") -> bool:
        real = os.path.realpath(path)
        if real in self._seen:
            return False
        self._seen[real] = shown
        return True

    def _children(self, folder: Path, base: str, root: Path) -> list[Path]:
        try:
            return sorted(
                (p for p in folder.iterdir() if not p.name.startswith(IGNORED_PREFIXES)),
                key=lambda p: p.name,
            )
        except OSError as exc:
            self._problem("INP003", Location(display_path(base, folder, root)),
                          Msg("folder.unlistable", error=exc.strerror or type(exc).__name__))
            return []

    def _find_mapping(self, folder: Path, name: str, listed: set[str] | None = None,
                      ) -> Path | None:
        """``folder``'s ``school``/``zones``/``calendar`` file; ``listed``: the folder's
        entry names, when known (one listing instead of a ``stat`` per candidate)."""
        for stem in MAPPING_STEMS[name]:
            for suffix in (".yaml", ".yml", ".json"):
                if listed is not None and f"{stem}{suffix}".lower() not in listed:
                    continue
                candidate = folder / f"{stem}{suffix}"
                # a profile that is a link out of its folder is not this school's profile
                if safety.is_file(candidate) and safety.inside(candidate, folder):
                    return candidate
        return None

    def _folder(self, folder: Path, base: str, root: Path, parent: District | None) -> None:
        if not self._once(folder):
            return
        try:
            # lower-cased: a case-insensitive file system finds `School.yaml` by stat too
            listed: set[str] | None = {n.lower() for n in os.listdir(folder)}
        except OSError:
            listed = None  # each candidate is asked for, and the listing's error told below
        school_path = self._find_mapping(folder, "school", listed)
        district = parent
        zones_path = self._find_mapping(folder, "zones", listed)
        calendar_path = self._find_mapping(folder, "calendar", listed)
        if school_path is None or zones_path or calendar_path:
            district = District(Location(display_path(base, folder, root)), parent=parent)
            for path in (zones_path, calendar_path):
                if path is not None and self._once(path, display_path(base, path, root)):
                    self.out.files += 1
                    self._mapping_file(path, display_path(base, path, root), district)
        if school_path is not None:
            self._once(school_path, display_path(base, school_path, root))
            self.out.files += 1
            school = self._school_profile(school_path, display_path(base, school_path, root))
            owner = school.id if school else None
            if owner is not None:
                self._districts.setdefault(owner, district)
                if self.defer:
                    self._folders.setdefault(owner, []).append(FolderUnit(folder, base, root))
                    return
            self._school_folder(folder, base, root, owner, district)
            return
        for child in self._children(folder, base, root):
            if self._outside(child, base, root):
                continue
            if safety.is_dir(child):
                self._folder(child, base, root, district)
            else:
                self._file(child, base, root, owner=self._forced, district=district)

    def _school_folder(self, folder: Path, base: str, root: Path, owner: str | None,
                       district: District | None) -> None:
        for child in self._children(folder, base, root):
            if self._outside(child, base, root, owner):
                continue
            if safety.is_dir(child):
                if self._once(child):
                    self._school_folder(child, base, root, owner, district)
            else:
                self._file(child, base, root, owner=owner, district=district)

    # -- files -----------------------------------------------------------------

    def _reader_for(self, path: Path) -> Reader | None:
        suffix = path.suffix.lower()
        return next((r for r in self.readers if suffix in r.suffixes), None)

    def _outside(self, child: Path, base: str, root: Path, owner: str | None = None) -> bool:
        """Report (once) and skip a link whose target lies outside the path given."""
        if not safety.is_link(child) or safety.inside(child, root):
            return False
        key = os.path.abspath(child)  # the link itself: many may point at one /dev/zero
        if key in self._outside_seen:
            return True
        self._outside_seen.add(key)
        self._problem("INP003", Location(display_path(base, child, root)),
                      Msg("file.link_outside"), owner)
        return True

    def _file(self, path: Path, base: str, root: Path, owner: str | None,
              district: District | None) -> None:
        shown = display_path(base, path, root)
        real = os.path.realpath(path)
        first = self._seen.get(real)
        if first is not None:
            if first and first != shown:  # two links to one file: read once, and said so
                self._problem("INP003", Location(shown), Msg("file.same_as", first=first), owner)
            return
        self._seen[real] = shown
        try:
            os.stat(path)
        except OSError as exc:
            reason = (Msg("file.broken_link") if safety.is_link(path) and not os.path.exists(path)
                      else Msg("file.missing") if isinstance(exc, FileNotFoundError)
                      else Msg("file.os_error", error=exc.strerror or type(exc).__name__))
            self._problem("INP003", Location(shown), reason, owner)
            return
        unsafe = safety.unsafe(path, root)
        if unsafe is not None:  # a FIFO, a device, a link out of the submission: never opened
            self._problem("INP003", Location(shown), unsafe, owner)
            return
        self.out.files += 1
        self._notes_of(shown)
        if self._reader_for(path) is None:
            reason = (Msg("file.no_reader", suffix=path.suffix) if path.suffix
                      else Msg("file.no_reader_no_suffix"))
            self._problem("INP003", Location(shown), reason, owner)
            return
        documents = self._read_any(path, shown, owner)
        if documents is None:
            return
        stem_kind = self._stems.get(stem_key(path.stem))
        if stem_kind in MAPPING_STEMS and any(isinstance(d, RawTable) for d in documents):
            stem_kind = None
        tables = [d for d in documents if isinstance(d, RawTable)]
        first_table = tables[0] if tables else None
        # a timetable workbook holds one sheet per class: every sheet is one
        grid_file = self._is_grid(stem_kind)
        for doc in documents:
            if isinstance(doc, RawMapping):
                kind = self._stems.get(stem_key(doc.kind_hint or "")) or stem_kind
                kind = kind or self._mapping_kind_from_keys(doc.data)
                if kind == "school":
                    school = self._school_profile_from(doc.data, shown)
                    if school is not None and owner is None:
                        owner = school.id
                elif kind in ("zones", "calendar"):
                    target = district or District(Location(shown))
                    self._mapping_doc(doc.data, kind, shown, target)
                else:
                    self._problem("INP003", Location(shown, doc.data.line),
                                  Msg("doc.unknown_kind"), owner)
            elif isinstance(doc, RawTable):
                self._table(doc, shown, stem_kind if doc is first_table or doc.sheet is None
                            or grid_file else None, owner, district)

    def _read_any(self, path: Path, shown: str, owner: str | None) -> list[RawDocument] | None:
        """The documents of ``path`` from the first reader of its suffix that takes it.

        A reader whose ``read()`` returns ``None`` hands the file back: the next reader
        for the suffix (in the end the built-in one) reads it instead.
        """
        documents_ahead = self.ahead.documents.pop(shown, None)
        if documents_ahead is not None:
            return documents_ahead  # read by the batch's look ahead, rows not started
        suffix = path.suffix.lower()
        for reader in self.readers:
            if suffix in reader.suffixes:
                documents = self._read(reader, path, shown, owner)
                if documents is not PASSED:
                    return documents
        self._problem("INP003", Location(shown), Msg("file.no_reader", suffix=path.suffix), owner)
        return None

    def _read(self, reader: Reader, path: Path, shown: str,
              owner: str | None) -> list[RawDocument] | None:
        """What ``reader`` makes of ``path``, or ``None`` after reporting why it could not.

        Readers may come from third parties: whatever one raises becomes an INP003 that
        names the plugin and the file, and the run goes on with the other files.
        """
        try:
            documents = reader.read(path)
            if documents is None:
                return PASSED
            if not isinstance(documents, list | tuple):
                raise TypeError(f"read() returned {type(documents).__name__}, not a list")
            return list(documents)
        except ReadError as exc:
            self._problem("INP003", Location(shown, exc.line), _reason(exc), owner)
        except OSError as exc:
            self._problem("INP003", Location(shown),
                          Msg("file.os_error", error=exc.strerror or type(exc).__name__), owner)
        except (RecursionError, MemoryError):
            self._problem("INP003", Location(shown), Msg("file.too_large"), owner)
        except PLUGIN_FAULTS as exc:  # SystemExit and KeyboardInterrupt too: a plugin's
            self._problem("INP003", Location(shown), self._crash(reader, exc), owner)
        return None

    def _crash(self, reader: Reader | None, exc: BaseException, rows: int | None = None) -> Msg:
        names = {"reader": repr(getattr(reader, "name", "?")), "plugin": repr(self.origin(reader)),
                 "error": f"{type(exc).__name__}: {exc}"}
        if rows is None:
            return Msg("file.reader_failed", **names)
        return Msg("file.reader_failed_after", rows=rows, **names)

    def _mapping_kind_from_keys(self, data: LMap) -> str | None:
        if isinstance(data.get("school"), LMap):
            return "school"
        if isinstance(data.get("zones"), LMap):
            return "zones"
        if "holidays" in data or "workdays" in data:
            return "calendar"
        return None

    def _is_grid(self, kind_name: str | None) -> bool:
        kind = self.kinds.get(kind_name or "")
        return kind is not None and kind.grid is not None

    def _notes_of(self, shown: str) -> FileNotes:
        got = self.out.file_notes.get(shown)
        if got is None:
            got = self.out.file_notes[shown] = FileNotes(shown)
        return got

    def _table(self, table: RawTable, shown: str, stem_kind: str | None, owner: str | None,
               district: District | None) -> None:
        """Shape ``table`` (title, header, notes; exports.md) and read each table found in it."""
        table_kinds = {stem: kind for stem, kind in self._stems.items() if kind in self.kinds}
        kind_name = sheet_kind(table.kind_hint, table_kinds)
        if kind_name is None:
            kind_name = stem_kind if stem_kind in self.kinds else None
        if self._is_grid(kind_name):  # the timetable reads the sheet as it stands itself
            self._grid(self.kinds[cast(str, kind_name)], table, shown, owner, district)
            return
        school = self._schools.get(owner) if owner is not None else None
        try:
            ahead = self.ahead.shaped.pop(id(table), None)
            if ahead is not None and ahead[0] is table:
                shaped = ahead[1]  # shaped by the batch's look ahead; no row read yet
            else:
                shaped = shape(table, self.kinds, kind_name, school.seasons if school else None)
                self._shaped(table, shaped)
        except ReadError as exc:
            self._problem("INP003", Location(shown, exc.line, None, table.sheet), _reason(exc), owner)
            return
        except (RecursionError, MemoryError):
            self._problem("INP003", Location(shown, None, None, table.sheet), Msg("file.too_large"),
                          owner)
            return
        except Exception as exc:  # a plugin reader's grid that breaks part-way
            self._problem("INP003", Location(shown, table.line, None, table.sheet),
                          self._crash(self._reader_for(Path(shown)), exc), owner)
            return
        grid_kind = next((s.kind for s in shaped.segments if self._is_grid(s.kind)), None)
        if grid_kind is not None:  # a timetable told by its header row: read as a grid
            self._grid(self.kinds[grid_kind], table, shown, owner, district)
            return
        for segment in shaped.segments:
            self._segment(segment.table, shown, segment.kind, owner, district)
        # after the rows were read: notes are found as they are (a season out of force)
        self._record_notes(shown, shaped)

    def _shaped(self, table: RawTable, shaped: Shaped) -> None:
        """Called with each table as shaped (the batch's look ahead keeps them)."""

    def _record_notes(self, shown: str, shaped: Shaped) -> None:
        notes = self._notes_of(shown)
        if notes.title is None and shaped.title:
            notes.title = shaped.title
        notes.notes.extend(shaped.notes)

    def _header_shown(self, header: Any) -> str:
        """A header cell as an INP003 quotes it: as written when some kind knows it, else
        by its first character (a list without a header row has a child's id, name or
        address there), whatever ``--show-pii`` says."""
        text = str(header)
        key = header_key(text)
        if any(key in kind.by_header for kind in self.kinds.values()):
            return text
        return mask_name(text.strip())

    def _segment(self, table: RawTable, shown: str, kind_name: str | None, owner: str | None,
                 district: District | None) -> None:
        loc = Location(shown, table.line, None, table.sheet)
        if kind_name not in self.kinds:
            kind_name = self._kind_from_headers(table)
        if kind_name is None:
            try:
                rows = sum(1 for _ in table.rows)
            except ReadError as exc:
                self._problem("INP003", Location(shown, exc.line, None, table.sheet),
                              _reason(exc), owner)
                return
            except PLUGIN_FAULTS as exc:
                self._problem("INP003", loc, self._crash(self._reader_for(Path(shown)), exc),
                              owner)
                return
            self.out.rows_read += rows
            self.out.rows_rejected += rows
            self._problem("INP003", loc, Msg("table.unknown_kind", headers=quoted(
                [self._header_shown(h) for h in table.headers[:6]]), rows=rows), owner)
            return
        kind = self.kinds[kind_name]
        default_school = owner or (table.school_id.upper() if table.school_id else None)
        if kind.grid is not None:  # a plain table (YAML, JSON) told to be a timetable
            self._grid(kind, table, shown, owner, district)
            return
        if self.defer and default_school is None and not missing_columns(kind, table.headers, None):
            self._spill(kind, table, loc, district)
            return
        doc = Document(kind_name, loc, school_id=default_school)
        problems: list[InputProblem] = []
        split = self._columnar(kind, table, loc, owner) if owner is not None else None
        try:
            if split is not None:
                doc.table = ArrowTable(split.normalized, split.schools[cast(str, owner)], owner)
                # the rows the columnar path set aside, reported as the row path does
                rest = Document(kind_name, loc, school_id=default_school)
                normalize_table(kind, table.headers, [raw for _, raw in split.problems], rest,
                                problems, default_school, forced_school=True)
                doc.rows_read = len(doc.table) + rest.rows_read
                doc.rows_rejected = rest.rows_rejected
                if rest.records:
                    self._docs.append((rest, district))
            else:
                normalize_table(kind, table.headers, table.rows, doc, problems, default_school,
                                forced_school=owner is not None)
        except ReadError as exc:
            problems.append(InputProblem("INP003", Location(shown, exc.line, None, table.sheet),
                                         _reason(exc), owner))
        except PLUGIN_FAULTS as exc:  # a reader's row iterator that breaks part-way
            # The row in hand when it broke is neither kept nor checked: count it rejected.
            doc.rows_rejected = doc.rows_read - len(doc.records)
            problems.append(InputProblem("INP003", loc, self._crash(
                self._reader_for(Path(shown)), exc, doc.rows_read), owner))
        else:
            if doc.rows_read == 0 and not problems:
                # A header and no rows: nothing was checked, which an inspector must see.
                problems.append(InputProblem(
                    "INP003", loc, Msg("table.no_rows", kind=kind_label(kind)), owner))
        self.out.problems.extend(problems)
        self.out.rows_read += doc.rows_read
        self.out.rows_rejected += doc.rows_rejected
        self._docs.append((doc, district))

    def _grid(self, kind: DocumentKind, table: RawTable, shown: str, owner: str | None,
              district: District | None) -> None:
        """A sheet of a grid kind (the timetable), read by the kind itself; what it passed
        over (titles, 午休 rows, notes below a grid) goes to the file's notes."""
        loc = Location(shown, table.line, None, table.sheet)
        school_id = owner or (table.school_id.upper() if table.school_id else None)
        doc = Document(kind.name, loc, school_id=school_id)
        problems: list[InputProblem] = []
        try:
            assert kind.grid is not None
            kind.grid(kind, table, doc, problems)
        except ReadError as exc:
            problems.append(InputProblem("INP003", Location(loc.file, exc.line, None, loc.sheet),
                                         _reason(exc), school_id))
        except Exception as exc:  # a plugin kind's grid reader with a defect: this sheet only
            problems.append(InputProblem("INP003", loc, self._crash(
                self._reader_for(Path(shown)), exc, doc.rows_read), school_id))
        self.out.problems.extend(problems)
        self.out.rows_read += doc.rows_read
        self.out.rows_rejected += doc.rows_rejected
        notes = self._notes_of(shown)
        if notes.title is None:
            notes.title = next((n.shown("zh") for n in doc.notes if n.why == "preamble"), None)
        notes.notes.extend(doc.notes)
        doc.notes = []
        self._docs.append((doc, district))

    def _kind_from_headers(self, table: RawTable) -> str | None:
        keys = {header_key(h) for h in table.headers if h}
        scored = []
        for kind in self.kinds.values():
            score = kind.match_headers(keys)
            required = [f for f in kind.fields if f.required]
            has_required = all(
                any(header_key(a) in keys for a in (f.name, *f.aliases)) for f in required
            )
            if score and has_required:
                scored.append((score, kind.name))
        scored.sort(reverse=True)
        if not scored or (len(scored) > 1 and scored[0][0] == scored[1][0]):
            return None
        return scored[0][1]

    # -- mapping documents -------------------------------------------------------

    def _mapping_file(self, path: Path, shown: str, district: District) -> None:
        self._notes_of(shown)
        documents = self._read_any(path, shown, None)
        if documents is None:
            return
        for doc in documents:
            if isinstance(doc, RawMapping):
                kind = "zones" if path.stem in MAPPING_STEMS["zones"] else "calendar"
                self._mapping_doc(doc.data, kind, shown, district)
            else:
                self._problem("INP003", Location(shown), Msg("doc.not_a_mapping"))

    def _mapping_doc(self, data: LMap, kind: str, shown: str, district: District) -> None:
        loc = Location(shown)
        if kind == "zones":
            district.zones.update(parse_zones(data, loc, self.out.problems))
            district.zones_loc = loc
        else:
            parse_calendar(data, loc, self.out.problems, district)

    def _school_profile(self, path: Path, shown: str) -> School | None:
        self._notes_of(shown)
        if self._reader_for(path) is None or not safety.is_file(path):
            self._problem("INP003", Location(shown), Msg("school.unreadable"))
            return None
        documents = self._read_any(path, shown, None)
        if documents is None:
            return None
        mapping = next((d for d in documents if isinstance(d, RawMapping)), None)
        if mapping is None:
            self._problem("INP003", Location(shown), Msg("school.not_a_mapping"))
            return None
        return self._school_profile_from(mapping.data, shown)

    def _school_profile_from(self, data: LMap, shown: str) -> School | None:
        school = parse_school(data, Location(shown), self.out.problems)
        if school is None:
            return None
        if school.id in self._schools:
            first = self._schools[school.id]
            if first.loc.file != school.loc.file:
                self._problem("INP005", school.loc,
                              Msg("school.duplicate", school_id=school.id, file=first.loc.file),
                              school.id,
                              subject={"files": [first.loc.file, school.loc.file]})
            return first
        self._schools[school.id] = school
        return school

    # -- partitioning a multi-school table ---------------------------------------

    def _columnar(self, kind: DocumentKind, table: RawTable, loc: Location,
                  owner: str | None) -> Split | None:
        """``table`` normalised a column at a time, when its reader offers that (big CSV)."""
        if table.columnar is None:
            return None
        if self.prefetched and owner is not None:
            key = (loc.file, loc.sheet, kind.name, tuple(table.headers), owner)
            if key in self.prefetched:  # read with the other schools of its batch
                return self.prefetched.pop(key)
        source = table.columnar()
        if source is None:
            return None
        big = source.table.num_rows >= BIG_ROWS
        split = normalize(kind, table.headers, source, loc.file, loc.sheet, owner)
        del source  # the raw columns: only the parsed ones are kept
        if big:  # a school's small file frees little; asking costs ≈ 0.3 ms a file
            release_memory()
        return split

    def _spill(self, kind: DocumentKind, table: RawTable, loc: Location,
               district: District | None) -> None:
        """Split a table whose rows name their schools into one spill file per school.

        A row goes to the school ``normalize_table`` would give it (its ``school_id``
        cell when readable, else none), so reading the parts one by one later gives
        the same records and problems as reading the whole table at once.
        """
        id_header = next((h for h, f in columns_of(kind, table.headers).items()
                          if f.name == "school_id"), None)
        id_field = kind.field("school_id")
        id_parser = id_field.parser if id_field else None
        parts: dict[str, Partition] = {}
        split = self._columnar(kind, table, loc, None)
        if split is not None:
            for sid, rows in split.schools.items():
                parts[sid] = Partition(kind.name, loc, list(table.headers), sid or None,
                                       table=ArrowTable(split.normalized, rows, sid or None))
            for sid, raw in split.problems:
                part = parts.get(sid)
                if part is None:
                    part = parts[sid] = Partition(kind.name, loc, list(table.headers), sid or None)
                part.held.append((raw.line, raw.cells, raw.problem, raw.cell_lines))
            for part in parts.values():
                self._parts.append((part, district))
            return
        ids: dict[object, str] = {}
        held = 0

        def spill() -> None:
            # past the budget every part goes to its own file, so memory stays flat
            for part in parts.values():
                if not part.held:
                    continue
                if part.path is None:
                    fd, part.path = tempfile.mkstemp(prefix="compliance-", suffix=".part",
                                                     dir=self.spill_dir)
                    os.close(fd)
                with open(part.path, "ab") as fh:
                    pickle.dump(part.held, fh, protocol=pickle.HIGHEST_PROTOCOL)
                part.held = []

        for raw in table.rows:
            sid = ""
            cell = raw.cells.get(id_header) if id_header is not None else None
            if id_parser is not None and not is_blank(cell):
                if cell.__class__ is str and cell in ids:
                    sid = ids[cell]
                else:
                    try:
                        sid = str(id_parser(cell))
                    except BadValue:
                        sid = ""
                    if cell.__class__ is str and len(ids) < 100_000:
                        ids[cell] = sid
            part = parts.get(sid)
            if part is None:
                part = parts[sid] = Partition(kind.name, loc, list(table.headers), sid or None)
            part.held.append((raw.line, raw.cells, raw.problem, raw.cell_lines))
            held += 1
            if held >= SPILL_ROWS:
                spill()
                held = 0
        for part in parts.values():
            self._parts.append((part, district))

    # -- assembling --------------------------------------------------------------

    def _plan(self) -> None:
        """Deferred mode: one plan per school, nothing but loose documents read yet."""
        plans = self.out.plans

        def plan(sid: str, district: District | None) -> SchoolPlan:
            got = plans.get(sid)
            if got is None:
                got = plans[sid] = SchoolPlan(sid, self._schools.get(sid),
                                              self._districts.get(sid, district))
            if got.district is None:
                got.district = district
            return got

        for school_id in self._schools:
            plan(school_id, None)
        for school_id, units in self._folders.items():
            plan(school_id, None).folders.extend(units)
        for doc, district in self._docs:
            plan(doc.school_id or "", district).docs.append(doc)
        for part, district in self._parts:
            plan(part.school_id or "", district).parts.append(part)
        for problem in self.out.problems:
            if problem.school_id in plans:
                plans[problem.school_id].reported = True

    def _assemble(self) -> None:
        if self.defer:
            self._plan()
            return
        subs = self.out.submissions
        for school_id, school in self._schools.items():
            subs[school_id] = Submission(school_id, school, district=self._districts.get(school_id))
        for doc, district in self._docs:
            if doc.school_id is not None:
                self._attach(doc, doc.school_id, district)
                continue
            by_school: dict[str, Document] = {}
            for record in doc.records:
                sid = record.school_id or ""
                part = by_school.get(sid)
                if part is None:
                    part = by_school[sid] = Document(doc.kind, doc.loc, school_id=sid)
                part.records.append(record)
                part.rows_read += 1  # a part counts the rows it holds; rejected rows have
                # no school to go to and are counted in Loaded (and reported as INP findings)
            for index, (sid, part) in enumerate(by_school.items()):
                if index == 0:
                    part.notes = doc.notes  # the file's notes, listed once
                    part.grids = doc.grids
                self._attach(part, sid, district)
        for sub in subs.values():
            self._nothing_handed_in(sub)

    def _nothing_handed_in(self, sub: Submission) -> None:
        """INP002 for a school with a profile and no document (and no file that failed):
        a school that handed in nothing must not pass."""
        if sub.school is None or sub.documents:
            return
        if any(p.school_id == sub.school_id for p in self.out.problems):
            return  # its files were there but could not be read: already reported
        self._problem("INP002", sub.school.loc,
                      Msg("school.nothing_handed_in", school_id=sub.school_id,
                          kinds=", ".join(sorted(self.kinds))),
                      sub.school_id, subject={"school_id": sub.school_id, "documents": 0})

    def _attach(self, doc: Document, school_id: str, district: District | None) -> None:
        subs = self.out.submissions
        sub = subs.get(school_id)
        if sub is None:
            sub = subs[school_id] = Submission(school_id, None, district=district)
            if doc.records:
                first = doc.records[0].loc
            elif doc.table is not None and len(doc.table):
                first = doc.table.location(0)
            else:
                first = doc.loc
            self._problem("INP005", first, Msg("school.no_profile", school_id=school_id), school_id,
                          subject={"school_id": school_id})
        if sub.district is None:
            sub.district = district
        sub.documents.append(doc)

    def _problem(self, code: str, loc: Location, reason: str | Msg, school_id: str | None = None,
                 subject: dict[str, object] | None = None) -> None:
        self.out.problems.append(InputProblem(code, loc, reason, school_id, {},
                                              subject or {}))


def _reason(exc: ReadError) -> str | Msg:
    """A reader's reason: a ``Msg``, or its plain text (a plugin reader's) as is."""
    return getattr(exc, "reason", None) or exc.message


def materialise(plan: SchoolPlan, kinds: dict[str, DocumentKind],
                readers: Sequence[Reader], origin: Callable[[Reader | None], str] | None = None,
                prefetched: dict[PrefetchKey, Split | None] | None = None,
                ahead: ReadAhead | None = None) -> Materialised:
    """Read one planned school: its folders, its spilled rows and its loose documents.

    Gives the same submission and input problems the all-at-once :meth:`Loader.load`
    gives for that school.  ``prefetched``: its files already normalised with the
    other schools of its batch (:func:`compliance.inputs.batch_read.prefetch`), and
    ``ahead`` what that read of its files and tables; what is used is taken out.
    """
    loader = Loader(kinds, readers, origin=origin)
    if prefetched is not None:
        loader.prefetched = prefetched
    if ahead is not None:
        loader.ahead = ahead
    loader._schools = {plan.school_id: plan.school} if plan.school else {}
    for unit in plan.folders:
        loader._seen[os.path.realpath(unit.folder)] = ""
        for name in MAPPING_STEMS:  # read (and counted) by the planning walk already
            found = loader._find_mapping(unit.folder, name)
            if found is not None:
                loader._seen[os.path.realpath(found)] = display_path(unit.base, found, unit.root)
        loader._school_folder(unit.folder, unit.base, unit.root, plan.school_id, plan.district)
    out = loader.out
    for part in plan.parts:
        kind = kinds[part.kind]
        doc = Document(part.kind, part.loc, school_id=None)
        normalize_table(kind, part.headers, part.rows(), doc, out.problems, None)
        out.rows_read += doc.rows_read
        out.rows_rejected += doc.rows_rejected
        if part.table is not None:  # the clean rows, held as columns
            out.rows_read += len(part.table)
            loader._docs.append((Document(part.kind, part.loc, school_id=plan.school_id,
                                          rows_read=len(part.table), table=part.table),
                                 plan.district))
        sub_doc = Document(doc.kind, doc.loc, doc.records, plan.school_id)
        if sub_doc.records or (plan.school_id and part.table is None):
            # rows naming no school were reported (INP001)
            loader._docs.append((sub_doc, plan.district))
    for doc in plan.docs:
        loader._docs.append((doc, plan.district))
    subs = out.submissions
    if plan.school is not None:
        subs[plan.school_id] = Submission(plan.school_id, plan.school, district=plan.district)
    for doc, district in loader._docs:
        loader._attach(doc, doc.school_id or "", district)
    sub = subs.get(plan.school_id) or Submission(plan.school_id, plan.school, district=plan.district)
    if not plan.reported:
        loader._nothing_handed_in(sub)
    return Materialised(sub, out.problems, out.files, out.rows_read, out.rows_rejected,
                        out.file_notes)
