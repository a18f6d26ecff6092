"""Children's personal data (student ids, names, home addresses) never leaves unmasked:
not in any report format, not in a file's notes, not in the rounds history, not on the
web page, unless ``--show-pii`` is given (and then it does, so these tests can fail).

Enrollment lists are written as offices write them (CSV in GBK with CRLF or UTF-8
with a BOM, XLSX through openpyxl, a merged title row above the header), with
distinctive personal values, well- and ill-formed: an id in no usual format, an
over-long name cell, rows with too many or too few cells, a note row in the middle of
the data (the rows after it become notes), a row blank but for the name, an address
in no zone, an id admitted by two schools.  Every personal value carries a marker of
capital letters that masking removes (a name keeps its first character, an id its
last four): a marker found in an output is a leak.  A clean CSV of 16 KiB and more is
read the columnar way, smaller lists and lists with note rows row by row: both paths
are covered.
"""

from __future__ import annotations

import base64
import io
import json
import os
import sqlite3
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from compliance.host.engine import Engine, RunOptions
from compliance.inputs.columnar import ArrowTable
from compliance.outputs.reporter import RenderOptions

HEADER = ["学籍号", "姓名", "年级", "居住学区", "居住地址", "户籍学区", "随迁子女", "居住证",
          "优抚类别", "录取方式"]
MARK_LETTERS = "BCDFGHJKLMNPRSTVWXZ"  # no vowels: a marker spells no word a report uses
SURNAMES = "张王李赵陈刘杨黄周吴"
ZONES = """zones:
  Z01: {name: 一学区, streets: [{street: 解放路}]}
  Z02: {name: 二学区, streets: [{street: 人民路}]}
  Z03: {name: 三学区, communities: [滨江花园], streets: [{street: 滨江大道}]}
"""
SCHOOL = """school:
  id: {id}
  name: 测试学校{id}
  level: primary
  area: urban
  district: 中山区
  catchment: [Z03]
  classes: [1-1]
"""
FORMATS = ("csv-gbk", "csv-utf8", "xlsx")
REPORT_FORMATS = ["json", "html", "xlsx", "csv", "sarif", "junit", "text", "rich"]


@dataclass
class School:
    """One school's enrollment list as it will be written."""

    school_id: str
    fmt: str
    rows: list[list[str]] = field(default_factory=list)
    title: bool = False


@dataclass
class District:
    """The schools' lists and the markers of the personal values written into them."""

    schools: list[School]
    #: every marker: none may appear in an output without --show-pii
    secrets: set[str]
    #: markers of ids an ENR finding names (every format shows them with --show-pii)
    in_findings: set[str]
    #: markers of values only a file's notes quote (the JSON shows them with --show-pii)
    in_notes: set[str]


def student_id(mark: str, n: int) -> str:
    return f"4401{mark}{n:04d}"  # masked: ************0007


def name(mark: str, surname: str) -> str:
    return f"{surname}{mark}丰"  # masked: 张*********


def address(mark: str) -> str:
    return f"幸福路{mark}号"  # in no zone: INP006, masked: 幸*********


def row(sid: str, who: str, zone: str = "Z03", where: str = "", basis: str = "就近") -> list[str]:
    return [sid, who, "一年级", zone, where, "", "否", "", "", basis]


def build(mark: Callable[[], str], pick: Callable[[str, Sequence[Any]], Any]) -> District:
    """Two schools' lists: a messy one (the row path) and one that may be big and clean
    (the columnar path, for a CSV of 16 KiB or more), sharing one student id (ENR004).

    :param mark: a new unique marker; :param pick: ``pick(what, options)``, one option.
    """
    surname = pick("surname", SURNAMES)
    used: list[str] = []
    in_findings: set[str] = set()
    in_notes: set[str] = set()

    def new() -> str:
        used.append(mark())
        return used[-1]

    def student(zone: str = "Z03", where: str = "", basis: str = "就近",
                sid: str | None = None) -> list[str]:
        return row(sid or student_id(new(), 7), name(new(), surname), zone, where, basis)

    def named(values: list[str]) -> list[str]:
        in_findings.add(values[0][4:12])  # the id's marker: an ENR finding names it
        return values

    shared = student_id(new(), 1)
    out = []
    for school_id, messy in (("PII-A", True), ("PII-B", False)):
        fmt = pick(f"{school_id} format", FORMATS if messy else FORMATS[:2])
        school = School(school_id, fmt, title=fmt == "xlsx" and pick("title", (True, False)))
        rows = school.rows
        rows.append(named(student(sid=shared)))                # ENR004 with the other school
        rows.append(named(student(zone="Z01")))                # ENR001
        rows.append(named(student(basis="考试")))              # ENR002
        rows.append(named(student(basis="择校")))              # ENR003
        rows.append(student(zone="", where=address(new())))    # INP006
        bad = new()                                            # an id in no usual format
        rows.append(row(f"44-01 {bad}？/07", name(new(), surname), basis="考试"))
        in_findings.add(bad)
        if messy:
            rows.append(row(student_id(new(), 90), name(new(), surname) + "丰" * 10_001))  # INP001
            if pick("too many cells", (True, False)):
                rows.append([*row(student_id(new(), 91), name(new(), surname)),
                             name(new(), surname)])
            if fmt != "xlsx" and pick("too few cells", (True, False)):
                rows.append([student_id(new(), 92), name(new(), surname), "一年级"])
            rows.append(["", name(new(), surname)] + [""] * (len(HEADER) - 2))  # but the name
            in_notes.add(used[-1])
            if pick("note row", (True, False)):                # a note row, then more data
                rows.append(["注：以下为补录学生"] + [""] * (len(HEADER) - 1))
                rows.append(student())
                in_notes.update(used[-2:])
        else:
            for _ in range(pick("rows", (320, 3))):            # 320: a CSV of 16 KiB and more
                rows.append(student())
        out.append(school)
    return District(out, set(used), in_findings, in_notes)


@st.composite
def districts(draw: st.DrawFn) -> District:
    seen: set[str] = set()

    def mark() -> str:
        got: str = draw(st.text(MARK_LETTERS, min_size=7, max_size=7).map("Q".__add__)
                        .filter(lambda m: m not in seen))
        seen.add(got)
        return got

    return build(mark, lambda what, options: draw(st.sampled_from(list(options)), label=what))


def write(root: Path, schools: list[School]) -> Path:
    """The district folder: zones.yaml and one folder per school with its list."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "zones.yaml").write_text(ZONES, encoding="utf-8")
    for school in schools:
        folder = root / school.school_id.lower()
        folder.mkdir()
        (folder / "school.yaml").write_text(SCHOOL.replace("{id}", school.school_id),
                                            encoding="utf-8")
        if school.fmt == "xlsx":
            from openpyxl import Workbook

            wb = Workbook()
            ws = wb.active
            assert ws is not None
            ws.title = "招生名单"
            if school.title:  # a title merged across the table, as offices head a list
                ws.append(["2025年秋季一年级新生录取名单"])
                ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
            ws.append(HEADER)
            for values in school.rows:
                ws.append([v if v != "" else None for v in values])
            wb.save(folder / "招生名单.xlsx")
        else:
            text = "\r\n".join(",".join(r) for r in [HEADER, *school.rows]) + "\r\n"
            encoding = "gbk" if school.fmt == "csv-gbk" else "utf-8-sig"
            (folder / "招生名单.csv").write_bytes(text.encode(encoding))
    return root


def fixed_district(tmp: Path) -> tuple[Path, District]:
    """A messy GBK list with every malformation, and a big clean UTF-8 list."""
    marks = iter(f"Q{a}{b}{c}{a}{b}{c}{a}" for a in MARK_LETTERS for b in MARK_LETTERS
                 for c in MARK_LETTERS)
    district = build(lambda: next(marks), lambda what, options: options[0])
    return write(tmp / "district", district.schools), district


def as_text(data: bytes) -> str:
    """An output as searchable text: an XLSX (a zip) as its members' XML."""
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return "\n".join(zf.read(n).decode("utf-8", "replace") for n in zf.namelist())
    return data.decode("utf-8", "replace")


def every_format(root: Path, *, show_pii: bool, lang: str) -> dict[str, str]:
    """The report of ``root`` in every format the project registers, through the Engine."""
    engine = Engine(RunOptions(show_pii=show_pii, lang=lang, jobs=1))
    report = engine.check([str(root)])
    out: dict[str, str] = {}
    for fmt, reporter in sorted(engine.registry.reporters.items()):
        buffer: io.BytesIO | io.StringIO = io.BytesIO() if reporter.binary else io.StringIO()
        reporter.render(report, buffer, RenderOptions(lang=lang))
        value = buffer.getvalue()
        out[fmt] = as_text(value if isinstance(value, bytes) else value.encode())
    return out


def leaks(outputs: dict[str, str], secrets: set[str]) -> dict[str, list[str]]:
    """The markers found, by output."""
    found = {where: sorted(m for m in secrets if m in text) for where, text in outputs.items()}
    return {where: marks for where, marks in found.items() if marks}


# no shrinking: every example runs two checks in every format (seconds), and a failing
# example is printed whole, its markers naming the rows that leaked
@settings(max_examples=10, deadline=None, phases=[Phase.explicit, Phase.reuse, Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(district=districts(), lang=st.sampled_from(["zh", "en"]))
def test_no_report_format_shows_personal_data_unless_asked(district: District, lang: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = write(Path(tmp) / "district", district.schools)
        hidden = every_format(root, show_pii=False, lang=lang)
        assert set(REPORT_FORMATS) <= set(hidden)
        assert not leaks(hidden, district.secrets)
        report = json.loads(hidden["json"])
        codes = {f["code"] for f in report["findings"]}
        assert {"ENR001", "ENR002", "ENR003", "ENR004", "INP006", "INP001"} <= codes
        # the rows passed over are still listed, by line, their personal cells masked
        notes = [n for f in report["files"] for n in f["notes"]]
        assert any(n["text"][:1] in SURNAMES and "*" in n["text"] for n in notes), notes

        shown = every_format(root, show_pii=True, lang=lang)
        for fmt, text in shown.items():  # the search would find them in every format
            assert any(m in text for m in district.in_findings), fmt
        assert {m for m in district.in_notes if m not in shown["json"]} == set()


def test_a_big_clean_list_is_read_the_columnar_way(tmp_path: Path) -> None:
    """The property test's big lists do take the columnar path (else it proves less)."""
    root, _ = fixed_district(tmp_path)
    big = root / "pii-b" / "招生名单.csv"
    assert big.stat().st_size >= 16 << 10
    loaded = Engine(RunOptions(jobs=1)).load([str(root)])
    docs = {d.loc.file: d for s in loaded.submissions.values() for d in s.documents
            if d.kind == "enrollment"}
    assert [isinstance(d.table, ArrowTable) for _, d in sorted(docs.items())] == [False, True]


def cli(*args: str, cwd: Path) -> subprocess.CompletedProcess[bytes]:
    script = Path(sys.executable).with_name("compliance")
    env = {**os.environ, "COMPLIANCE_TODAY": "2025-10-10", "NO_COLOR": "1"}
    return subprocess.run([str(script), "check", *args], cwd=cwd, capture_output=True, env=env,
                          timeout=300, check=False)


def history_text(db: Path) -> str:
    """Every value of every table of a rounds history database, as text."""
    with sqlite3.connect(db) as conn:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return "\n".join(repr(r) for t in tables for r in conn.execute(f'SELECT * FROM "{t}"'))


@pytest.mark.parametrize("show_pii", [False, True])
def test_the_cli_reports_and_history_carry_no_personal_data(tmp_path: Path, show_pii: bool) -> None:
    root, district = fixed_district(tmp_path)
    reports = [f"--report={fmt}:{tmp_path / ('report.' + fmt)}" for fmt in REPORT_FORMATS]
    db = tmp_path / "rounds.db"
    got = cli(str(root), "--history", str(db), *reports, *(["--show-pii"] if show_pii else []),
              cwd=tmp_path)
    assert got.returncode == 2, got.stderr.decode()  # INP findings: some rows unreadable
    outputs = {fmt: as_text((tmp_path / f"report.{fmt}").read_bytes()) for fmt in REPORT_FORMATS}
    outputs["stdout"] = got.stdout.decode()
    outputs["stderr"] = got.stderr.decode()
    history = history_text(db)
    assert "ENR004" in history
    # the history stores findings masked, whatever --show-pii says
    assert not leaks({"history": history}, district.secrets)
    if show_pii:
        for fmt in REPORT_FORMATS:
            assert any(m in outputs[fmt] for m in district.in_findings), fmt
    else:
        assert not leaks(outputs, district.secrets)


def test_an_unreadable_personal_cell_is_quoted_masked(tmp_path: Path) -> None:
    """A kind whose id column rejects a cell (a plugin's): the INP001 names the column and
    what would be accepted, and quotes the cell masked, even with --show-pii."""
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "school.yaml").write_text(SCHOOL.replace("{id}", "PII-C"), encoding="utf-8")
    (folder / "体检名单.csv").write_text(
        "学号,姓名,身高\r\n44X-QBCDFGHJ-1234,王QMNPRSTV丰,120\r\n"
        "4401QBCDFGHK0002,王QMNPRSTW丰,不详QKLMNPRS\r\n", encoding="utf-8")
    for show in (False, True):
        report = Engine(RunOptions(jobs=1, show_pii=show, lang="zh",
                                   modules=["tests.pii_kind_plugin"])).check([str(folder)])
        inp = sorted((f for f in report.findings if f.code == "INP001"),
                     key=lambda f: f.location.line or 0)
        assert len(inp) == 2, [f.message for f in report.findings]
        text = json.dumps([[f.message, f.subject] for f in report.findings], ensure_ascii=False)
        assert "QBCDFGHJ" not in text and "QMNPRSTV" not in text
        assert "学号" in inp[0].message and "1234" in inp[0].message and "4401" in inp[0].message
        # a cell of a column that holds no personal data is quoted as written
        assert "不详QKLMNPRS" in inp[1].message


def test_a_list_without_a_header_row_is_quoted_masked(tmp_path: Path) -> None:
    """A list whose first row is a child's data: the INP003 that cannot tell its kind
    quotes that row's cells by their first character."""
    folder = tmp_path / "s"
    folder.mkdir()
    (folder / "school.yaml").write_text(SCHOOL.replace("{id}", "PII-D"), encoding="utf-8")
    (folder / "data.csv").write_text("4401QBCDFGHJ0001,张QMNPRSTV丰,幸福路QKLMNPRS号\r\n",
                                     encoding="utf-8")
    report = Engine(RunOptions(jobs=1, lang="zh")).check([str(folder)])
    inp = [f for f in report.findings if f.code == "INP003"]
    assert inp and "张*" in inp[0].message
    assert not any(m in inp[0].message for m in ("QBCDFGHJ", "QMNPRSTV", "QKLMNPRS"))


def test_the_web_page_shows_no_personal_data(tmp_path: Path) -> None:
    pytest.importorskip("starlette")
    pytest.importorskip("python_multipart")
    from starlette.testclient import TestClient

    from compliance.web.app import ServeOptions, create_app

    root, district = fixed_district(tmp_path)
    (tmp_path / "tmp").mkdir()
    db = tmp_path / "rounds.db"  # with a history: what the page records and shows of it too
    app = create_app(ServeOptions(workers=1, temp_dir=str(tmp_path / "tmp"), history=str(db)))
    parts = [("files", (p.relative_to(root).as_posix(), p.read_bytes()))
             for p in sorted(root.rglob("*")) if p.is_file()]
    with TestClient(app) as client:
        page = client.post("/api/check?format=page&lang=zh", files=parts)
        assert page.status_code == 200, page.text
        body = page.json()
        outputs = {"report": json.dumps(body["report"], ensure_ascii=False),
                   "html": body["html"], "xlsx": as_text(base64.b64decode(body["xlsx"]))}
        assert "ENR004" in outputs["report"] and body["report"]["files"]
        assert not leaks(outputs, district.secrets)
        for fmt in ("sarif", "html"):
            got = client.post(f"/api/check?format={fmt}", files=parts)
            assert got.status_code == 200, got.text
            assert not leaks({fmt: got.text}, district.secrets), fmt
        shown = client.get("/api/history")
        assert shown.status_code == 200 and shown.json()["rounds"]
        assert not leaks({"history page": shown.text, "history": history_text(db)}, district.secrets)
