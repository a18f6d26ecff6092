"""CSV (and tab-separated text) as Excel in China writes it: UTF-8, UTF-8 with BOM,
GB18030/GBK, or UTF-16 "Unicode text"; rows streamed, never the whole file in memory."""

from __future__ import annotations

import codecs
import csv
from collections.abc import Iterator
from pathlib import Path

from compliance.host.markers import hookimpl
from compliance.inputs import columnar
from compliance.inputs.raw import GridRow, RawDocument, RawRow, RawTable, ReadError
from compliance.inputs.reasons import Msg

CHUNK = 1 << 20
MIXED_AFTER = 128  # multi-byte UTF-8 seen before a bad byte (~64 CJK): a mixed file
MAX_COLUMNS = 1000
csv.field_size_limit(1 << 26)


def detect_encoding(path: Path) -> str:
    """The file's encoding, checked over the whole file (GBK that looks like UTF-8 at first)."""
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
            with path.open("rb") as fh:
                while chunk := fh.read(CHUNK):
                    if encoding != "utf-16" and b"\x00" in chunk:
                        raise ReadError(Msg("csv.nul"))
                    text = decoder.decode(chunk)
                    seen += len(chunk)
                    wide += len(chunk) - len(text)  # bytes beyond one per character
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError as exc:
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
        encoding = detect_encoding(path)
        with path.open(encoding=encoding, newline="") as fh:
            first = fh.readline()
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
            reader = csv.reader(fh, delimiter=delimiter)
            last = 0
            try:
                for cells in reader:
                    line = last + 1
                    last = reader.line_num
                    end = len(cells)
                    while end and not cells[end - 1].strip():
                        end -= 1
                    if end:
                        yield line, tuple(cells[:end])
            except csv.Error as exc:
                raise ReadError(Msg("csv.broken", error=str(exc)), reader.line_num + 1) from None
            except UnicodeDecodeError as exc:
                raise ReadError(Msg("csv.undecodable", encoding=encoding, error=exc.reason)) from None

    @staticmethod
    def _rows(path: Path, encoding: str, delimiter: str, headers: list[str]) -> Iterator[RawRow]:
        width = len(headers)
        with path.open(encoding=encoding, newline="") as fh:
            reader = csv.reader(fh, delimiter=delimiter)
            try:
                next(reader)
                last = reader.line_num
                for cells in reader:
                    line = last + 1
                    last = reader.line_num
                    if not "".join(cells).strip():  # a blank row
                        continue
                    if len(cells) == width:  # the usual row: no shape problem to look for
                        yield RawRow(line, dict(zip(headers, cells, strict=False)))
                        continue
                    problem = None
                    if len(cells) > width and any(c.strip() for c in cells[width:]):
                        problem = f"too_many_cells:{len(cells)}:{width}"
                    elif len(cells) < width:
                        problem = f"too_few_cells:{len(cells)}:{width}"
                    yield RawRow(line, dict(zip(headers, cells, strict=False)), problem)
            except csv.Error as exc:
                raise ReadError(Msg("csv.broken", error=str(exc)), reader.line_num + 1) from None
            except UnicodeDecodeError as exc:
                raise ReadError(Msg("csv.undecodable", encoding=encoding, error=exc.reason)) from None


@hookimpl
def compliance_readers() -> list[CsvReader]:
    return [CsvReader()]
