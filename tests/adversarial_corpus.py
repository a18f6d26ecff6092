"""Builders for the adversarial corpus: the committed small files under
``tests/fixtures/adversarial/`` plus the big or binary cases made at test time,
and a CLI runner with a time and memory limit so a regression fails, not hangs."""

from __future__ import annotations

import codecs
import os
import resource
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import FIXTURES

ADVERSARIAL = FIXTURES / "adversarial"
SCHOOL = ADVERSARIAL / "school.yaml"
MEMORY_LIMIT = 1 << 30  # 1 GiB of address space for a CLI run over hostile input
TIME_LIMIT = 60
HEADER = "days,start,end,activity,title\n"
GOOD_ROW = "Mon-Fri,08:00,11:40,lesson,上午\n"


@dataclass
class Run:
    status: int
    stdout: str
    stderr: str

    @property
    def output(self) -> str:
        return self.stdout + self.stderr


def _limits() -> None:  # pragma: no cover - runs in the child
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_cli(*args: str | Path, school: bool = True, timeout: float = TIME_LIMIT,
            lang: str = "en") -> Run:
    """``compliance check --format text ARGS`` in a subprocess bounded in time and memory."""
    argv = [sys.executable, "-c", "from compliance.cli import main; main()", "check",
            "--format", "text", "--lang", lang, "--no-entry-points"]
    if school:
        argv += ["--school", str(SCHOOL)]
    argv += [str(a) for a in args]
    env = {**os.environ, "NO_COLOR": "1", "COLUMNS": "100", "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.run(argv, capture_output=True, timeout=timeout, preexec_fn=_limits,
                          env=env, check=False)
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"),
               proc.stderr.decode("utf-8", "replace"))


# --- generated cases ---------------------------------------------------------


def deep_yaml(path: Path, depth: int = 5000) -> Path:
    path.write_text("kind: schedule\nrows: " + "[" * depth + "]" * depth + "\n", encoding="utf-8")
    return path


def deep_json(path: Path, depth: int = 100_000) -> Path:
    path.write_text('{"kind": "schedule", "rows": ' + "[" * depth + "]" * depth + "}",
                    encoding="utf-8")
    return path


def nul_bytes(path: Path) -> Path:
    path.write_bytes(HEADER.encode() + b"Mon-Fri,08:00,\x00\x00,lesson,x\n")
    return path


def utf16_excel(path: Path) -> Path:
    """Excel's "Unicode text": tab-separated, UTF-16 LE with a BOM, CRLF line ends."""
    text = "星期\t开始时间\t结束时间\t活动类型\t内容\r\n周一至周五\t08:00\t11:40\t上课\t上午\r\n" \
           "周一至周五\t25:00\t17:00\t上课\t下午\r\n"
    path.write_bytes(codecs.BOM_UTF16_LE + text.encode("utf-16-le"))
    return path


def gbk_after_a_megabyte(path: Path) -> Path:
    """Valid UTF-8 for the first MB or so, GBK later: a detector that samples the head is fooled."""
    rows = []
    size = len(HEADER)
    while size < (1 << 20) + 4096:
        row = "Mon-Fri,08:00,11:40,lesson,早读课程安排\n"
        rows.append(row.encode("utf-8"))
        size += len(rows[-1])
    tail = "Mon-Fri,13:30,17:00,lesson,下午第五节\n".encode("gbk")
    path.write_bytes(HEADER.encode() + b"".join(rows) + tail)
    return path


def one_huge_line(path: Path, megabytes: int = 50) -> Path:
    with path.open("wb") as fh:
        fh.write(HEADER.encode())
        fh.write(b"Mon-Fri,08:00,11:40,lesson,")
        chunk = b"x" * (1 << 20)
        for _ in range(megabytes):
            fh.write(chunk)
        fh.write(b"\n")
        fh.write(GOOD_ROW.encode())
    return path


def huge_header_line(path: Path, megabytes: int = 50) -> Path:
    with path.open("wb") as fh:
        chunk = b"a," * (1 << 19)
        for _ in range(megabytes):
            fh.write(chunk)
        fh.write(b"\n" + GOOD_ROW.encode())
    return path


def _xlsx(path: Path, sheets: list[tuple[str, str, str]], extra: dict[str, bytes] | None = None,
          compression: int = zipfile.ZIP_DEFLATED) -> Path:
    """A hand-made workbook: ``sheets`` are (name, state, sheetData xml)."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    pkg = "http://schemas.openxmlformats.org/package/2006/relationships"
    off = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheet_ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
    book_ct = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="{sheet_ct}"/>'
        for i in range(1, len(sheets) + 1))
    files = {
        "[Content_Types].xml":
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Default Extension="rels" ContentType="application/'
            'vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" '
            f'ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
            f'ContentType="{book_ct}"/>{overrides}</Types>',
        "_rels/.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}"><Relationship '
            f'Id="rId1" Type="{off}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml":
            f'<?xml version="1.0" encoding="UTF-8"?><workbook {ns} {rel_ns}><sheets>'
            + "".join(f'<sheet name="{name}" sheetId="{i}" state="{state}" r:id="rId{i}"/>'
                      for i, (name, state, _) in enumerate(sheets, start=1))
            + "</sheets></workbook>",
        "xl/_rels/workbook.xml.rels":
            f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{pkg}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{off}/worksheet" '
                      f'Target="worksheets/sheet{i}.xml"/>' for i in range(1, len(sheets) + 1))
            + "</Relationships>",
    }
    for i, (_, _, data) in enumerate(sheets, start=1):
        files[f"xl/worksheets/sheet{i}.xml"] = (
            f'<?xml version="1.0" encoding="UTF-8"?><worksheet {ns}>{data}</worksheet>')
    with zipfile.ZipFile(path, "w", compression) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
        for name, blob in (extra or {}).items():
            archive.writestr(name, blob)
    return path


def _cell(ref: str, value: object, formula: str | None = None) -> str:
    f = f"<f>{formula}</f>" if formula else ""
    if isinstance(value, int | float):
        return f'<c r="{ref}">{f}<v>{value}</v></c>'
    if formula:
        return f'<c r="{ref}" t="str">{f}<v>{value}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{value}</t></is></c>'


def _rows(rows: list[list[object]], formulas: dict[str, str] | None = None) -> str:
    out = []
    for r, values in enumerate(rows, start=1):
        cells = "".join(_cell(f"{chr(65 + c)}{r}", v, (formulas or {}).get(f"{chr(65 + c)}{r}"))
                        for c, v in enumerate(values))
        out.append(f'<row r="{r}">{cells}</row>')
    return "<sheetData>" + "".join(out) + "</sheetData>"


SCHEDULE_HEAD = ["days", "start", "end", "activity", "title"]


def xlsx_formulas(path: Path) -> Path:
    """Formulas whose cached values are times; the reader must see the cached values."""
    data = _rows([SCHEDULE_HEAD, ["Mon-Fri", "08:00", "11:40", "lesson", "上午"],
                  ["Mon-Fri", "13:30", "18:30", "lesson", "下午"]],
                 {"C3": 'TEXT(B3+TIME(5,0,0),"hh:mm")'})
    return _xlsx(path, [("schedule", "visible", data)])


def xlsx_merged(path: Path) -> Path:
    """Merged cells: the merged value fills its range (exports.md), so ``13:30`` lands in
    ``activity`` too and the row is an INP001 there."""
    data = _rows([SCHEDULE_HEAD, ["Mon-Fri", "08:00", "11:40", "lesson", "上午"],
                  ["Mon-Fri", "13:30"]])
    data += '<mergeCells count="1"><mergeCell ref="B3:D3"/></mergeCells>'
    return _xlsx(path, [("schedule", "visible", data)])


def xlsx_hidden(path: Path) -> Path:
    """A hidden sheet named after a kind next to a visible one: both are checked."""
    visible = _rows([SCHEDULE_HEAD, ["Mon-Fri", "08:00", "11:40", "lesson", "上午"]])
    hidden = _rows([SCHEDULE_HEAD, ["Sat", "08:00", "11:00", "remedial", "周末补课"]])
    return _xlsx(path, [("schedule", "visible", visible), ("作息时间表", "hidden", hidden)])


def xlsx_zip_bomb(path: Path, megabytes: int = 100) -> Path:
    """A workbook whose sheet unpacks to ``megabytes`` of zeros."""
    data = _rows([SCHEDULE_HEAD])
    _xlsx(path, [("schedule", "visible", data)])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as archive, \
            archive.open("xl/media/padding.bin", "w", force_zip64=True) as fh:
        chunk = b"\0" * (1 << 20)
        for _ in range(megabytes):
            fh.write(chunk)
    return path


def png_named_csv(path: Path) -> Path:
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 4)
    return path


def csv_named_xlsx(path: Path) -> Path:
    path.write_text(HEADER + GOOD_ROW, encoding="utf-8")
    return path


def zip_named_csv(path: Path) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("schedule.csv", HEADER + GOOD_ROW)
    return path


def yaml_named_json(path: Path) -> Path:
    path.write_text("kind: schedule\nrows:\n  - {days: Mon-Fri, start: '08:00', end: '17:00', "
                    "activity: lesson}\n", encoding="utf-8")
    return path


def symlink_loop(root: Path) -> Path:
    """A folder with a child link to itself and a pair of links pointing at each other."""
    root.mkdir()
    (root / "schedule.csv").write_text(HEADER + GOOD_ROW, encoding="utf-8")
    (root / "again").symlink_to(root, target_is_directory=True)
    (root / "a").symlink_to(root / "b")
    (root / "b").symlink_to(root / "a")
    return root


GENERATED = {
    "deep.yaml": deep_yaml,
    "deep.json": deep_json,
    "nul.csv": nul_bytes,
    "unicode_text.txt": utf16_excel,
    "gbk_late.csv": gbk_after_a_megabyte,
    "huge_line.csv": one_huge_line,
    "huge_header.csv": huge_header_line,
    "formulas.xlsx": xlsx_formulas,
    "merged.xlsx": xlsx_merged,
    "hidden.xlsx": xlsx_hidden,
    "bomb.xlsx": xlsx_zip_bomb,
    "picture.csv": png_named_csv,
    "text.xlsx": csv_named_xlsx,
    "archive.csv": zip_named_csv,
    "yaml.json": yaml_named_json,
}


def build_all(folder: Path) -> Path:
    """The whole corpus in one school folder: committed files plus generated ones."""
    folder.mkdir(parents=True, exist_ok=True)
    for item in ADVERSARIAL.iterdir():
        if item.is_file():
            (folder / item.name).write_bytes(item.read_bytes())
    for name, build in GENERATED.items():
        build(folder / name)
    symlink_loop(folder / "loop")
    return folder


def xlsx_entity_bomb(path: Path) -> Path:
    """A billion laughs in a worksheet's XML."""
    entities = '<!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "' + (f"&lol{i - 1};" if i > 1 else "&lol;") * 10 + '">'
        for i in range(1, 10)) + "]>"
    data = _rows([SCHEDULE_HEAD, ["Mon-Fri", "08:00", "11:40", "lesson", "x"]])
    _xlsx(path, [("schedule", "visible", data)])
    with zipfile.ZipFile(path) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    sheet = files["xl/worksheets/sheet1.xml"].decode()
    head = '<?xml version="1.0" encoding="UTF-8"?>'
    files["xl/worksheets/sheet1.xml"] = sheet.replace(head, head + entities).replace(
        "<t>x</t>", "<t>&lol9;</t>").encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, blob in files.items():
            archive.writestr(name, blob)
    return path


GENERATED["entities.xlsx"] = xlsx_entity_bomb


# --- second round (issue 14) ------------------------------------------------------------


def stray_quotes(path: Path, rows: int = 300) -> Path:
    """Names that open a quote and never close it: on row 10, 146 rows later, and near the end
    (that one unclosed to the end of the file).  A lenient CSV parser folds the rows between."""
    lines = [f"Mon-Fri,08:00,11:40,lesson,上午{i}\n" for i in range(rows)]
    lines[10] = 'Mon-Fri,08:00,11:40,lesson,"张三\n'
    lines[156] = 'Mon-Fri,08:00,18:40,lesson,"李四\n'
    lines[rows - 50] = 'Mon-Fri,08:00,11:40,lesson,"王五\n'
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


def giant_line_mid_file(path: Path, megabytes: int = 200) -> Path:
    """Five good rows, one line of ``megabytes`` MB, five rows ending too late."""
    with path.open("wb") as fh:
        fh.write(HEADER.encode() + GOOD_ROW.encode() * 5)
        fh.write(b"Mon-Fri,08:00,11:40,lesson,")
        chunk = b"x" * (1 << 20)
        for _ in range(megabytes):
            fh.write(chunk)
        fh.write(b"\n" + b"Mon-Fri,08:00,18:40,lesson,late\n" * 5)
    return path


def mixed_encoding_small(path: Path) -> Path:
    """A few UTF-8 rows, then GBK rows pasted below: far under a megabyte."""
    head = HEADER + "".join(f"Mon-Fri,08:00,11:40,lesson,早读课程{i}\n" for i in range(5))
    tail = "".join(f"Mon-Fri,13:30,17:00,lesson,下午第{i}节\n" for i in range(5))
    path.write_bytes(head.encode("utf-8") + tail.encode("gbk"))
    return path


def xlsx_huge_dimension(path: Path) -> Path:
    """A small workbook whose ``<dimension>`` claims every cell of a sheet, with a last row
    at the bottom of the sheet: openpyxl would make a million rows of 16 384 values."""
    data = ('<dimension ref="A1:XFD1048576"/>' + _rows([SCHEDULE_HEAD, ["Mon-Fri", "08:00", "18:30",
                                                                        "lesson", "下午"]])
            .replace("</sheetData>", '<row r="1048576">' + "".join(
                _cell(f"{col}1048576", value) for col, value in zip(
                    "ABCDE", ["Mon-Fri", "08:00", "25:00", "lesson", "末行"], strict=True))
                     + "</row></sheetData>"))
    return _xlsx(path, [("schedule", "visible", data)])


def xlsx_far_column(path: Path, rows: int = 300_000) -> Path:
    """A header, one data row, then ``rows`` rows each holding one cell in column XFD."""
    head = _rows([SCHEDULE_HEAD, ["Mon-Fri", "08:00", "18:30", "lesson", "下午"]])
    far = "".join(f'<row r="{r}"><c r="XFD{r}"><v>1</v></c></row>' for r in range(3, rows + 3))
    return _xlsx(path, [("schedule", "visible", head.replace("</sheetData>", far + "</sheetData>"))])


def encrypted_xlsx(path: Path) -> Path:
    """What Excel writes for a password-protected workbook: an OLE compound file holding
    ``EncryptionInfo`` and ``EncryptedPackage`` streams, not a zip."""
    sector = bytearray(512)
    sector[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    directory = bytearray(512)
    name = "EncryptionInfo".encode("utf-16-le")
    directory[128:128 + len(name)] = name
    package = "EncryptedPackage".encode("utf-16-le")
    directory[256:256 + len(package)] = package
    path.write_bytes(bytes(sector) + bytes(directory) + os.urandom(2048))
    return path
