"""CSV (and tab-separated text) as Excel in China writes it: UTF-8, UTF-8 with BOM,
GB18030/GBK, or UTF-16 "Unicode text"; rows streamed, never the whole file in memory."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from compliance.host.markers import hookimpl
from compliance.inputs import columnar, safety
from compliance.inputs.raw import GridRow, RawDocument, RawRow, RawTable, ReadError, Refused
from compliance.inputs.reasons import Msg

CHUNK = 1 << 20
MIXED_AFTER = 24  # multi-byte UTF-8 seen before a bad byte (~12 CJK): a mixed file
MAX_COLUMNS = 1000
#: characters in one physical line; a longer line is one refused row, and the next
#: line is read as usual (cells are capped at 10 000 characters anyway)
MAX_LINE = 1 << 20
#: characters in one field, quoted line breaks included (a stray quote swallowing the
#: rest of a file stops here, and the lines it swallowed are read again one by one)
csv.field_size_limit(4 * MAX_LINE)


def detect_encoding(path: Path) -> str:
    """The file's encoding, checked over the whole file (GBK that looks like UTF-8 at first)."""
    # a file of one chunk or less (a school's every file, nearly) is read once, whole
    data = path.read_bytes() if path.stat().st_size <= CHUNK else None
    if data is not None:
        head = data[:4]
    else:
        with path.open("rb") as fh:
            head = fh.read(4)
    if head.startswith(codecs.BOM_UTF8):
        candidates = ["utf-8-sig"]
    elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    else:
        candidates = ["utf-8", "gb18030"]
    for encoding in candidates:
        decoder = codecs.getincrementaldecoder(encoding)()
        seen = wide = 0
        try:
            for chunk in _chunks(path) if data is None else (data,):
                if b"\x00" in chunk:
                    raise ReadError(Msg("csv.nul"))
                text = decoder.decode(chunk)
                seen += len(chunk)
                wide += len(chunk) - len(text)  # bytes beyond one per character
            decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
            # the part of the failing chunk before the bad byte counts too (a file under
            # one chunk has no chunk decoded whole)
            prefix = exc.object[:exc.start] if isinstance(exc.object, bytes) else b""
            wide += len(prefix) - len(prefix.decode("utf-8", "ignore"))
            # Chinese text as UTF-8 is three bytes a character; GBK bytes rarely form valid
            # UTF-8 by chance.  Much of it before the first bad byte means a file that
            # changes encoding part-way (two exports pasted together): read either way,
            # half of it would be garbled, so it is refused, naming where it changes.
            if encoding.startswith("utf-8") and wide >= MIXED_AFTER:
                at = seen + exc.start
                line = _line_at(path, at)
                raise ReadError(Msg("csv.mixed_encoding"), line) from None
            continue
    raise ReadError(Msg("csv.bad_encoding"))


def _chunks(path: Path) -> Iterator[bytes]:
    """A big file's bytes, a chunk at a time."""
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            yield chunk


def _line_at(path: Path, offset: int) -> int:
    """The 1-based line that byte ``offset`` of ``path`` falls on."""
    lines = 1
    with path.open("rb") as fh:
        while offset > 0 and (chunk := fh.read(min(CHUNK, offset))):
            lines += chunk.count(b"\n")
            offset -= len(chunk)
    return lines


def _sniff_delimiter(first_line: str) -> str:
    counts = {d: first_line.count(d) for d in (",", "\t", ";")}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


class CsvReader:
    name = "csv"
    suffixes = (".csv", ".tsv", ".txt")

    def read(self, path: Path) -> list[RawDocument]:
        safety.check_size(path, safety.MAX_CSV_BYTES)
        encoding = detect_encoding(path)
        with path.open(encoding=encoding, newline="") as fh:
            first = fh.readline(MAX_LINE)
        if len(first) >= MAX_LINE and not first.endswith(("\n", "\r")):
            # a header line of a megabyte: counted as far as read, never held whole
            raise ReadError(Msg("csv.too_many_columns", columns=f"{first.count(',') + 1}+",
                                max=MAX_COLUMNS), 1)
        if not first.strip():
            raise ReadError(Msg("csv.empty"), 1)
        delimiter = "\t" if path.suffix.lower() == ".tsv" else _sniff_delimiter(first)
        if first.count(delimiter) >= MAX_COLUMNS:  # counted before millions of cells are made
            raise ReadError(Msg("csv.too_many_columns", columns=first.count(delimiter) + 1,
                                max=MAX_COLUMNS), 1)
        header = next(csv.reader([first.rstrip("\r\n")], delimiter=delimiter))
        headers = [h.strip() for h in header]
        if all(not h for h in headers):
            raise ReadError(Msg("csv.empty_header"), 1)
        return [RawTable(headers=headers, rows=self._rows(path, encoding, delimiter, headers),
                         columnar=lambda: columnar.read_csv(path, encoding, delimiter, len(headers)),
                         grid=lambda: self._grid(path, encoding, delimiter))]

    @staticmethod
    def _grid(path: Path, encoding: str, delimiter: str) -> Iterator[GridRow]:
        """Every row with a non-blank cell, header included, by position, trailing blanks dropped."""
        with path.open(encoding=encoding, newline="") as fh:
            try:
                for line, cells, problem in records(fh, delimiter, None):
                    if problem is not None:
                        # refused lines stay rows (never dropped, never the end of the file):
                        # the header search passes over them, a table reports them
                        yield line, (Refused(problem),)
                        continue
                    end = len(cells)
                    while end and not cells[end - 1].strip():
                        end -= 1
                    if end:
                        yield line, tuple(cells[:end])
            except UnicodeDecodeError as exc:
                raise ReadError(Msg("csv.undecodable", encoding=encoding, error=exc.reason)) from None

    @staticmethod
    def _rows(path: Path, encoding: str, delimiter: str, headers: list[str]) -> Iterator[RawRow]:
        width = len(headers)
        # a header written twice (``年级,学科,,`` ends in two empty ones): a row's cells by
        # header keep the last cell under it, so the row carries all of them by position
        repeated = len(set(headers)) < width
        with path.open(encoding=encoding, newline="") as fh:
            try:
                rows = records(fh, delimiter, width)
                next(rows, None)  # the header
                for line, cells, refused in rows:
                    if refused is not None:  # a giant line, a stray quote: that row only
                        yield RawRow(line, dict(zip(headers, cells, strict=False)), refused)
                        continue
                    if not "".join(cells).strip():  # a blank row
                        continue
                    written = tuple(cells) if repeated else None
                    if len(cells) == width:  # the usual row: no shape problem to look for
                        yield RawRow(line, dict(zip(headers, cells, strict=False)),
                                     by_position=written)
                        continue
                    problem = None
                    if len(cells) > width and any(c.strip() for c in cells[width:]):
                        problem = f"too_many_cells:{len(cells)}:{width}"
                    elif len(cells) < width:
                        problem = f"too_few_cells:{len(cells)}:{width}"
                    yield RawRow(line, dict(zip(headers, cells, strict=False)), problem,
                                 by_position=written)
            except UnicodeDecodeError as exc:
                raise ReadError(Msg("csv.undecodable", encoding=encoding, error=exc.reason)) from None


class _Lines:
    """A text file's physical lines for ``csv.reader``, none longer than ``MAX_LINE``.

    A longer line is skipped to its end without being held and handed on as an empty
    line; its number goes to ``giant``.  ``taken`` holds the lines of the record being
    read, so a record that swallowed several lines can be read again line by line.
    """

    def __init__(self, fh: TextIO):
        self.fh = fh
        self.number = 0
        self.giant: set[int] = set()
        self.taken: list[str] = []

    def __iter__(self) -> _Lines:
        return self

    def __next__(self) -> str:
        line = self.fh.readline(MAX_LINE)
        if not line:
            raise StopIteration
        self.number += 1
        if len(line) >= MAX_LINE and not line.endswith(("\n", "\r")):
            while (rest := self.fh.readline(MAX_LINE)) and not rest.endswith(("\n", "\r")):
                pass
            self.giant.add(self.number)
            line = "\n"
        self.taken.append(line)
        return line


Record = tuple[int, list[str], "Msg | None"]


def records(fh: TextIO, delimiter: str, width: int | None) -> Iterator[Record]:
    """``(line, cells, refused)`` for every record of ``fh``, header included.

    Every physical line ends up in exactly one record, so the rows a file holds are
    all counted.  A line over ``MAX_LINE`` is a refused record of its own.  A record
    that spans several lines and looks like rows folded into one cell (a stray ``"``
    opening a cell: the rows up to the next ``"`` would vanish into it) is read again
    line by line: the line whose quote is not closed on it is refused, naming the
    lines it would have swallowed, and every other line is a record as usual.
    """
    lines = _Lines(fh)
    reader = csv.reader(lines, delimiter=delimiter)
    while True:
        first = lines.number + 1
        lines.taken = []
        broken = False
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error:  # a field over the limit: a quote that swallowed the rest
            cells, broken = [], True
        taken = lines.taken
        if len(taken) > 1 and (broken or _folded(cells, taken, delimiter, width)):
            yield from _one_by_one(taken, first, delimiter, lines.giant)
        elif first in lines.giant:
            yield first, [], Msg("row.line_too_long", max=MAX_LINE)
        elif broken:
            yield first, [], Msg("row.stray_quote", first=first, last=first)
        else:
            yield first, cells, None


def _folded(cells: list[str], taken: list[str], delimiter: str, width: int | None) -> bool:
    """Whether a record spanning lines is rows swallowed by a stray quote, not a cell
    with line breaks (an address on two lines).

    A quoted cell Excel writes closes with a quote followed by a delimiter or the line
    end; a stray quote is "closed" by the next row's opening quote, followed by more
    text — which strict CSV refuses.  And a cell with a line break that also holds
    about a row's worth of delimiters (at least two) is rows, whatever closed it.
    """
    enough = max(2, (width or 3) - 1)
    if any(cell.count(delimiter) >= enough for cell in cells if "\n" in cell or "\r" in cell):
        return True
    try:
        for _ in csv.reader(taken, delimiter=delimiter, strict=True):
            pass
    except csv.Error:
        return True
    return False


def _one_by_one(taken: list[str], first: int, delimiter: str, giant: set[int]) -> Iterator[Record]:
    last = first + len(taken) - 1
    for offset, text in enumerate(taken):
        line = first + offset
        if line in giant:
            yield line, [], Msg("row.line_too_long", max=MAX_LINE)
            continue
        cells = next(csv.reader([text], delimiter=delimiter), [])
        if any(cell.endswith(("\n", "\r")) for cell in cells):  # its quote is not closed
            refused = (Msg("row.stray_quote", first=line, last=last) if offset == 0
                       else Msg("row.stray_quote_here"))
            yield line, [c.rstrip("\r\n") for c in cells], refused
        else:
            yield line, cells, None


@hookimpl
def compliance_readers() -> list[CsvReader]:
    return [CsvReader()]
