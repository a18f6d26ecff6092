"""The rectification ledger (整改台账): one row per fingerprint ever recorded in a
history — school, code, message, first and last seen, status (未整改 / 已整改 /
已豁免) and the round it was fixed in — as an XLSX workbook or a CSV file."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from compliance.host.errors import UsageError

COLUMNS: list[tuple[str, dict[str, str]]] = [
    ("school_id", {"zh": "学校代码", "en": "School"}),
    ("code", {"zh": "规则代码", "en": "Code"}),
    ("message", {"zh": "问题", "en": "Finding"}),
    ("first_seen", {"zh": "首次发现轮次", "en": "First seen (round)"}),
    ("first_seen_time", {"zh": "首次发现时间", "en": "First seen"}),
    ("last_seen", {"zh": "最近发现轮次", "en": "Last seen (round)"}),
    ("last_seen_time", {"zh": "最近发现时间", "en": "Last seen"}),
    ("status", {"zh": "状态", "en": "Status"}),
    ("fixed_in", {"zh": "整改轮次", "en": "Fixed in (round)"}),
    ("fixed_in_time", {"zh": "整改时间", "en": "Fixed"}),
    ("fingerprint", {"zh": "指纹", "en": "Fingerprint"}),
]
FORMATS = ("xlsx", "csv")


def ledger_format(output: str, given: str | None) -> str:
    """``xlsx`` or ``csv``: as given, else from the output file's suffix."""
    fmt = (given or Path(output).suffix.lstrip(".") or "xlsx").lower()
    if fmt not in FORMATS:
        raise UsageError(f"--format {fmt!r}: the ledger is written as xlsx or csv")
    return fmt


def write_ledger(rows: list[dict[str, Any]], output: str | Path, fmt: str,
                 lang: str = "zh") -> None:
    """Write the ledger ``rows`` (from :meth:`History.ledger`) to ``output``."""
    headers = [label[lang] for _, label in COLUMNS]
    table = [[row.get(key) for key, _ in COLUMNS] for row in rows]
    path = Path(output)
    try:
        if fmt == "csv":
            # with a BOM, so Excel opens the Chinese text as UTF-8
            with path.open("w", encoding="utf-8-sig", newline="") as fh:
                writer = csv.writer(fh)
                writer.writerow(headers)
                writer.writerows(["" if v is None else v for v in line] for line in table)
            return
        from openpyxl import Workbook
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        book = Workbook()
        sheet = book.active
        assert sheet is not None
        sheet.title = "整改台账" if lang == "zh" else "Rectification ledger"
        sheet.append(headers)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for line in table:
            sheet.append(line)
        sheet.freeze_panes = "A2"
        sheet.auto_filter.ref = sheet.dimensions
        widths = {"message": 60, "fingerprint": 18}
        for index, (key, _) in enumerate(COLUMNS, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = widths.get(key, 14)
        book.save(path)
    except OSError as exc:
        raise UsageError(f"-o {output}: cannot write: {exc.strerror}") from None
