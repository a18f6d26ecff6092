"""The columnar path: a big table read as Arrow columns and normalised a column at a time.

The row path (:func:`compliance.inputs.tables.normalize_table`) makes a ``dict``, a
:class:`Location` and a :class:`Record` per row and calls a parser per cell; at a
million rows that alone costs several times a bare ``csv.reader`` pass.  This path
gives the same result without a Python object per row:

* :func:`read_csv` parses the file with pyarrow into string columns, and declines
  (``None``) any file whose records are not one physical line each (quoted
  newlines, blank lines, lone ``\\r``) or which pyarrow cannot parse (rows of the
  wrong width): those go the row path, which knows how to report them.
* :func:`normalize` parses each column once per *distinct* cell (a dictionary
  encoding) or, for ids and plain text, checks the whole column against a pattern
  whose cells the parser would return unchanged (upper-cased, for ids).  Rows with
  any unreadable cell, a missing required cell or no school are *problem rows*: they
  are handed back as :class:`RawRow` for the row path, which reports them exactly as
  it always has.  Those rows are exactly the ones the row path rejects, so the clean
  rows left here are the ones it would have kept as records.
* :class:`ArrowTable` is one school's clean rows: parsed columns, lines, and
  :class:`Record` objects made only for the rows a rule asks for.
  :class:`RecordTable` gives the same interface over records from the row path, so
  a rule written against tables works on both (the tests compare them).

pyarrow is imported only here, and only for files large enough to gain from it.
"""

from __future__ import annotations

import bisect
import contextlib
import csv
import functools
import io
import mmap
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from compliance.inputs.kinds import DocumentKind, Field
from compliance.inputs.model import Location, Record
from compliance.inputs.raw import RawRow
from compliance.inputs.tables import _BLANK, _MISS, MAX_CELL, _Bad, _cache_for, _columns, _parse
from compliance.inputs.values import BadValue, parse_id, parse_text

if TYPE_CHECKING:
    import pyarrow as pa

#: files smaller than this are read row by row (pyarrow's import and set-up cost more)
MIN_BYTES = 16 << 10
#: from this size on a file is read the big-file way: mapped, lines counted in a thread
#: while pyarrow parses on every core, repetitive columns dictionary-encoded as parsed,
#: ids and names normalised in threads; below it, with no thread or pool of its own
#: (their set-up cost a 3,000-row file more than its parse: 8.7 ms against 1.1 ms)
BIG_BYTES = 1 << 20
#: from this many rows on, id and name columns are normalised in threads
BIG_ROWS = 20_000
#: the start of a file looked at to tell repetitive columns (zones) from ids and names
SAMPLE_BYTES = 1 << 18

# Cells a parser returns unchanged (ids: upper-cased), checked a column at a time.
# ids: printable ASCII without spaces (``parse_id``'s own fast path).  Text: no white
# space at either end, and only characters NFKC leaves alone in any sequence: printable
# ASCII, CJK ideographs (basic and extension A), 、。〇 and the middle dot of 欧阳·娜.
_TEXT_CHARS = r"!-~\x{b7}\x{3001}\x{3002}\x{3007}\x{3400}-\x{4dbf}\x{4e00}-\x{9fff}"
FAST_FORMS: dict[Any, tuple[str, str | None]] = {
    parse_id: (r"^[!-~]+$", "ascii_upper"),
    parse_text: (rf"^[{_TEXT_CHARS}](?:[ {_TEXT_CHARS}]*[{_TEXT_CHARS}])?$", None),
}
# A cell that surely is not blank: any printable non-space ASCII or CJK character.
_INKED = rf"[{_TEXT_CHARS}]"


@functools.cache
def available() -> bool:
    """Whether pyarrow can be imported here (it is a dependency; this guards odd platforms).

    Asked once per process: the set-up below looks along ``sys.path`` for dateutil."""
    try:
        import pyarrow
        import pyarrow.compute
        import pyarrow.csv
    except ImportError:
        return False
    _no_dateutil_search()
    _no_pandas_probe()
    if not os.environ.get("ARROW_DEFAULT_MEMORY_POOL"):
        # the C library's allocator hands freed column buffers back to the system;
        # pyarrow's default pool keeps them, and a run's memory is its peak
        pyarrow.set_memory_pool(pyarrow.system_memory_pool())
    return True


class _NoPandasForUs:
    """An import finder that refuses ``pandas`` to imports made on compliance's behalf.

    An import asked for while the nearest Python frame outside importlib and pyarrow
    belongs to a ``compliance`` module is one pyarrow makes for its own conversions
    (compliance never imports pandas); any other code, a plugin's included, imports
    pandas as usual.
    """

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> None:
        if name != "pandas" and not name.startswith("pandas."):
            return None
        import sys

        frame = sys._getframe(1)
        while frame is not None and frame.f_globals.get("__name__", "").startswith(
                ("importlib", "_frozen_importlib", "pyarrow")):
            frame = frame.f_back  # type: ignore[assignment]
        if frame is not None and frame.f_globals.get("__name__", "").startswith("compliance."):
            raise ModuleNotFoundError(f"No module named {name!r}", name=name)
        return None


def _no_pandas_probe() -> None:
    """Keep pyarrow from importing pandas (≈ 0.4 s) for compliance when it happens to
    be installed.

    pyarrow imports pandas, when it can, on its first conversion of Python values
    (``pa.array([...])``, a scalar operand), to recognise pandas objects; compliance
    never hands it one.  A finder placed first in ``sys.meta_path`` (once per
    process) refuses those imports only when compliance's own code asked pyarrow for
    the conversion; pandas stays importable for everyone else, and ``Table.to_pandas()``
    works as before.
    """
    import sys

    if "pandas" in sys.modules or any(isinstance(f, _NoPandasForUs) for f in sys.meta_path):
        return
    sys.meta_path.insert(0, _NoPandasForUs())


def _no_dateutil_search() -> None:
    """Make pyarrow's look for ``dateutil`` cheap when it is not installed.

    Converting any Python value (``pa.array([...])``, a scalar operand such as
    ``pc.not_equal(ids, "")``) makes pyarrow try ``import dateutil``; a failed import
    is not remembered, so each call searched ``sys.path`` again: 30–40 µs, most of
    the cost of a compute call on one school's rows.  Marking the absent module as
    absent (``sys.modules[name] = None``, which Python's import system reads as
    "known missing") makes the failure immediate.  Nothing changes where dateutil
    is installed.
    """
    import importlib.util
    import sys

    if "dateutil" not in sys.modules and importlib.util.find_spec("dateutil") is None:
        sys.modules["dateutil"] = None  # type: ignore[assignment]


def release_memory() -> None:
    """Give memory pyarrow freed back to the system (its pool keeps it otherwise)."""
    import pyarrow as pa

    pool = pa.default_memory_pool()
    if hasattr(pool, "release_unused"):
        pool.release_unused()


@dataclass
class Source:
    """A table as pyarrow parsed it: one string column per header, lines from ``first_line``.

    ``notes_checked`` is false for a small file read while :func:`notes_deferred` is in
    force: whether a row looks like a note is then asked of many files at once
    (:func:`normalize_many`)."""

    table: pa.Table
    first_line: int = 2
    notes_checked: bool = True


@dataclass
class Unparsed:
    """A small file's bytes (UTF-8), checked for line ends, waiting to be parsed with
    the other files of its batch (:func:`parse_many`)."""

    data: bytes
    lines: int
    quoted: bool
    delimiter: str
    width: int


#: while set, a small file is parsed and checked for note rows with its batch
_DEFER_NOTES: ContextVar[bool] = ContextVar("compliance_defer_notes", default=False)


@contextlib.contextmanager
def notes_deferred() -> Iterator[None]:
    """Within the block, :func:`read_csv` of a small file gives its bytes
    (:class:`Unparsed`): the batch that gathers it parses them with the others
    (:func:`parse_many`) and asks about note rows all at once (:func:`normalize_many`)."""
    token = _DEFER_NOTES.set(True)
    try:
        yield
    finally:
        _DEFER_NOTES.reset(token)


#: the row path refuses a physical line this long (``csv_reader.MAX_LINE``, in characters)
LONGEST_LINE = 1 << 20


def read_csv(path: Path, encoding: str, delimiter: str, width: int) -> Source | Unparsed | None:
    """``path`` as Arrow string columns, or ``None`` when the row path must read it
    (within :func:`notes_deferred`, a small file's bytes to parse with others)."""
    if path.stat().st_size < MIN_BYTES or not available():
        return None
    try:
        return _read_csv(path, encoding, delimiter, width)
    except (MemoryError, OSError):
        return None  # no room to map or parse it whole: the row path reads it line by line


def _read_csv(path: Path, encoding: str, delimiter: str, width: int) -> Source | Unparsed | None:
    import pyarrow as pa
    import pyarrow.csv as pacsv

    source: Any
    counting: _Counting | None = None
    shape: tuple[int, bool, bytes] | None = None
    big = path.stat().st_size >= BIG_BYTES
    if encoding in ("utf-8", "utf-8-sig") and big:
        # pyarrow reads the file itself (mapped, not copied); Python streams it once to
        # count lines, in a thread, while pyarrow parses without holding the GIL
        head, quoted = _glance(path)
        counting = _Counting(path)
        source = pa.memory_map(str(path))
    else:
        try:
            data = path.read_bytes()  # its encoding was checked over the whole file
            if encoding not in ("utf-8", "utf-8-sig"):
                data = data.decode(encoding).encode("utf-8")
        except UnicodeError:
            return None  # the row path reports where it breaks
        shape = _shape([data])
        if shape is None:
            return None  # a lone carriage return ends a line for the row path, not for pyarrow
        _, quoted, head = shape
        if _DEFER_NOTES.get():
            # parsed with the other files of its batch (parse_many)
            return Unparsed(data, shape[0], quoted, delimiter, width)
        source = pa.BufferReader(data)
    names = [f"c{i}" for i in range(width)]
    # Columns of few distinct cells (grades, zones, yes/no) are dictionary-encoded by
    # pyarrow as it parses, on all cores; ids and names stay plain strings.
    coded = pa.dictionary(pa.int32(), pa.string())
    # (a small file's columns are all read as strings: normalize() encodes the others)
    types = {name: coded if few and big else pa.string()
             for name, few in zip(names, _repetitive(head, delimiter, width) if big
                                  else [False] * width, strict=True)}
    try:
        table = pacsv.read_csv(
            source,
            # the header is parsed as a record too (skip_rows would skip a physical
            # line, not a header cell holding a line break) and dropped below
            read_options=pacsv.ReadOptions(column_names=names, use_threads=big),
            # with quotes about, pyarrow must see a quoted newline as one (the line count
            # below then tells the file goes the row path); without, no field can hold one
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted),
            convert_options=pacsv.ConvertOptions(column_types=types, strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        table = None  # a row of the wrong width, a stray quote: the row path reports it
    shape = counting.result() if counting is not None else shape
    if table is None or shape is None:
        return None  # a lone carriage return ends a line for the row path, not for pyarrow
    # One record per physical line (no quoted newline, no blank line pyarrow skipped):
    # then the n-th record stands on line n + 1, as the row path counts.
    if shape[0] != table.num_rows:
        return None
    if big and _longest_row(table) + width >= LONGEST_LINE:
        return None  # a line the row path refuses as one record: it reports it
    if _maybe_notes(table.slice(1), width):
        return None  # shaping tells note and section rows apart on the row path
    return Source(table.slice(1))


def _parse_small(data: bytes, delimiter: str, width: int, quoted: bool) -> pa.Table | None:
    """A small file's (or several files') UTF-8 bytes as string columns, every record
    with its header; ``None`` when pyarrow cannot parse them."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    names = [f"c{i}" for i in range(width)]
    try:
        return pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(column_names=names, use_threads=False),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, newlines_in_values=quoted),
            convert_options=pacsv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                 strings_can_be_null=False),
        )
    except (pa.ArrowInvalid, pa.ArrowException, ValueError):
        return None


def parse_many(files: Sequence[Unparsed]) -> list[Source | None]:
    """Each of ``files`` as :func:`read_csv` reads it (``None``: the row path), its
    note-row check left to :func:`normalize_many`; files of one delimiter and width
    are parsed by one pyarrow call."""
    out: list[Source | None] = [None] * len(files)
    groups: dict[tuple[str, int], list[int]] = {}
    for i, file in enumerate(files):
        groups.setdefault((file.delimiter, file.width), []).append(i)
    for (delimiter, width), numbers in groups.items():
        # every line ends: the next file's header starts a record of its own
        data = b"".join(files[i].data if files[i].data.endswith(b"\n") else files[i].data + b"\n"
                        for i in numbers)
        table = _parse_small(data, delimiter, width, any(files[i].quoted for i in numbers))
        # Records never outnumber lines; as many as lines in all: one record per
        # line in every file (a quoted newline or a blank line anywhere: each alone).
        if table is not None and table.num_rows == sum(files[i].lines for i in numbers):
            at = 0
            for i in numbers:
                lines = files[i].lines
                out[i] = Source(table.slice(at + 1, lines - 1), notes_checked=False)
                at += lines
            continue
        for i in numbers:
            file = files[i]
            one = _parse_small(file.data, delimiter, width, file.quoted)
            if one is not None and one.num_rows == file.lines:
                out[i] = Source(one.slice(1), notes_checked=False)
    return out


def _maybe_notes(table: pa.Table, width: int) -> bool:
    """Whether some data row could be a note or section row to shaping
    (:func:`compliance.inputs.shaping._notes_in_rows`): one non-blank cell in a table of
    several columns, or a first non-blank cell that starts like ``注：``.  Such files go
    the row path, so both paths report the same records and notes."""
    import pyarrow.compute as pc

    if table.num_rows == 0:
        return False
    single, noted_first = _note_rows(table, width)
    if single is not None and pc.any(single).as_py():
        return True
    return bool(pc.any(noted_first).as_py())


def _note_rows(table: pa.Table, width: int) -> tuple[Any, Any]:
    """Per row of a non-empty ``table``: whether it holds one non-blank cell (``None``
    for a table of one column, where that is no sign), and whether its first non-blank
    cell starts like a note; either makes :func:`_maybe_notes` true."""
    import pyarrow as pa
    import pyarrow.compute as pc

    from compliance.inputs.shaping import NOTE_PREFIXES

    leads = pa.array(sorted({prefix[0] for prefix in NOTE_PREFIXES}), pa.string())

    def inked(values: Any) -> Any:
        """Per cell: whether it holds ink (not empty, not white space alone)."""
        return pc.fill_null(pc.and_(pc.greater(pc.binary_length(values), 0),
                                    pc.invert(pc.utf8_is_space(values))), False)

    def noted(values: Any) -> Any:
        """Per cell: whether its ink starts like a note."""
        first = pc.utf8_slice_codeunits(pc.utf8_ltrim_whitespace(values), 0, 1)
        return pc.fill_null(pc.is_in(first, value_set=leads), False)

    def spread(column: Any, test: Callable[[Any], Any]) -> Any:
        if pa.types.is_dictionary(column.type):
            # asked once per distinct cell, then spread over the rows by the codes
            return pc.fill_null(test(column.dictionary).take(column.indices), False)
        return test(column)

    count: Any = None
    decided: Any = None  # a non-blank cell seen further left in the row
    noted_first: Any = None
    for column in table.columns:
        column = column.combine_chunks() if isinstance(column, pa.ChunkedArray) else column
        has = spread(column, inked)
        ink = pc.cast(has, pa.int32())
        count = ink if count is None else pc.add(count, ink)
        if decided is None:
            noted_first = spread(column, noted)
        elif not pc.all(decided).as_py():
            # only rows blank so far can have their first ink here (most rows have it
            # in the first column: then no later column is asked)
            first_here = pc.and_(pc.invert(decided), spread(column, noted))
            noted_first = pc.or_(noted_first, first_here)
        decided = has if decided is None else pc.or_(decided, has)
    return (pc.equal(count, 1) if width >= 2 else None), noted_first


def _longest_row(table: pa.Table) -> int:
    """The most bytes the cells of one row hold together (at most: when the longest cells
    of the columns together stay under ``LONGEST_LINE``, their sum, which is enough)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    def lengths(chunk: Any, distinct: bool) -> Any:
        """Each cell's bytes (``distinct``: each distinct cell's, for a coded chunk)."""
        if not pa.types.is_dictionary(chunk.type):
            return pc.binary_length(chunk)
        sizes = pc.binary_length(chunk.dictionary)
        return sizes if distinct else pc.take(sizes, chunk.indices)

    # Each column's longest cell first (a coded column's: of its few distinct cells); only
    # a file where they could add up to a refused line is summed row by row.
    bound = 0
    for column in table.columns:
        bound += max((int(pc.max(lengths(chunk, True)).as_py() or 0)
                      for chunk in column.chunks if len(chunk)), default=0)
    if bound + table.num_columns < LONGEST_LINE:
        return bound
    total: Any = None
    for column in table.columns:
        size = pa.chunked_array([lengths(chunk, False) for chunk in column.chunks], pa.int32())
        total = size if total is None else pc.add(total, size)
    longest = pc.max(total).as_py() if total is not None and len(total) else 0
    return int(longest or 0)


def _glance(path: Path) -> tuple[bytes, bool]:
    """The first bytes of a file, and whether it holds a quote anywhere (``memchr``-fast)."""
    with path.open("rb") as fh:
        head = fh.read(SAMPLE_BYTES)
        if not os.fstat(fh.fileno()).st_size:
            return head, False
        with mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return head, mapped.find(b'"') >= 0


class _Counting:
    """:func:`_shape` of a file, worked out in a thread while pyarrow parses it."""

    def __init__(self, path: Path):
        self._path = path
        self._shape: tuple[int, bool, bytes] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="compliance-count-lines", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            with self._path.open("rb") as fh:
                self._shape = _shape(iter(lambda: fh.read(1 << 22), b""))
        except BaseException as exc:  # handed to the caller by result()
            self._error = exc

    def result(self) -> tuple[int, bool, bytes] | None:
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._shape


def _shape(chunks: Iterable[bytes]) -> tuple[int, bool, bytes] | None:
    """Lines, whether any quote, and the first bytes of a file; ``None``: a lone CR."""
    lines = lone = 0
    quoted = False
    head = last = b""
    for chunk in chunks:
        if not head:
            head = chunk[:SAMPLE_BYTES]
        if last.endswith(b"\r") and chunk.startswith(b"\n"):
            lone -= 1  # a CR LF split between two reads
        lines += chunk.count(b"\n")
        if b"\r" in chunk:
            lone += chunk.count(b"\r") - chunk.count(b"\r\n")
        quoted = quoted or b'"' in chunk
        last = chunk
    if lone:
        return None
    return lines + (0 if last.endswith(b"\n") or not last else 1), quoted, head


def _repetitive(head: bytes, delimiter: str, width: int) -> list[bool]:
    """Per column, whether its first rows repeat cells (then it is read dictionary-encoded)."""
    if head.startswith(b"\xef\xbb\xbf"):
        head = head[3:]
    text = head[:head.rfind(b"\n") + 1].decode("utf-8", errors="replace")
    try:  # the head is looked at before the line count has ruled out a lone CR
        rows = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)][1:]
    except csv.Error:
        return [False] * width
    if not rows:
        return [False] * width
    return [len({r[i] for r in rows if i < len(r)}) * 2 <= len(rows) for i in range(width)]


# -- normalising ---------------------------------------------------------------


class Coded:
    """A dictionary-encoded column: a code per row, a parsed value per code."""

    __slots__ = ("_array", "cells", "codes", "values")

    def __init__(self, codes: pa.Array, values: list[Any], cells: list[str] | None = None):
        self.codes = codes
        self.values = values
        #: the cell text of each code, while the table is being normalised
        self.cells = cells or []
        self._array: pa.Array | None = None

    def array(self) -> pa.Array:
        """:attr:`values` as a pyarrow array (made once)."""
        if self._array is None:
            import pyarrow as pa

            self._array = pa.array(self.values)
        return self._array

    def pick(self, codes: pa.Array) -> list[Any]:
        """The values of ``codes`` (a taken slice of :attr:`codes`): the parsed objects
        themselves, shared by every row that has them (a million names are then a
        million references to a few thousand strings, not a million strings)."""
        values = self.values
        return [values[c] for c in codes.to_pylist()]

    def __reduce__(self) -> tuple[Any, ...]:
        return (Coded, (self.codes, self.values))


class Plain:
    """A column of parsed strings (``None`` for a blank cell)."""

    __slots__ = ("array", "default")

    def __init__(self, array: pa.Array, default: Any):
        self.array = array
        self.default = default


@dataclass
class Normalized:
    """A file's clean rows, as parsed columns shared by every school's :class:`ArrowTable`."""

    kind: str
    file: str
    sheet: str | None
    first_line: int
    #: fields with a column, in header order, and how each is held
    columns: list[tuple[str, Coded | Plain]]
    #: fields without a column but with a default (``written``: true), in field order
    absent: list[tuple[str, Any]]


@dataclass
class Split:
    """What :func:`normalize` makes of a table.

    :attr schools: per school id (``""``: rows naming none) the rows of its clean part;
    :attr problems: rows the row path must see, in file order, with the school each
        goes to (as the row-by-row split would send it);
    :attr blank: rows with no cell filled, which the row path skips too.
    """

    normalized: Normalized
    schools: dict[str, pa.Array] = field(default_factory=dict)
    problems: list[tuple[str, RawRow]] = field(default_factory=list)
    blank: int = 0


def normalize(kind: DocumentKind, headers: list[str], source: Source, file: str,
              sheet: str | None, owner: str | None) -> Split | None:
    """Parse ``source`` a column at a time; ``None`` if the row path must do it.

    :param owner: the school every row belongs to (a school folder's file), or ``None``
        when rows name their schools in a ``school_id`` column.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    worked = _work_columns(kind, headers, source.table, owner)
    if worked is None:
        return None
    everything, held, absent, problem, blank, school_codes, _ = worked
    out = Split(Normalized(kind.name, file, sheet, source.first_line, held, absent))
    if blank is not None:
        out.blank = pc.sum(blank).as_py() or 0

    school_of: Callable[[int], str]
    if school_codes is not None:
        # a rejected row goes to the school its cell names, as the row-by-row split
        # sends it (the parser's answer even for a cell too long to keep; else none)
        id_spec = kind.field("school_id")
        assert id_spec is not None
        routes = [_route(id_spec.parser, cell) for cell in school_codes.cells]

        def school_of(i: int) -> str:
            return cast(str, routes[school_codes.codes[i].as_py()])
    else:
        def school_of(i: int) -> str:
            return owner or ""

    if problem is not None:
        rejected = problem if blank is None else pc.and_(problem, pc.invert(blank))
        at = pc.indices_nonzero(rejected)
        cells = [c.take(at).to_pylist() for c in everything]
        for index, i in enumerate(at.to_pylist()):
            row = dict(zip(headers, (c[index] for c in cells), strict=True))
            out.problems.append((school_of(i), RawRow(source.first_line + i, row)))

    dropped = problem if blank is None else (blank if problem is None else pc.or_(problem, blank))
    # every row (0 … n-1, made in C: no cell is null) or those not dropped
    clean = pc.indices_nonzero(pc.is_valid(everything[0]) if dropped is None else pc.invert(dropped))
    if school_codes is None:
        out.schools[owner or ""] = clean
        return out
    # Cells that differ but name one school (`PB-00a`, `pb-00a`) are one group.
    schools = sorted({v for v in school_codes.values if isinstance(v, str)})
    group_of = {sid: g for g, sid in enumerate(schools)}
    to_group = pa.array([group_of.get(v, -1) if isinstance(v, str) else -1
                         for v in school_codes.values], pa.int32())
    groups = pc.take(to_group, pc.take(school_codes.codes, clean))
    order = pc.take(clean, pc.sort_indices(groups))  # stable: file order within a school
    counts = pc.value_counts(groups)
    start = 0
    for group, count in sorted(zip(counts.field("values").to_pylist(),
                                   counts.field("counts").to_pylist(), strict=True)):
        out.schools[schools[group]] = order.slice(start, count)
        start += count
    return out


@dataclass
class Piece:
    """One file's table for :func:`normalize_many`: as :func:`read_csv` gave it, where
    it is shown, and the school its rows belong to."""

    source: Source | Unparsed
    file: str
    sheet: str | None
    owner: str


def normalize_many(kind: DocumentKind, headers: list[str], pieces: Sequence[Piece],
                   ) -> dict[int, Split | None]:
    """:func:`normalize` of each piece (its own school's file, all with ``headers``),
    the column work done once over all of them.

    Gives by piece number what ``normalize`` (after :func:`read_csv`'s note-row check,
    when the piece skipped it) gives for that file alone: ``None`` where the row path
    must read it, else its :class:`Split`, problem rows on the file's own lines.  The
    pieces share parsed columns: each :class:`Normalized` counts its lines from its
    own start in them.  A piece left out could not be worked with the others (it is
    normalised alone).
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    outcome: dict[int, Split | None] = {}
    if not pieces:
        return outcome
    width = len(headers)
    sources: list[Source | None] = [p.source if isinstance(p.source, Source) else None
                                    for p in pieces]
    unparsed = [i for i, p in enumerate(pieces) if isinstance(p.source, Unparsed)]
    parsed = parse_many([cast(Unparsed, pieces[i].source) for i in unparsed])
    for i, source in zip(unparsed, parsed, strict=True):
        sources[i] = source
        if source is None:
            outcome[i] = None  # pyarrow could not parse it, or not a record a line
    ready = {i: source for i, source in enumerate(sources) if source is not None}
    tables = {i: source.table for i, source in ready.items()}
    unchecked = [i for i, source in ready.items() if not source.notes_checked]
    noted: set[int] = set()
    if unchecked:
        together = pa.concat_tables([tables[i] for i in unchecked]).combine_chunks()
        if together.num_rows:
            single, noted_first = _note_rows(together, width)
            flagged = noted_first if single is None else pc.or_(single, noted_first)
            starts = _starts([len(tables[i]) for i in unchecked])
            for row in pc.indices_nonzero(flagged).to_pylist():
                noted.add(unchecked[_piece_of(starts, row)])
    for i in noted:
        outcome[i] = None  # a note row: the row path, as read_csv would have said
    kept = [i for i in ready if i not in noted]
    if len(kept) < 2:
        return outcome  # nothing to share: normalised alone
    table = pa.concat_tables([tables[i] for i in kept]).combine_chunks()
    # no threads of its own: a batch of small files is a few tens of thousands of rows,
    # and a thread's allocator arena costs more memory than it saves time
    worked = _work_columns(kind, headers, table, pieces[kept[0]].owner, threads=False)
    if worked is None:
        return outcome
    everything, held, absent, problem, blank, _, finish_info = worked
    sizes = [len(tables[i]) for i in kept]
    starts = _starts(sizes)
    alike = [True] * len(kept)
    if finish_info is not None:
        # a piece whose combinations would not have written the same fields alone
        # would hold other columns: it is normalised alone
        index, writes = finish_info
        every = set().union(*writes) if writes else set()
        for k, (start, size) in enumerate(zip(starts, sizes, strict=True)):
            present = pc.unique(index.slice(start, size)).to_pylist()
            alike[k] = set().union(*(writes[c] for c in present)) == every
    splits = []
    for k, (i, start) in enumerate(zip(kept, starts, strict=True)):
        piece = pieces[i]
        # lines are counted from the piece's start in the shared columns
        normalized = Normalized(kind.name, piece.file, piece.sheet,
                                ready[i].first_line - start, held, absent)
        split = Split(normalized)
        if alike[k]:
            outcome[i] = split
        splits.append(split)
    if blank is not None:
        for row in pc.indices_nonzero(blank).to_pylist():
            splits[_piece_of(starts, row)].blank += 1
    dropped_in = [0] * len(kept)
    if problem is not None:
        rejected = problem if blank is None else pc.and_(problem, pc.invert(blank))
        at = pc.indices_nonzero(rejected)
        cells = [c.take(at).to_pylist() for c in everything]
        for index, row in enumerate(at.to_pylist()):
            k = _piece_of(starts, row)
            piece = pieces[kept[k]]
            cells_of = dict(zip(headers, (c[index] for c in cells), strict=True))
            splits[k].problems.append(
                (piece.owner, RawRow(ready[kept[k]].first_line + row - starts[k], cells_of)))
    dropped = problem if blank is None else (blank if problem is None else pc.or_(problem, blank))
    if dropped is None:
        clean = pc.indices_nonzero(pc.is_valid(everything[0]))
    else:
        clean = pc.indices_nonzero(pc.invert(dropped))
        for row in pc.indices_nonzero(dropped).to_pylist():
            dropped_in[_piece_of(starts, row)] += 1
    at = 0
    for k, split in enumerate(splits):
        count = sizes[k] - dropped_in[k]
        split.schools[pieces[kept[k]].owner] = clean.slice(at, count)
        at += count
    return outcome


def _starts(sizes: Sequence[int]) -> list[int]:
    """Where each of tables of ``sizes`` starts in their concatenation."""
    out, at = [], 0
    for size in sizes:
        out.append(at)
        at += size
    return out


def _piece_of(starts: list[int], row: int) -> int:
    """The table whose rows hold ``row`` of the concatenation (``starts`` ascending)."""
    return bisect.bisect_right(starts, row) - 1


def _work_columns(kind: DocumentKind, headers: list[str], table: pa.Table, owner: str | None,
                  threads: bool = True,
                  ) -> tuple[list[Any], list[tuple[str, Coded | Plain]], list[tuple[str, Any]],
                             pa.Array | None, pa.Array | None, Coded | None,
                             tuple[pa.Array, list[set[str]]] | None] | None:
    """The column work of :func:`normalize`, row by row in effect: the raw columns, the
    parsed ones, the absent fields' defaults, the problem and blank masks (``None``:
    no such row), the school column (``owner`` ``None`` only), and for a kind with a
    row check each row's combination and the fields each combination wrote (which
    fields become columns depends on the combinations a table holds); ``None`` when
    the row path must read the table."""
    import pyarrow as pa
    import pyarrow.compute as pc

    columns, twice = _columns(kind, headers)
    if twice or (kind.finish is not None and kind.finish_reads is None):
        return None  # whole-table problems, row checks that do not say what they read
    present = {spec.name for spec in columns.values()}
    if kind.missing_columns(present):
        return None
    id_header = next((h for h, f in columns.items() if f.name == "school_id"), None)
    if owner is None and id_header is None:
        return None
    n = table.num_rows
    everything = [_combined(table.column(i)) for i in range(len(headers))]
    raw = {header: everything[i] for i, header in enumerate(headers) if header in columns}

    problem: pa.Array | None = None
    held: list[tuple[str, Coded | Plain]] = []
    school_codes: Coded | None = None
    # Plain columns (ids, names: a regular expression over a million cells, which
    # pyarrow runs without the GIL) are worked out in threads while this one parses
    # the coded columns' distinct cells in Python.
    with ThreadPoolExecutor(2, thread_name_prefix="compliance-columns") if threads and n >= BIG_ROWS \
            else contextlib.nullcontext() as pool:
        done: list[tuple[str, Any]] = []
        for header, spec in columns.items():
            col = raw[header]
            by_school = spec.name == "school_id" and owner is None
            # what the row check reads is held coded: it is asked once per distinct value
            form = None if by_school or spec.name in (kind.finish_reads or ()) \
                else FAST_FORMS.get(spec.parser)
            if form is not None and not pa.types.is_dictionary(col.type):
                done.append((spec.name, pool.submit(_plain, kind, spec, col, form) if pool
                             else _plain(kind, spec, col, form)))
            else:
                coded, bad = _coded(kind, spec, col, school_column=by_school)
                done.append((spec.name, (coded, bad)))
                if by_school:
                    school_codes = coded
        for name, outcome in done:
            column, bad = outcome.result() if isinstance(outcome, Future) else outcome
            if bad is not None:
                problem = bad if problem is None else pc.or_(problem, bad)
            held.append((name, column))

    blank = _blank_rows(everything, n)
    finish_info: tuple[pa.Array, list[set[str]]] | None = None
    absent = [(f.name, f.default) for f in kind.fields if f.name not in present and f.default is not None]
    if kind.finish is not None:
        finished = _finish(kind, held, dict(absent), n)
        if finished is None:
            return None  # too many combinations to number: the row path
        held, inconsistent, index, writes = finished
        finish_info = index, writes
        if inconsistent is not None:
            problem = inconsistent if problem is None else pc.or_(problem, inconsistent)
    return everything, held, absent, problem, blank, school_codes, finish_info


def _finish(kind: DocumentKind, held: list[tuple[str, Coded | Plain]], absent: dict[str, Any],
            n: int) -> tuple[list[tuple[str, Coded | Plain]], pa.Array | None, pa.Array,
                             list[set[str]]] | None:
    """The kind's row check (``finish``) column-wise: run once per distinct combination
    of the fields it reads; what it writes becomes coded columns, and the rows it
    finds inconsistent a mask (the row path then reports them, as INP004); then each
    row's combination number and, per combination, the fields it wrote.

    ``None`` when the combinations cannot be numbered in 63 bits.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    assert kind.finish is not None and kind.finish_reads is not None
    by_name = dict(held)
    reads = [name for name in kind.finish_reads if isinstance(by_name.get(name), Coded)]
    fixed = {name: absent.get(name) for name in kind.finish_reads if name not in reads}
    key: pa.Array | None = None
    span = 1
    for name in reads:
        column = by_name[name]
        assert isinstance(column, Coded)
        size = max(len(column.values), 1)
        span *= size
        if span >= 1 << 62:
            return None
        codes = column.codes.cast(pa.int64())
        key = codes if key is None else pc.add(pc.multiply(key, size), codes)
    if key is None:
        combos, index = [0], pa.array([0] * n, pa.int32())
    else:
        encoded = _one(key.dictionary_encode())
        combos, index = encoded.dictionary.to_pylist(), encoded.indices
    outputs: list[dict[str, Any]] = []
    failed: list[int] = []
    for number, combo in enumerate(combos):
        values = dict(fixed)
        for name in reversed(reads):  # the key's digits, last field first
            column = by_name[name]
            assert isinstance(column, Coded)
            size = max(len(column.values), 1)
            combo, code = divmod(combo, size)
            values[name] = column.values[code] if column.values else None
        given = dict(values)
        try:
            issue = kind.finish(values)
        except Exception:  # the row path runs it again and reports it for the row
            issue = "raised"
        if issue is not None:
            failed.append(number)
        outputs.append({k: v for k, v in values.items() if k not in given or given[k] is not v})
    written = sorted({k for out in outputs for k in out}, key=lambda k: (k not in by_name, k))
    out = [(name, column) for name, column in held if name not in written]
    for name in written:
        # a combination that did not write it keeps what it read (or had by default)
        written_values: list[Any] = []
        for number, produced in enumerate(outputs):
            if name in produced:
                written_values.append(produced[name])
            elif isinstance(by_name.get(name), Coded) or name in fixed:
                written_values.append(_read_back(by_name, fixed, reads, combos[number], name))
            else:
                written_values.append(absent.get(name))
        out.append((name, Coded(index, written_values)))
    bad = pc.is_in(index, value_set=pa.array(failed, index.type)) if failed else None
    return out, bad, index, [set(produced) for produced in outputs]


def _read_back(by_name: dict[str, Any], fixed: dict[str, Any], reads: list[str], combo: int,
               name: str) -> Any:
    """The value field ``name`` has in combination ``combo``."""
    if name in fixed:
        return fixed[name]
    for field_name in reversed(reads):
        column = by_name[field_name]
        size = max(len(column.values), 1)
        combo, code = divmod(combo, size)
        if field_name == name:
            return column.values[code] if column.values else None
    return None


def _route(parser: Any, cell: str) -> str:
    if not cell.strip():
        return ""
    try:
        return str(parser(cell))
    except BadValue:
        return ""


def _combined(column: pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A dictionary column as one array over one dictionary; strings stay in chunks."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        return column.unify_dictionaries().combine_chunks()
    return column


def _coded(kind: DocumentKind, spec: Field, col: pa.Array,
           school_column: bool = False) -> tuple[Coded, pa.Array | None]:
    """Parse each distinct cell once (through the shared parse cache)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = col if pa.types.is_dictionary(col.type) else _one(col.dictionary_encode())
    cache = _cache_for(kind.name, spec.name, spec.parser)
    values: list[Any] = []
    bad: list[int] = []
    cells = encoded.dictionary.to_pylist()
    for code, cell in enumerate(cells):
        parsed = cache.get(cell, _MISS) if cache is not None else _MISS
        if parsed is _MISS:
            parsed = _parse(spec.parser, cell)
        if parsed is _BLANK:
            if spec.required or school_column:
                bad.append(code)
            values.append(spec.default)
        elif parsed.__class__ is _Bad:
            bad.append(code)
            values.append(None if school_column else spec.default)
        else:
            values.append(parsed)
    codes = encoded.indices
    mask = pc.is_in(codes, value_set=pa.array(bad, codes.type)) if bad else None
    return Coded(codes, values, cells if school_column else None), mask


def _plain(kind: DocumentKind, spec: Field, col: pa.Array,
           form: tuple[str, str | None]) -> tuple[Plain, pa.Array | None]:
    """A column of ids or text: cells of the usual form at C speed, the others one by one."""
    import pyarrow as pa
    import pyarrow.compute as pc

    pattern, transform = form
    usual = pc.match_substring_regex(col, pattern)
    if len(col) and pc.max(pc.utf8_length(col)).as_py() > MAX_CELL:
        usual = pc.and_(usual, pc.less_equal(pc.utf8_length(col), MAX_CELL))
    usual = _one(usual)
    parsed = _one(getattr(pc, transform)(col) if transform else col)
    unusual = pc.invert(usual)
    # empty cells (most of an optional column) are blank without asking the parser
    empty = _one(pc.equal(col, ""))
    blanks = bool(pc.any(empty).as_py())
    if blanks:
        parsed = pc.if_else(empty, pa.scalar(None, pa.string()), parsed)
        unusual = pc.and_(unusual, pc.invert(empty))
    others = pc.indices_nonzero(unusual)
    missing = empty if blanks and spec.required else None
    if not len(others):
        return Plain(parsed, spec.default), missing
    flags: list[bool] = []
    replace: list[Any] = []
    for cell in col.take(others).to_pylist():
        value = _parse(spec.parser, cell)
        if value is _BLANK:
            flags.append(spec.required)
            replace.append(None)
        elif value.__class__ is _Bad:
            flags.append(True)
            replace.append(None)
        else:
            flags.append(False)
            replace.append(value)
    parsed = pc.replace_with_mask(parsed, unusual, pa.array(replace, pa.string()))
    if not any(flags):
        return Plain(parsed, spec.default), missing
    nothing = pc.and_(usual, pa.scalar(False))
    bad = pc.replace_with_mask(nothing, unusual, pa.array(flags))
    return Plain(parsed, spec.default), bad if missing is None else pc.or_(bad, missing)


def _one(column: Any) -> pa.Array:
    """A chunked array as one array (masks must be)."""
    return column.combine_chunks() if hasattr(column, "combine_chunks") else column


def _blank_rows(columns: list[pa.Array], n: int) -> pa.Array | None:
    """Rows whose cells are all white space (the row path skips them), or ``None``: none."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not columns or not n:
        return None
    first = columns[0]
    if pa.types.is_dictionary(first.type):
        inked = pc.match_substring_regex(first.dictionary, _INKED).take(first.indices)
    else:
        inked = pc.match_substring_regex(first, _INKED)
    if pc.all(inked).as_py():
        return None
    maybe = pc.indices_nonzero(pc.invert(inked))
    cells = [c.take(maybe).to_pylist() for c in columns]
    marks = [False] * n
    found = False
    for index, i in enumerate(maybe.to_pylist()):
        if not "".join(c[index] for c in cells).strip():
            marks[i] = found = True
    return pa.array(marks) if found else None


# -- tables rules read -----------------------------------------------------------


class Table(Protocol):
    """The rows of one document of one kind, as a rule reads them a column at a time.

    Built-in rules that look at every row of big tables (enrollment) use this rather
    than :meth:`SchoolContext.records`, so that rows are not made into records unless
    a finding needs them.  Both implementations give the same answers.
    """

    kind: str

    def __len__(self) -> int: ...

    def column(self, name: str) -> list[Any]:
        """The parsed value of ``name`` in every row (``None`` or the default when blank)."""
        ...

    def where(self, name: str, test: Callable[[Any], bool]) -> list[int]:
        """Positions of the rows whose ``name`` passes ``test`` (called once per distinct value)."""
        ...

    def records(self, positions: Iterable[int] | None = None) -> list[Record]:
        """The rows at ``positions`` (all rows when ``None``) as records."""
        ...

    def lines(self) -> list[int | None]:
        """The line of every row."""
        ...

    def location(self, position: int, column: str | None = None) -> Location:
        """Where the row at ``position`` stands."""
        ...

    def sources(self) -> list[tuple[str, str | None]]:
        """The (file, sheet) of every row."""
        ...

    def to_arrow(self, names: Sequence[str]) -> pa.Table:
        """Columns ``names`` and each row's ``line`` as a pyarrow table (imports pyarrow).

        For whole-column work in C (hashing, counting) on tables of a million rows; a
        table read the columnar way answers without a Python object per row.
        """
        ...


def _passing(values: list[Any], test: Callable[[Any], bool]) -> list[int]:
    """Positions of ``values`` that pass ``test``, asked once per distinct value."""
    seen: dict[Any, bool] = {}
    out = []
    for i, value in enumerate(values):
        try:
            passed = seen.get(value)
            if passed is None:
                passed = seen[value] = bool(test(value))
        except TypeError:  # an unhashable value: ask every time
            passed = bool(test(value))
        if passed:
            out.append(i)
    return out


class RecordTable:
    """:class:`Table` over records read row by row (the reference implementation)."""

    def __init__(self, kind: str, records: Sequence[Record]):
        self.kind = kind
        self._records = records

    def __len__(self) -> int:
        return len(self._records)

    def column(self, name: str) -> list[Any]:
        return [r.values.get(name) for r in self._records]

    def where(self, name: str, test: Callable[[Any], bool]) -> list[int]:
        return _passing([r.values.get(name) for r in self._records], test)

    def records(self, positions: Iterable[int] | None = None) -> list[Record]:
        if positions is None:
            return list(self._records)
        return [self._records[i] for i in positions]

    def lines(self) -> list[int | None]:
        return [r.loc.line for r in self._records]

    def location(self, position: int, column: str | None = None) -> Location:
        return self._records[position].at(column)

    def sources(self) -> list[tuple[str, str | None]]:
        return [(r.loc.file, r.loc.sheet) for r in self._records]

    def to_arrow(self, names: Sequence[str]) -> pa.Table:
        import pyarrow as pa

        arrays = [pa.array(self.column(name)) for name in names]
        return pa.table([*arrays, pa.array(self.lines(), pa.int64())], names=[*names, "line"])


class ArrowTable:
    """:class:`Table` over one school's clean rows of a file read the columnar way."""

    def __init__(self, normalized: Normalized, rows: pa.Array, school_id: str | None):
        self.kind = normalized.kind
        self.normalized = normalized
        self.rows = rows  # row numbers in the file (0 = the first data row), ascending
        self.school_id = school_id
        self._codes: dict[str, Any] = {}
        self._by_name = dict(normalized.columns)
        self._absent = dict(normalized.absent)

    def __len__(self) -> int:
        return len(self.rows)

    def __reduce__(self) -> tuple[Any, ...]:
        # across processes (spawned workers) only this school's rows travel
        import pyarrow as pa

        n = self.normalized
        mine = [(name, Coded(c.codes.take(self.rows), c.values) if isinstance(c, Coded)
                 else Plain(c.array.take(self.rows), c.default)) for name, c in n.columns]
        offset = Normalized(n.kind, n.file, n.sheet, n.first_line, mine, n.absent)
        return (_rebuilt, (offset, self._file_array(self.rows),
                           pa.array(range(len(self.rows)), pa.int64()), self.school_id))

    def _file_array(self, rows: pa.Array) -> pa.Array:
        """The file's row numbers of ``rows`` (positions in this table's columns)."""
        return rows

    def _taken(self, name: str, rows: pa.Array | None = None) -> list[Any]:
        held = self._by_name.get(name)
        count = len(self.rows) if rows is None else len(rows)
        if held is None:
            return [self._absent.get(name)] * count
        if isinstance(held, Coded):
            if rows is None:
                codes = self._codes.get(name)
                if codes is None:
                    codes = self._codes[name] = held.codes.take(self.rows)
            else:
                codes = held.codes.take(rows)
            return held.pick(codes)
        got = held.array.take(self.rows if rows is None else rows).to_pylist()
        if held.default is not None:
            got = [held.default if v is None else v for v in got]
        return cast("list[Any]", got)

    def column(self, name: str) -> list[Any]:
        return self._taken(name)

    def where(self, name: str, test: Callable[[Any], bool]) -> list[int]:
        import pyarrow as pa
        import pyarrow.compute as pc

        held = self._by_name.get(name)
        if not isinstance(held, Coded):
            return _passing(self._taken(name), test)
        codes = self._codes.get(name)
        if codes is None:
            codes = self._codes[name] = held.codes.take(self.rows)
        # ``test`` is asked about the values this table holds, each once (as RecordTable
        # does), not about every value of the file's other schools
        present = pc.unique(codes).to_pylist()
        passing = [present[i] for i in _passing([held.values[c] for c in present], test)]
        if not passing:
            return []
        if len(passing) == len(present):
            return list(range(len(codes)))
        mask = pc.is_in(codes, value_set=pa.array(passing, codes.type))
        return cast("list[int]", pc.indices_nonzero(mask).to_pylist())

    def records(self, positions: Iterable[int] | None = None) -> list[Record]:
        import pyarrow as pa

        n = self.normalized
        if positions is None:
            rows = self.rows
        else:
            size = len(self.rows)
            wanted = [p + size if p < 0 else p for p in positions]  # -1: the last, as in a list
            if not wanted:
                return []
            if min(wanted) < 0 or max(wanted) >= size:
                raise IndexError("table position out of range")
            rows = self.rows.take(pa.array(wanted, pa.int64()))
        names = [name for name, _ in n.columns]
        cols = [self._taken(name, rows) for name in names]
        lines = [n.first_line + r for r in self._file_rows(rows)]
        absent = n.absent
        file, sheet, kind, school = n.file, n.sheet, n.kind, self.school_id
        out = []
        for index, line in enumerate(lines):
            values = dict(absent)
            for name, col in zip(names, cols, strict=True):
                values[name] = col[index]
            out.append(Record(kind, values, Location(file, line, None, sheet), school))
        return out

    def _file_rows(self, rows: pa.Array) -> list[int]:
        return cast("list[int]", rows.to_pylist())

    def lines(self) -> list[int | None]:
        first = self.normalized.first_line
        return [first + r for r in self._file_rows(self.rows)]

    def location(self, position: int, column: str | None = None) -> Location:
        n = self.normalized
        size = len(self.rows)
        if not -size <= position < size:
            raise IndexError("table position out of range")
        row = self._file_rows(self.rows.slice(position % size, 1))[0]
        return Location(n.file, n.first_line + row, column, n.sheet)

    def sources(self) -> list[tuple[str, str | None]]:
        return [(self.normalized.file, self.normalized.sheet)] * len(self.rows)

    def to_arrow(self, names: Sequence[str]) -> pa.Table:
        import pyarrow as pa
        import pyarrow.compute as pc

        arrays = []
        for name in names:
            held = self._by_name.get(name)
            if held is None:
                arrays.append(pa.array([self._absent.get(name)] * len(self.rows)))
            elif isinstance(held, Coded):
                arrays.append(held.array().take(held.codes.take(self.rows)))
            else:
                got = held.array.take(self.rows)
                arrays.append(got if held.default is None else pc.fill_null(got, held.default))
        lines = pc.add(self._file_array(self.rows).cast(pa.int64()), self.normalized.first_line)
        return pa.table([*arrays, lines], names=[*names, "line"])


class _Moved(ArrowTable):
    """An :class:`ArrowTable` whose columns hold only its own rows (after pickling)."""

    def __init__(self, normalized: Normalized, file_rows: pa.Array, local: pa.Array,
                 school_id: str | None):
        super().__init__(normalized, local, school_id)
        self._file = file_rows

    def _file_array(self, rows: pa.Array) -> pa.Array:
        return self._file.take(rows)

    def _file_rows(self, rows: pa.Array) -> list[int]:
        return cast("list[int]", self._file.take(rows).to_pylist())


def _rebuilt(normalized: Normalized, file_rows: pa.Array, local: pa.Array,
             school_id: str | None) -> ArrowTable:
    _no_dateutil_search()  # a spawned worker: pyarrow came with the pickle
    return _Moved(normalized, file_rows, local, school_id)
