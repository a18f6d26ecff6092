"""Fixtures written the way office software writes them: XLSX through openpyxl with
merged cells, titles and East Asian date formats; CSV in GBK with CRLF line ends."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import openpyxl

Rows = Sequence[Sequence[Any]]


def write_xlsx(path: Path, sheets: dict[str, Rows], merges: dict[str, Sequence[str]] | None = None,
               formats: dict[str, dict[str, str]] | None = None) -> Path:
    """A workbook with one sheet per entry (in order), ``merges`` by sheet (``A1:D1``)
    and number ``formats`` by sheet and cell (``{"作息时间表": {"B3": "h:mm"}}``).

    A merged range keeps only its top-left value, as Excel does: write the value there
    and ``None`` (or anything, it is cleared) in the other cells.
    """
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(list(row))
        for ref in (merges or {}).get(name, ()):
            sheet.merge_cells(ref)
        for ref, fmt in (formats or {}).get(name, {}).items():
            sheet[ref].number_format = fmt
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path


def use_builtin_format(path: Path, custom: str, builtin_id: int) -> None:
    """Rewrite ``path`` so cells in the custom format ``custom`` use Excel's built-in
    format ``builtin_id`` instead, as Excel in a Chinese locale saves ``m"月"d"日"`` (58)."""
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    styles = parts["xl/styles.xml"].decode("utf-8")
    escaped = custom.replace('"', "&quot;")
    match = re.search(r'<numFmt numFmtId="(\d+)" formatCode="' + re.escape(escaped) + r'"\s*/>', styles)
    assert match, styles
    styles = styles.replace(match.group(0), "")
    styles = styles.replace(f'numFmtId="{match.group(1)}"', f'numFmtId="{builtin_id}"')
    parts["xl/styles.xml"] = styles.encode("utf-8")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def write_gbk_csv(path: Path, rows: Rows) -> Path:
    """A CSV as Excel in China saves it: GBK, CRLF, cells quoted only when needed."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow(["" if c is None else c for c in row])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("gbk"))
    return path
