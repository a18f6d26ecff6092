"""Helpers for the rounds tests: a copy of the sample district reshaped the way
schools re-export their files (rows re-sorted, files renamed, CSV saved as XLSX or
as GBK with CRLF), and fingerprints counted per school and code."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
import re
import shutil
from collections import Counter
from pathlib import Path

from compliance.outputs.report import Report

from .conftest import SAMPLES

#: the names each CSV of the samples may be renamed to (the loader knows them all)
ALIASES = {
    "enrollment": ["enrollment", "招生名单", "录取名单", "新生名单"],
    "招生名单": ["enrollment", "招生名单", "录取名单", "新生名单"],
    "homework": ["homework", "作业公示", "作业公示表", "作业量公示"],
    "materials": ["materials", "教辅征订", "教辅征订表", "征订单"],
    "教辅征订": ["materials", "教辅征订", "教辅征订表", "征订单"],
    "schedule": ["schedule", "作息时间表", "作息表", "活动安排"],
    "作息时间表": ["schedule", "作息时间表", "作息表", "活动安排"],
}


def copy_district(target: Path) -> Path:
    shutil.copytree(SAMPLES / "zhongshan", target)
    return target


def read_csv(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:  # the samples hold GBK exports too
        text = data.decode("gbk")
    return list(csv.reader(io.StringIO(text)))


def write_csv(path: Path, rows: list[list[str]], gbk: bool = False) -> None:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n" if gbk else "\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("gbk" if gbk else "utf-8"))


_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")


def _cell(value: str) -> object:
    """A cell as Excel would type it: dates as dates, plain counts as numbers."""
    m = _DATE.match(value)
    if m:
        return dt.datetime(int(m[1]), int(m[2]), int(m[3]))
    if value.isdigit() and len(value) < 6:
        return int(value)
    return value


def write_xlsx(path: Path, rows: list[list[str]]) -> None:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Sheet1"
    for row in rows:
        sheet.append([_cell(v) for v in row])
    book.save(path)


def reshape(folder: Path, rng: random.Random, *, shuffle: bool = True, rename: bool = True,
            formats: bool = True, always: str | None = None) -> None:
    """Every CSV of every school: rows shuffled, the file renamed to another name of
    its kind, and saved as XLSX or as GBK with CRLF (each at random)."""
    for path in sorted(folder.glob("*/*.csv")):
        rows = read_csv(path)
        header, body = rows[0], [r for r in rows[1:] if r]
        if shuffle:
            rng.shuffle(body)
        stem = path.stem
        if rename and stem in ALIASES:
            others = [a for a in ALIASES[stem] if a != stem] if always else ALIASES[stem]
            stem = rng.choice(others)
        path.unlink()
        choice = always or (rng.choice(["csv", "gbk", "xlsx"]) if formats else "csv")
        target = path.with_name(stem + (".xlsx" if choice == "xlsx" else ".csv"))
        if choice == "xlsx":
            write_xlsx(target, [header, *body])
        else:
            write_csv(target, [header, *body], gbk=choice == "gbk")


def fingerprints(report: Report) -> Counter[tuple[str | None, str, str]]:
    return Counter((f.school_id, f.code, f.fingerprint) for f in report.findings)
