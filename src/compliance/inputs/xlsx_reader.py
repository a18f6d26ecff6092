"""XLSX workbooks through openpyxl: cached values (not formulas), every sheet with its
name and merged ranges, date and time cells as values, and a size check before
anything is unpacked."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from compliance.host.markers import hookimpl
from compliance.inputs import safety
from compliance.inputs.raw import GridRow, MergedRange, RawDocument, RawRow, RawTable, ReadError
from compliance.inputs.reasons import Msg

MAX_UNPACKED = 512 * 1024 * 1024
MAX_RATIO = 200
#: columns read of a row, as CSV's header cap; a value further right makes the row too wide
MAX_COLUMNS = 1000
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # a compound file: encrypted .xlsx or old .xls
ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
#: built-in number formats Excel in Chinese (and other East Asian) locales writes for
#: dates and times (``yyyy"年"m"月"d"日"`` is 31, ``m"月"d"日"`` 58, ``h"时"mm"分"`` 32):
#: openpyxl knows only the locale-neutral ones, and would hand back the serial number
CJK_DATE_FORMATS = frozenset((*range(27, 37), *range(50, 59)))
MERGE_SCAN_CHUNK = 1 << 20
_MERGE_RE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\bref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')


def _check_zip(path: Path) -> None:
    safety.check_size(path, safety.MAX_XLSX_BYTES)
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError):
        raise ReadError(_not_a_zip(path)) from None
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if total > MAX_UNPACKED or (total > 50 * 1024 * 1024 and total / packed > MAX_RATIO):
        raise ReadError(Msg("xlsx.zip_bomb", mb=total // (1024 * 1024)))
    if "xl/workbook.xml" not in {i.filename for i in infos}:
        raise ReadError(Msg("xlsx.no_workbook"))


def _not_a_zip(path: Path) -> Msg:
    """Why a workbook is no zip: password-protected and old .xls files are compound files."""
    try:
        with path.open("rb") as fh:
            head = fh.read(1 << 16)
    except OSError:
        head = b""
    if head.startswith(OLE_MAGIC):
        return Msg("xlsx.encrypted" if ENCRYPTION_INFO in head else "xlsx.old_xls")
    return Msg("xlsx.not_a_zip")


def sheet_rows(ws: Any) -> Iterator[tuple[int, tuple[Any, ...]]]:
    """``(row number, values)`` for each row the sheet's XML holds, in order.

    openpyxl's ``iter_rows`` pads every row to the sheet's ``<dimension>`` (which a file
    may declare as ``A1:XFD1048576``) or to its last cell (one cell in column XFD makes
    16 384 values), and makes a row for every missing one.  Here rows not in the file
    are not made, and a row holds at most ``MAX_COLUMNS`` values, plus — when a value
    stands further right — one more marker value, so the row is reported too wide.
    """
    from openpyxl.worksheet._reader import WorkSheetParser

    book = ws.parent
    with ws._get_source() as source:  # the sheet's XML part, streamed
        parser = WorkSheetParser(source, ws._shared_strings, data_only=book.data_only,
                                 epoch=book.epoch, date_formats=book._date_formats,
                                 timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            width = 0
            beyond = False
            for cell in cells:
                column = cell["column"]
                if column > MAX_COLUMNS:
                    beyond = beyond or cell["value"] is not None
                elif column > width:
                    width = column
            values: list[Any] = [None] * (width + 1 if beyond else width)
            for cell in cells:
                if cell["column"] <= MAX_COLUMNS:
                    values[cell["column"] - 1] = cell["value"]
            if beyond:
                values[-1] = TooWide()
            yield number, tuple(values)


class TooWide:
    """Stands for the values of a row beyond ``MAX_COLUMNS`` (never a real cell)."""

    def __str__(self) -> str:
        return f"(more than {MAX_COLUMNS} columns)"


class XlsxReader:
    name = "xlsx"
    suffixes = (".xlsx", ".xlsm")

    def read(self, path: Path) -> list[RawDocument]:
        _check_zip(path)
        import openpyxl  # imported here: only runs that read a workbook pay for it

        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many types for a broken workbook
            raise ReadError(Msg("xlsx.cannot_open", error=str(exc))) from None
        _know_cjk_dates(book)
        # Hidden sheets are read too (after the visible ones, so "the first sheet" is still
        # the first one a user sees): a sheet named after a kind cannot be hidden from a check.
        visible = [ws for ws in book.worksheets if ws.sheet_state == "visible"]
        sheets = visible + [ws for ws in book.worksheets if ws.sheet_state != "visible"]
        if not sheets:
            raise ReadError(Msg("xlsx.no_sheets"))
        # Every sheet goes back, titled; the loader keeps the sheets named after a
        # document kind, or else the first one, as the contract says.
        return [self._table(ws, ws.title) for ws in sheets]

    def _table(self, ws: Any, title: str) -> RawTable:
        rows = sheet_rows(ws)
        headers: list[str] = []
        header_row = 0
        try:
            for header_row, values in rows:
                if values and any(v is not None and str(v).strip() for v in values):
                    if isinstance(values[-1], TooWide):
                        raise ReadError(Msg("csv.too_many_columns", columns=f"{MAX_COLUMNS}+",
                                            max=MAX_COLUMNS), header_row)
                    headers = ["" if v is None else str(v).strip() for v in values]
                    break
        except ReadError:
            raise
        except Exception as exc:  # parsed while iterated: see _rows
            raise ReadError(Msg("xlsx.broken_sheet", sheet=repr(title),
                                error=f"{type(exc).__name__}: {exc}"), header_row + 1) from None
        while headers and not headers[-1]:
            headers.pop()
        return RawTable(
            headers=headers,
            rows=self._rows(rows, headers, header_row),
            kind_hint=title.strip(),
            sheet=title,
            grid=lambda: self._grid(ws, title),
            merged=_merged_ranges(ws),
        )

    @staticmethod
    def _grid(ws: Any, title: str) -> Iterator[GridRow]:
        """Every row of ``ws`` with a non-blank cell, by position, trailing blanks dropped."""
        line = 0
        try:
            for line, values in sheet_rows(ws):
                if not values:
                    continue
                end = len(values)
                while end and (values[end - 1] is None
                               or (isinstance(values[end - 1], str) and not values[end - 1].strip())):
                    end -= 1
                if end:
                    yield line, tuple(values[:end])
        except Exception as exc:  # parsed while iterated, as in _rows
            raise ReadError(Msg("xlsx.broken_sheet", sheet=repr(title),
                                error=f"{type(exc).__name__}: {exc}"), line + 1) from None

    @classmethod
    def _rows(cls, rows: Iterator[tuple[int, tuple[Any, ...]]], headers: list[str],
              start: int) -> Iterator[RawRow]:
        # openpyxl parses a read-only sheet while it is iterated: a broken or hostile
        # sheet (bad XML, an entity bomb) fails here, as a ReadError on the row reached.
        line = start
        try:
            for row in cls._shaped(rows, headers, start):
                line = row.line or line
                yield row
        except ReadError:
            raise
        except Exception as exc:
            raise ReadError(Msg("xlsx.broken_after", row=line, error=f"{type(exc).__name__}: {exc}"),
                            line + 1) from None

    @staticmethod
    def _shaped(rows: Iterator[tuple[int, tuple[Any, ...]]], headers: list[str],
                start: int) -> Iterator[RawRow]:
        width = len(headers)
        # an empty header cell, or one written twice: a row's cells by header leave some
        # of its cells out, so the row carries all of them by position too
        partial = not all(headers) or len(set(headers)) < width
        for line, values in rows:
            if not values or all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
                continue
            cells = {h: v for h, v in zip(headers, values, strict=False) if h}
            problem = None
            if len(values) > width and any(v is not None for v in values[width:]):
                problem = f"too_many_cells:{len(values)}:{width}"
            yield RawRow(line, cells, problem, by_position=tuple(values) if partial else None)


def _know_cjk_dates(book: Any) -> None:
    """Make openpyxl read cells in the East Asian built-in date formats as dates."""
    styles = getattr(book, "_cell_styles", None)
    known = getattr(book, "_date_formats", None)
    if styles is None or not isinstance(known, set):
        return
    for index, style in enumerate(styles):
        if getattr(style, "numFmtId", None) in CJK_DATE_FORMATS:
            known.add(index)


def _column_number(letters: bytes) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + letter - 64
    return number


def _merged_ranges(ws: Any) -> list[MergedRange]:
    """The merged ranges of a read-only sheet, found in its XML.

    openpyxl's read-only sheets do not expose them; the ``<mergeCell ref=…>`` elements
    follow the cell data, so the part is scanned (in chunks, never held whole).
    """
    archive = getattr(getattr(ws, "parent", None), "_archive", None)
    part = getattr(ws, "_worksheet_path", None)
    if archive is None or part is None:
        return []
    found: list[MergedRange] = []
    tail = b""
    try:
        with archive.open(part) as fh:
            while chunk := fh.read(MERGE_SCAN_CHUNK):
                data = tail + chunk
                cut = data.rfind(b"<")
                # an element cut by the chunk's end is looked at with the next chunk
                body, tail = (data[:cut], data[cut:]) if cut > len(data) - 200 else (data, b"")
                found.extend(_ranges_in(body))
            found.extend(_ranges_in(tail))
    except (OSError, KeyError, zipfile.BadZipFile):
        pass
    return sorted(found, key=lambda r: (r.min_row, r.min_col))


def _ranges_in(xml: bytes) -> Iterator[MergedRange]:
    for m in _MERGE_RE.finditer(xml):
        first_col, first_row = _column_number(m.group(1)), int(m.group(2))
        last_col = _column_number(m.group(3)) if m.group(3) else first_col
        last_row = int(m.group(4)) if m.group(4) else first_row
        yield MergedRange(first_row, first_col, last_row, last_col)


@hookimpl
def compliance_readers() -> list[XlsxReader]:
    return [XlsxReader()]
