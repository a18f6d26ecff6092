"""The columnar path (``inputs/columnar.py``) gives exactly what the row path gives.

Every comparison runs the same input twice: once with ``columnar.MIN_BYTES`` at 0 (every
CSV is offered to pyarrow) and once with it out of reach (every CSV read row by row), and
compares the JSON and text reports byte for byte, the row counts, the schools and the
files.  A spy on the loader's ``normalize`` makes sure the columnar path was really taken,
so that no comparison passes because both runs went the row path.

Small files are also cut into several pyarrow blocks (``ReadOptions.block_size``) and
sampled over fewer bytes (``SAMPLE_BYTES``, which columns are dictionary-encoded), so
that they take the code paths of big files: chunked columns, plain and coded columns.
"""

from __future__ import annotations

import csv
import difflib
import functools
import io
import json
import multiprocessing
import os
import pickle
import random
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.csv as pacsv
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from compliance.host import parallel
from compliance.host.engine import Engine, RunOptions
from compliance.inputs import columnar
from compliance.inputs import loader as loader_module
from compliance.inputs.columnar import ArrowTable, RecordTable, Table
from compliance.inputs.loader import Loader, materialise
from compliance.inputs.shaping import is_note_text
from compliance.outputs.json import JsonReporter
from compliance.outputs.reporter import RenderOptions
from compliance.outputs.text import TextReporter
from tests.adversarial_corpus import ADVERSARIAL, SCHOOL, gbk_after_a_megabyte, nul_bytes, utf16_excel
from tests.conftest import FIXTURES, ROOT, SAMPLES
from tests.office_files import write_gbk_csv

ROW_PATH = 1 << 62  # a MIN_BYTES no file reaches: every CSV is read row by row
PACKS = FIXTURES / "packs"
#: a declarative rule that reads every enrollment row as a record (``ctx.records``)
PROBE_RULES = (str(Path(__file__).parent / "fixtures_columnar" / "enrollment-rules.yaml"),)


# -- the two kinds the columnar path takes ---------------------------------------------------


@dataclass(frozen=True)
class Kind:
    """A table kind as the tests write it: fields, header spellings, good and odd cells."""

    name: str
    fields: list[str]
    required: tuple[str, ...]
    aliases: dict[str, list[str]]
    good: dict[str, st.SearchStrategy[str]]
    odd: dict[str, st.SearchStrategy[str]]
    #: the file name (without suffix) of one school's own list
    own_stem: str


SCHOOL_IDS = ["CS-0001", "CS-0002", "CS-0003"]
SCHOOL_CELLS = st.sampled_from(SCHOOL_IDS)
ODD_SCHOOL_CELLS = st.sampled_from(["", " ", "cs-0001", " CS-0002 ", "ＣＳ－０００１", "CS-9999",
                                    "cs-9999", "CS 0003", "\u3000cs-0002"])
NAMES = ["张子涵", "李沐阳", "王若曦", "欧阳·娜", "陈〇", "刘嘉懿", "Li Lei", "O'Neil"]
ADDRESSES = ["测试区解放路12号", "测试区解放路256号", "测试区桃源小区3栋", "测试区锦绣花园5栋",
             "测试区滨江大道8号", "测试区中山路卫华住宅小区", "测试区不存在路1号", "测试区解放路１９９号"]

ENROLLMENT = Kind(
    name="enrollment",
    fields=["student_id", "name", "school_id", "grade", "residence_zone", "residence_address",
            "hukou_zone", "migrant_worker_child", "residence_permit", "special_category",
            "admission_basis"],
    required=("student_id", "grade", "admission_basis"),
    aliases={
        "student_id": ["student_id", "学籍号", "学号"],
        "name": ["name", "姓名", "学生姓名"],
        "school_id": ["school_id", "学校代码", "学校编号"],
        "grade": ["grade", "年级", "入学年级"],
        "residence_zone": ["residence_zone", "居住学区"],
        "residence_address": ["residence_address", "居住地址", "家庭住址"],
        "hukou_zone": ["hukou_zone", "户籍学区"],
        "migrant_worker_child": ["migrant_worker_child", "随迁子女"],
        "residence_permit": ["residence_permit", "居住证"],
        "special_category": ["special_category", "优抚类别"],
        "admission_basis": ["admission_basis", "录取方式"],
    },
    good={
        # a few ids over and over: the same student admitted by two schools (ENR004)
        "student_id": st.one_of(st.sampled_from([f"G{n:04d}" for n in range(1, 7)]),
                                st.integers(10**17, 10**18 - 1).map(lambda n: f"G{n}")),
        "name": st.sampled_from(NAMES),
        "school_id": SCHOOL_CELLS,
        "grade": st.sampled_from(["1", "2", "7", "一年级", "初一", "3"]),
        "residence_zone": st.sampled_from(["Z01", "Z02", "Z03", ""]),
        "residence_address": st.sampled_from(["", *ADDRESSES]),
        "hukou_zone": st.sampled_from(["", "Z01", "Z02"]),
        "migrant_worker_child": st.sampled_from(["", "是", "否"]),
        "residence_permit": st.sampled_from(["", "是", "否"]),
        "special_category": st.sampled_from(["", "", "军人子女"]),
        "admission_basis": st.sampled_from(["nearby", "就近", "lottery", "摇号", "统筹安排"]),
    },
    odd={
        "student_id": st.sampled_from(["", "  ", "g0001", " G0002 ", "G 0003", "ＡＢ１２", "ab12",
                                       "Ｇ０００１", "\u3000G0004", '"G0005"', "G,0006", "G\t0001"]),
        "name": st.sampled_from(["", " 张三 ", "Ｌｉ　Ｌｅｉ", "㍿", "ﾃｽﾄ", "李\u3000四", "张,三",
                                 'A "B" C', '"', "张三\t", "　王五", "①号", "ＡＢ", "X" * 10_001]),
        "school_id": ODD_SCHOOL_CELLS,
        "grade": st.sampled_from(["", " ", "十一", "abc", "0", "10", "１", "七年级", "初四", " 2 "]),
        "residence_zone": st.sampled_from(["z01", "Z99", " Z02 ", "Ｚ０３", "Z0 1", "  "]),
        "residence_address": st.sampled_from([" 测试区解放路12号 ", "测试区解放路300号", "  "]),
        "hukou_zone": st.sampled_from(["Z99", "z02", " "]),
        "migrant_worker_child": st.sampled_from(["是", "yes", "Y", "maybe", " 是 ", "１"]),
        "residence_permit": st.sampled_from(["否", "no", "perhaps", " "]),
        "special_category": st.sampled_from([" 烈士子女 ", "军人子女,烈士子女", "  "]),
        "admission_basis": st.sampled_from(["", "exam", "考试", "面试", "interview", "competition",
                                            "竞赛", "择校", "school_choice", "School Choice", "bogus",
                                            " 就近 ", "Nearby"]),
    },
    own_stem="招生名单",
)

MATERIALS = Kind(
    name="materials",
    fields=["school_id", "grade", "subject", "title", "type", "compulsory_purchase", "catalog_id",
            "quantity", "unit_price"],
    required=("grade", "subject", "title", "type"),
    aliases={
        "school_id": ["school_id", "学校代码"],
        "grade": ["grade", "年级"],
        "subject": ["subject", "学科", "科目"],
        "title": ["title", "书名"],
        "type": ["type", "类别"],
        "compulsory_purchase": ["compulsory_purchase", "是否统一征订"],
        "catalog_id": ["catalog_id", "目录编号"],
        "quantity": ["quantity", "数量"],
        "unit_price": ["unit_price", "单价"],
    },
    good={
        "school_id": SCHOOL_CELLS,
        "grade": st.sampled_from(["1", "二年级", "七年级", "9"]),
        "subject": st.sampled_from(["数学", "语文", "英语"]),
        "title": st.sampled_from(["口算天天练", "英语周报合订本", "课时作业本 七年级", "同步练习"]),
        "type": st.sampled_from(["练习册", "教材", "workbook", "试卷", "教辅", "textbook"]),
        "compulsory_purchase": st.sampled_from(["", "是", "否"]),
        "catalog_id": st.sampled_from(["", "ZS-JF-021", "CAT101"]),
        "quantity": st.sampled_from(["", "40", "30"]),
        "unit_price": st.sampled_from(["", "12.5", "8"]),
    },
    odd={
        "school_id": ODD_SCHOOL_CELLS,
        "grade": st.sampled_from(["", "十", "初一 "]),
        "subject": st.sampled_from(["", " 数学 ", "Ｍａｔｈ"]),
        "title": st.sampled_from(["", " 同步练习 ", "Ｅｎｇｌｉｓｈ　ｗｅｅｋｌｙ", "《口算》,上"]),
        "type": st.sampled_from(["", "报纸", "Workbook", " 教辅 "]),
        "compulsory_purchase": st.sampled_from(["可能", "Y", "true"]),
        "catalog_id": st.sampled_from([" CAT101 ", "ｃａｔ１０１", "  "]),
        "quantity": st.sampled_from(["30.0", "３", "-1", "x", "30分钟", "1e3"]),
        "unit_price": st.sampled_from(["¥12.5", "12.5元", "-0", "nan", "1e3", "inf", "-1"]),
    },
    own_stem="教辅征订",
)


# -- running both ways -----------------------------------------------------------------------


@dataclass
class Spy:
    """The tables the loader normalised the columnar way (``normalize`` gave a split).

    With ``log`` set, each is also written to that file with the process id, so that
    tables normalised in forked worker processes are seen too.
    """

    log: Path | None = None
    taken: list[str] = field(default_factory=list)

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def normalize(*args: Any, **kwargs: Any) -> Any:
            split = real(*args, **kwargs)
            if split is not None:
                self.taken.append(str(args[3]))
                if self.log is not None:
                    with self.log.open("a", encoding="utf-8") as fh:
                        fh.write(f"{os.getpid()} {args[3]}\n")
            return split

        return normalize

    def lines(self) -> list[tuple[str, str]]:
        if self.log is not None:
            text = self.log.read_text(encoding="utf-8") if self.log.exists() else ""
            return [(pid, f) for pid, f in (line.split(" ", 1) for line in text.splitlines())]
        return [(str(os.getpid()), f) for f in self.taken]

    def files(self) -> set[str]:
        """The files normalised the columnar way, in any process."""
        return {f for _, f in self.lines()}

    def elsewhere(self) -> set[str]:
        """The files normalised the columnar way in another process (a worker)."""
        return {f for pid, f in self.lines() if pid != str(os.getpid())}


@dataclass(frozen=True)
class Blocks:
    """How pyarrow cuts a file into chunks and how much of it picks the coded columns."""

    block_size: int | None = None  # pyarrow's default is 1 MiB
    sample_bytes: int | None = None  # columnar.SAMPLE_BYTES


@contextmanager
def columnar_path(on: bool, spy: Spy | None = None, blocks: Blocks = Blocks()) -> Iterator[None]:
    """Every CSV offered to the columnar path (``on``), or none."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(columnar, "MIN_BYTES", 0 if on else ROW_PATH)
        if spy is not None:
            mp.setattr(loader_module, "normalize", spy.wrap(loader_module.normalize))
        if blocks != Blocks():  # chunks and samples: the big-file way, whatever the size
            mp.setattr(columnar, "BIG_BYTES", 0)
            mp.setattr(columnar, "BIG_ROWS", 0)
        if blocks.block_size is not None:
            real, size = pacsv.ReadOptions, blocks.block_size
            mp.setattr(pacsv, "ReadOptions", lambda **kw: real(block_size=size, **kw))
        if blocks.sample_bytes is not None:
            mp.setattr(columnar, "SAMPLE_BYTES", blocks.sample_bytes)
        yield


@functools.cache
def engine(lang: str = "en", show_pii: bool = False, jobs: int = 1, school: str | None = None,
           rules: tuple[str, ...] = ()) -> Engine:
    return Engine(RunOptions(jobs=jobs, entry_points=False, lang=lang, show_pii=show_pii,
                             school=school, rules=rules))


def outcome(paths: list[Path], on: bool, *, lang: str = "en", show_pii: bool = False, jobs: int = 1,
            school: Path | None = None, spy: Spy | None = None, blocks: Blocks = Blocks(),
            rules: tuple[str, ...] = ()) -> dict[str, Any]:
    """Everything a run gives its reader: JSON and text reports, row counts, schools, files."""
    with columnar_path(on, spy, blocks):
        report = engine(lang, show_pii, jobs, str(school) if school else None, rules).check(
            [str(p) for p in paths])
    as_json, as_text = io.StringIO(), io.StringIO()
    JsonReporter().render(report, as_json, RenderOptions(lang=lang))
    TextReporter().render(report, as_text, RenderOptions(lang=lang))
    return {
        "json": as_json.getvalue(),
        "text": as_text.getvalue(),
        "rows_read": report.rows_read,
        "rows_rejected": report.rows_rejected,
        "files": report.files,
        "schools": report.schools,
        "skipped": [s.to_dict() for s in report.skipped],
        "schedules": json.dumps(report.schedules, sort_keys=True, default=str),
    }


def explain(got: dict[str, Any], expected: dict[str, Any]) -> str:
    """What differs, as unified diffs (``-`` the expected run, ``+`` the other one)."""
    parts = []
    for key in expected:
        a, b = expected[key], got[key]
        if a == b:
            continue
        if isinstance(a, str):
            diff = difflib.unified_diff(a.splitlines(), b.splitlines(), "row path", "columnar path",
                                        lineterm="", n=1)
            parts.append(f"{key}:\n" + "\n".join(diff))
        else:
            parts.append(f"{key}: row path {a!r}, columnar path {b!r}")
    return "\n".join(parts)


def assert_same_both_ways(paths: list[Path], *, school: Path | None = None, jobs: int = 1,
                          variants: tuple[tuple[str, bool], ...] = (("en", False),),
                          spy: Spy | None = None, blocks: Blocks = Blocks(),
                          rules: tuple[str, ...] = ()) -> None:
    """The same outcome both ways, for each (language, show_pii) of ``variants``."""
    for lang, show_pii in variants:
        by_rows = outcome(paths, False, lang=lang, show_pii=show_pii, jobs=jobs, school=school,
                          rules=rules)
        by_columns = outcome(paths, True, lang=lang, show_pii=show_pii, jobs=jobs, school=school,
                             spy=spy, blocks=blocks, rules=rules)
        assert by_columns == by_rows, f"lang={lang} show_pii={show_pii}\n" + explain(by_columns, by_rows)


# -- 1. the repository's own inputs ------------------------------------------------------------

# (what to check, --school, whether a table there is one the columnar path takes)
REAL_INPUTS: list[tuple[Path, Path | None, bool]] = [
    (SAMPLES / "zhongshan", None, True),
    (SAMPLES / "single-file", None, False),
    (SAMPLES / "single-file", SCHOOL, False),
    (FIXTURES / "parallel" / "district", None, True),
    (PACKS / "enrollment", PACKS / "district" / "school.yaml", True),
    (PACKS / "workbooks", PACKS / "district" / "school.yaml", True),
    (ADVERSARIAL, SCHOOL, False),
    (FIXTURES / "reports" / "evil", None, False),
    (ROOT / "tests" / "verify", None, False),
]


def _input_id(value: object) -> str:
    return value.relative_to(ROOT).as_posix() if isinstance(value, Path) else str(value)


@pytest.mark.parametrize(("path", "school", "expect_columnar"), REAL_INPUTS, ids=_input_id)
@pytest.mark.parametrize("blocks", [Blocks(), Blocks(block_size=256, sample_bytes=100)],
                         ids=["whole", "chunked"])
def test_the_repository_inputs_give_the_same_report_both_ways(
        path: Path, school: Path | None, expect_columnar: bool, blocks: Blocks) -> None:
    spy = Spy()
    assert_same_both_ways([path], school=school, spy=spy, blocks=blocks,
                          variants=(("en", False), ("zh", True)), rules=PROBE_RULES)
    if expect_columnar:
        assert spy.files(), "the columnar path was never taken: the comparison proves nothing"


@pytest.mark.parametrize(("path", "school", "expect_columnar"), REAL_INPUTS, ids=_input_id)
def test_the_all_in_memory_check_gives_the_same_findings_both_ways(
        path: Path, school: Path | None, expect_columnar: bool) -> None:
    """``Engine.check_loaded`` (no spilling, no plans) reads school folders the columnar way too."""
    def findings(on: bool) -> tuple[Any, ...]:
        with columnar_path(on):
            report = engine(school=str(school) if school else None).check_loaded([str(path)])
        return ([f.to_dict() for f in report.findings], report.rows_read, report.rows_rejected,
                report.files, report.schools, [s.to_dict() for s in report.skipped])

    assert findings(True) == findings(False)


def test_every_csv_of_the_repository_is_among_the_inputs_compared() -> None:
    compared = [p for p, _, _ in REAL_INPUTS]
    found_all = [f for folder in (SAMPLES, ROOT / "tests") for suffix in ("csv", "tsv", "txt")
                 for f in folder.rglob(f"*.{suffix}") if "artifacts" not in f.parts
                 and f.parent != FIXTURES / "calendar"]  # holiday notices, not submissions
    assert len(found_all) >= 10
    for found in found_all:
        assert any(found.is_relative_to(p) for p in compared), f"{found} is not compared"


def test_the_generated_adversarial_csv_files_give_the_same_report_both_ways(tmp_path: Path) -> None:
    folder = tmp_path / "adversarial"
    folder.mkdir()
    for name, make in {"nul.csv": nul_bytes, "unicode_text.txt": utf16_excel,
                       "gbk_late.csv": gbk_after_a_megabyte}.items():
        make(folder / name)
    assert_same_both_ways([folder], school=SCHOOL)


# -- a district to check ---------------------------------------------------------------------


def write_district(root: Path, schools: int, catchments: list[list[str]] | None = None) -> list[str]:
    """A district folder: the fixture zones, ``schools`` school folders cs-0001…; their ids.

    School ``i`` has the catchment ``catchments[i]`` (none at all when empty), else one zone.
    """
    root.mkdir(parents=True)
    shutil.copy(PACKS / "district" / "zones.yaml", root / "zones.yaml")
    base = (PACKS / "district" / "school.yaml").read_text(encoding="utf-8")
    ids = []
    for i in range(schools):
        sid = f"CS-{i + 1:04d}"
        zones = catchments[i] if catchments is not None else [f"Z0{i % 3 + 1}"]
        line = f"  catchment: [{', '.join(zones)}]\n" if zones else ""
        folder = root / sid.lower()
        folder.mkdir()
        (folder / "school.yaml").write_text(
            base.replace("T-001", sid).replace("  catchment: [Z01]\n", line), encoding="utf-8")
        ids.append(sid)
    return ids


@dataclass
class CsvFile:
    """One table as it will be written, and how."""

    headers: list[str]
    rows: list[list[str]]
    encoding: str = "utf-8"  # or "utf-8-sig", "gb18030"
    delimiter: str = ","  # or ";" (.csv), "\t" (.tsv, .txt)
    suffix: str = ".csv"
    crlf: bool = False
    quote_all: bool = False
    blank_line_at: int | None = None  # a blank line before this row
    wide_row_at: int | None = None  # this row gets an extra filled cell
    short_row_at: int | None = None  # this row loses its last cell
    two_columns: bool = False  # two columns for one field
    #: columns no field reads after the others, under a header written twice (``,,``, as
    #: Excel ends rows right of which a cell was once touched), and the cells the rows
    #: hold there (taken in turn)
    spare: tuple[str, ...] = ()
    spare_cells: tuple[str, ...] = ("",)

    def written(self) -> tuple[list[str], list[list[str]]]:
        """The header row and the rows as written, spare columns included."""
        cells = self.spare_cells
        return [*self.headers, *self.spare], [
            [*row, *(cells[(i * len(self.spare) + j) % len(cells)] for j in range(len(self.spare)))]
            for i, row in enumerate(self.rows)]

    @property
    def plain(self) -> bool:
        """Whether every record stands on one line of the right width and none is a note
        or section row to shaping (the columnar path's part)."""
        if self.blank_line_at is not None or self.wide_row_at is not None:
            return False
        if self.short_row_at is not None or self.two_columns:
            return False
        headers, rows = self.written()
        if any(self.note_like(row, len(headers)) for row in rows):
            return False
        return not any("\n" in c or "\r" in c for row in rows for c in row)

    @staticmethod
    def note_like(row: list[str], width: int) -> bool:
        """Whether shaping may take ``row`` for a note or section row, not data: a row of
        one non-blank cell (``,,,1``: a section label between data rows, a note after
        them), or one whose first non-blank cell starts like ``注：``.  The columnar path
        leaves such files to the row path, which tells them apart."""
        inked = [cell for cell in row if cell.strip()]
        return bool(inked) and ((len(inked) == 1 and width >= 2) or is_note_text(inked[0]))

    def write(self, path: Path) -> None:
        out = io.StringIO()
        ending = "\r\n" if self.crlf else "\n"
        writer = csv.writer(out, lineterminator=ending, delimiter=self.delimiter,
                            quoting=csv.QUOTE_ALL if self.quote_all else csv.QUOTE_MINIMAL)
        headers, rows = self.written()
        writer.writerow(headers)
        for i, row in enumerate(rows):
            if i == self.blank_line_at:
                out.write(ending)
            if i == self.wide_row_at:
                row = [*row, "多余"]
            if i == self.short_row_at:
                row = row[:-1]
            writer.writerow(row)
        path.write_bytes(out.getvalue().encode(self.encoding))


# -- 2. random districts -----------------------------------------------------------------------


def rarely(draw: Any, one_in: int) -> bool:
    """True about once in ``one_in`` draws (``integers`` lean to the ends of their range)."""
    return bool(draw(st.sampled_from([*[False] * (one_in - 1), True])))


@st.composite
def table_rows(draw: Any, kind: Kind, fields: list[str]) -> list[list[str]]:
    rows = []
    for _ in range(draw(st.integers(0, 14))):
        shape = draw(st.sampled_from(["good", "good", "mixed", "mixed", "mixed", "spaces", "commas",
                                      "migrant", "outside"]))
        if shape == "spaces":
            rows.append([draw(st.sampled_from(["", " ", "  ", "\u3000", "\t"])) for _ in fields])
            continue
        if shape == "commas":
            rows.append([""] * len(fields))
            continue
        row = {}
        for name in fields:
            odd = shape == "mixed" and rarely(draw, 4)
            row[name] = draw(kind.odd[name] if odd else kind.good[name])
        if shape == "migrant" and kind is ENROLLMENT:  # a migrant child living nowhere known
            row.update(migrant_worker_child="是", residence_zone="", residence_address="")
        if shape == "outside" and kind is ENROLLMENT:
            row.update(residence_zone=draw(st.sampled_from(["Z02", "Z03", "Z99"])))
        rows.append([row[name] for name in fields])
    return rows


@st.composite
def table_files(draw: Any, kind: Kind, with_school: bool) -> CsvFile:
    optional = [f for f in kind.fields if f not in kind.required and f != "school_id"]
    fields = [*kind.required, *draw(st.lists(st.sampled_from(optional), unique=True))]
    if with_school or rarely(draw, 3):
        fields.append("school_id")
    fields = draw(st.permutations(fields))
    headers = [draw(st.sampled_from(kind.aliases[f])) for f in fields]
    rows = draw(table_rows(kind, fields))
    if rows and rarely(draw, 10):  # a quoted newline in some cell
        i = draw(st.integers(0, len(rows) - 1))
        j = draw(st.integers(0, len(fields) - 1))
        rows[i][j] = rows[i][j] + "\n第二行"
    two_columns = rarely(draw, 15)
    if two_columns:
        headers.append(draw(st.sampled_from(kind.aliases["grade"])))
        rows = [[*r, "1"] for r in rows]

    def sometimes(one_in: int) -> int | None:
        if not rows or not rarely(draw, one_in):
            return None
        return int(draw(st.integers(0, len(rows) - 1)))

    delimiter, suffix = draw(st.sampled_from([(",", ".csv")] * 4 + [(";", ".csv"), ("\t", ".tsv"),
                                                                    ("\t", ".txt")]))
    return CsvFile(
        headers=headers, rows=rows, delimiter=delimiter, suffix=suffix,
        encoding=draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030"])),
        crlf=draw(st.booleans()), quote_all=rarely(draw, 5),
        blank_line_at=sometimes(8), wide_row_at=sometimes(8), short_row_at=sometimes(10),
        two_columns=two_columns,
        spare=draw(st.sampled_from([("", ""), ("备注", "备注"), ("备注", "", "备注")]))
        if rarely(draw, 6) else (),
        spare_cells=tuple(draw(st.lists(st.sampled_from(["", "", "见附页", "1"]), min_size=1,
                                        max_size=5))),
    )


@st.composite
def districts(draw: Any) -> dict[str, Any]:
    """A district-wide enrollment list, perhaps a district-wide materials list, and perhaps
    one school's own lists in its folder (read as that school's, whatever they say)."""
    catchments = [draw(st.sampled_from([["Z01"], ["Z02"], ["Z01", "Z03"], []])) for _ in SCHOOL_IDS]
    own = draw(st.none() | st.sampled_from(SCHOOL_IDS))
    return {
        "catchments": catchments,
        "lists": {
            "enrollment": draw(table_files(ENROLLMENT, with_school=True)),
            **({"materials": draw(table_files(MATERIALS, with_school=True))}
               if rarely(draw, 3) else {}),
        },
        "own": own,
        "own_lists": {kind.own_stem: draw(table_files(kind, with_school=False))
                      for kind in (ENROLLMENT, MATERIALS) if own and (kind is ENROLLMENT or rarely(draw, 3))},
        "blocks": Blocks(draw(st.sampled_from([None, None, 512, 1024])),
                         draw(st.sampled_from([None, None, 1, 150, 400]))),
    }


def build(root: Path, district: dict[str, Any]) -> list[str]:
    """Writes ``district``; the files the columnar path is to read: every record on one
    line of the right width, and no line too long for the pyarrow block size in force."""
    write_district(root, len(SCHOOL_IDS), district["catchments"])
    block = district["blocks"].block_size
    plain = []
    tables = [(root / f"{stem}{t.suffix}", t) for stem, t in district["lists"].items()]
    tables += [(root / district["own"].lower() / f"{stem}{t.suffix}", t)
               for stem, t in district["own_lists"].items()]
    for path, table in tables:
        table.write(path)
        text = path.read_bytes().decode(table.encoding).encode("utf-8")
        if table.plain and not (block and 2 * max(map(len, text.splitlines())) > block):
            plain.append(path.as_posix())
    return plain


PROPERTIES = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTIES
@given(districts())
def test_random_districts_give_the_same_reports_both_ways(district: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "district"
        plain = build(root, district)
        spy = Spy()
        assert_same_both_ways([root], spy=spy, blocks=district["blocks"], rules=PROBE_RULES,
                              variants=(("en", False), ("zh", False), ("en", True)))
        event(f"tables read the columnar way: {len(spy.files())}")
        # a file every record of which is one line of the right width is the columnar
        # path's to read: then the comparison above compared the two paths
        assert set(plain) <= spy.files(), "the columnar path was not taken"


# -- 3. the Table API on both implementations ------------------------------------------------


def kind_tables(paths: list[Path], on: bool, kind: str, blocks: Blocks = Blocks()
                ) -> dict[str, list[Table]]:
    """Per school, the tables of ``kind`` its checks see (as ``ctx.tables`` gives them)."""
    eng = engine()
    out: dict[str, list[Table]] = {}
    with columnar_path(on, blocks=blocks):
        loaded = Loader(eng.registry.kinds, eng.registry.readers, defer=True).load(
            [str(p) for p in paths])
        for sid, plan in sorted(loaded.plans.items()):
            got = materialise(plan, eng.registry.kinds, eng.registry.readers)
            out[sid] = [d.table if d.table is not None else RecordTable(d.kind, d.records)
                        for d in got.submission.documents if d.kind == kind]
    return out


def record_view(records: list[Any]) -> list[tuple[Any, ...]]:
    return [(r.kind, r.values, list(r.values), r.loc, r.school_id) for r in records]


def answers(table: Table, fields: list[str], rng: random.Random) -> dict[str, Any]:
    """Everything a rule can ask a table, with the positions drawn from ``rng``."""
    n = len(table)
    some = sorted(rng.sample(range(n), rng.randint(0, n))) if n else []
    shuffled = rng.sample(range(n), n)
    names = [*fields, "no_such_field"]
    return {
        "len": n,
        "kind": table.kind,
        "columns": {name: table.column(name) for name in names},
        "where": {name: (table.where(name, lambda v: not v), table.where(name, lambda v: v is None),
                         table.where(name, bool), table.where(name, lambda v: isinstance(v, str)),
                         table.where(name, lambda v: hash(repr(v)) % 3 == 0))
                  for name in names},
        "lines": table.lines(),
        "sources": table.sources(),
        "to_arrow": (lambda t: (t.schema.names, t.to_pylist()))(table.to_arrow(names)),
        "locations": [(table.location(i), table.location(i, "name")) for i in range(n)],
        "records_all": record_view(table.records()),
        "records_none": record_view(table.records([])),
        "records_some": record_view(table.records(some)),
        "records_shuffled": record_view(table.records(shuffled)),
        "records_repeated": record_view(table.records([*some, *some])),
        "records_iterator": record_view(table.records(iter(some))),
    }


def assert_same_tables(paths: list[Path], kind: Kind, seed: int = 0, blocks: Blocks = Blocks()
                       ) -> tuple[set[str], set[str]]:
    """Both ways give the same tables per school.

    :returns: the files whose rows the row path kept, and the files of the ArrowTables
        compared (so a caller can tell that the columnar side was not all RecordTables).
    """
    by_rows = kind_tables(paths, False, kind.name)
    by_columns = kind_tables(paths, True, kind.name, blocks)
    assert sorted(by_columns) == sorted(by_rows)
    kept: set[str] = set()
    arrow: set[str] = set()
    for sid in by_rows:
        rows, cols = by_rows[sid], by_columns[sid]
        assert [len(t) for t in cols] == [len(t) for t in rows], sid
        for r, c in zip(rows, cols, strict=True):
            assert isinstance(r, RecordTable)
            kept.update(file for file, _ in r.sources())
            if isinstance(c, ArrowTable):
                arrow.add(c.normalized.file)
            expected = answers(r, kind.fields, random.Random(seed))
            assert answers(c, kind.fields, random.Random(seed)) == expected, sid
    return kept, arrow


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(districts(), st.integers(0, 1000))
def test_record_tables_and_arrow_tables_answer_alike(district: dict[str, Any], seed: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "district"
        plain = build(root, district)
        for kind in (ENROLLMENT, MATERIALS):
            kept, arrow = assert_same_tables([root], kind, seed, district["blocks"])
            # every file the columnar path reads whose rows the row path kept: compared
            assert kept & set(plain) <= arrow


def test_the_sample_tables_answer_alike() -> None:
    for path, kind, tables in [(SAMPLES / "zhongshan", ENROLLMENT, 2), (SAMPLES / "zhongshan", MATERIALS, 2),
                               (FIXTURES / "parallel" / "district", ENROLLMENT, 1)]:
        kept, arrow = assert_same_tables([path], kind)
        assert len(arrow) >= tables and arrow <= kept


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(districts())
def test_where_asks_only_about_values_the_table_holds(district: dict[str, Any]) -> None:
    """A rule's test sees the values of the table's rows, as the row path shows them.

    ``where("grade", lambda g: g >= 7)`` is how a rule asks for junior-school rows: the
    grade is required, so a rule may take it to be an int in every row it sees.
    """
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "district"
        build(root, district)
        for kind in (ENROLLMENT, MATERIALS):
            by_rows = kind_tables([root], False, kind.name)
            by_columns = kind_tables([root], True, kind.name, district["blocks"])
            for sid in by_rows:
                for r, c in zip(by_rows[sid], by_columns[sid], strict=True):
                    for name in kind.fields:
                        held = {repr(v) for v in r.column(name)}
                        asked: list[str] = []
                        c.where(name, lambda v, asked=asked: asked.append(repr(v)) is None)
                        assert set(asked) <= held, (sid, name, set(asked) - held)
                        assert len(asked) == len(set(asked)), (sid, name, asked)  # once each
                    assert c.where("grade", lambda g: g >= 7) == r.where("grade", lambda g: g >= 7)


def test_positions_count_from_the_end_as_in_any_python_sequence(tmp_path: Path) -> None:
    """``RecordTable`` (the reference) indexes a list: position -1 is the last row."""
    root = tmp_path / "district"
    write_district(root, 1)
    (root / "cs-0001" / "enrollment.csv").write_text(
        "student_id,grade,admission_basis\nS1,1,nearby\nS2,7,exam\n", encoding="utf-8")
    [by_rows] = kind_tables([root], False, "enrollment")["CS-0001"]
    [by_columns] = kind_tables([root], True, "enrollment")["CS-0001"]
    assert isinstance(by_columns, ArrowTable)
    assert record_view(by_columns.records([-1])) == record_view(by_rows.records([-1]))
    assert by_columns.location(-1, "grade") == by_rows.location(-1, "grade")


# -- 4. one school's own list ----------------------------------------------------------------


def big_enrollment(rows: int, seed: int = 7) -> str:
    """A school's own list (no school_id column) of ``rows`` rows, a few of them wrong."""
    rng = random.Random(seed)
    fields = [f for f in ENROLLMENT.fields if f != "school_id"]
    lines = [",".join(fields)]
    for n in range(rows):
        zone = rng.choice(["Z01"] * 20 + ["Z02", ""])
        address = rng.choice(ADDRESSES) if not zone else ""
        basis = rng.choice(["nearby"] * 50 + ["exam", "择校", "lottery"])
        grade = rng.choice(["1"] * 300 + ["十一", ""])
        sid = f"G{rng.randrange(10**17, 10**18)}" if n % 997 else "G0000000000000001"
        name = rng.choice(NAMES[:6]) if n % 211 else " 　全角Ａ "
        migrant = rng.choice(["", "", "是"])
        lines.append(",".join([sid, name, grade, zone, address, "", migrant, "", "", basis]))
    return "\n".join(lines) + "\n"


def test_a_school_folder_with_its_own_big_list_gives_the_same_report(tmp_path: Path) -> None:
    """At the real threshold: the big list goes the columnar way (in two pyarrow blocks),
    the small one row by row."""
    root = tmp_path / "district"
    write_district(root, 2)
    rows = 30_000
    text = big_enrollment(rows)
    while len(text.encode()) <= columnar.MIN_BYTES + (1 << 18):  # over the threshold, two blocks
        rows *= 2
        text = big_enrollment(rows)
    (root / "cs-0001" / "enrollment.csv").write_text(text, encoding="utf-8")
    (root / "cs-0002" / "enrollment.csv").write_text(big_enrollment(40, seed=8), encoding="utf-8")
    by_rows = outcome([root], False)
    spy = Spy()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(loader_module, "normalize", spy.wrap(loader_module.normalize))
        report = engine().check([str(root)])
    out = io.StringIO()
    JsonReporter().render(report, out, RenderOptions(lang="en"))
    assert out.getvalue() == by_rows["json"]
    assert (report.rows_read, report.rows_rejected) == (by_rows["rows_read"], by_rows["rows_rejected"])
    assert spy.files() == {(root / "cs-0001" / "enrollment.csv").as_posix()}
    assert by_rows["rows_rejected"] > 0 and "ENR002" in by_rows["json"] and "ENR004" in by_rows["json"]


HEAD = "学籍号,姓名,年级,居住学区,录取方式"


@pytest.mark.parametrize("content", [
    pytest.param(f"{HEAD}\n", id="header-only"),
    pytest.param(HEAD, id="header-only-no-newline"),
    pytest.param(f"\ufeff{HEAD}\r\n", id="header-only-bom-crlf"),
    pytest.param(f"{HEAD}\n,,,,\n  ,,, ,\n", id="only-blank-rows"),
    pytest.param(f"{HEAD}\nS1,张三,十一,Z01,就近\nS2,,1,Z01,\n", id="only-rejected-rows"),
    pytest.param("学籍号,姓名,年级,居住学区\nS1,张三,1,Z01\n", id="missing-column"),
    pytest.param("学籍号,姓名,年级,年级,居住学区,录取方式\nS1,张三,1,1,Z01,就近\n", id="two-columns"),
    pytest.param(f"{HEAD}\nS1,张三,1,Z09,考试\nS1,张三,1,Z01,择校\n", id="findings"),
    pytest.param(f"{HEAD}\r\nS1,张三,1,Z09,考试\rS2,李四,1,Z01,就近\r\n", id="lone-cr"),
    pytest.param(f"{HEAD}\nS1,张三,1,Z09,考试,\nS2,李四,1,Z01,就近\n", id="trailing-empty-cell"),
    pytest.param(f'{HEAD}\nS1,"张\n三",1,Z09,考试\nS2,李四,1,Z01,就近\n', id="quoted-newline"),
    pytest.param(f"{HEAD}\nS1,张三,1,Z09,考试\n\nS2,李四,1,Z01,就近\n", id="blank-line"),
    pytest.param(f"{HEAD}\nS1,张三,1,Z09,考试\nS2,李四,1,Z01,就近\n\n", id="blank-last-line"),
    pytest.param(f'{HEAD}\n"S1",张三,"1",Z09,"考试"\nS2,李四,1,Z01,就近', id="quotes-no-last-newline"),
    pytest.param(f"{HEAD},学校代码\nS1,张三,1,Z09,考试,CS-0002\nS2,李四,1,Z01,就近,\n", id="other-school"),
    # a header cell holding a line break (Excel's Alt+Enter): the header is two lines
    pytest.param('学籍号,年级,"录取方式\nx",y,z\nS1,1,就近\n', id="header-cell-line-break"),
])
def test_a_school_folder_list_gives_the_same_report(tmp_path: Path, content: str) -> None:
    root = tmp_path / "district"
    write_district(root, 2)
    (root / "cs-0001" / "enrollment.csv").write_text(content, encoding="utf-8", newline="")
    assert_same_both_ways([root], variants=(("en", False), ("zh", True)))
    assert_same_both_ways([root / "cs-0001"])


def file_notes(report_json: str, name: str) -> list[tuple[int, str, str]]:
    """The notes a JSON report lists for the file called ``name``: (line, why, text)."""
    files = [f for f in json.loads(report_json)["files"] if f["path"].endswith("/" + name)]
    assert len(files) == 1, files
    return [(n["line"], n["why"], n["text"]) for n in files[0]["notes"]]


ORDER = ["一年级", "数学", "口算天天练", "练习册"]


def test_identical_rows_and_a_row_of_one_cell_answer_alike(tmp_path: Path) -> None:
    """The example the property test once failed on: one school, empty enrollment lists,
    an order of identical rows and a row blank but for one cell, saved as Excel saves a
    CSV (GBK, CRLF).

    The row of one cell is a note to shaping (a section label had data followed): the
    columnar path leaves such a file to the row path, so the two answer alike; the
    property test's own forecast of which files the columnar path reads must not count
    it in (it did, and failed on this example).
    """
    rows = [ORDER, ORDER, ORDER, ["", "\u3000", "", "练习册"]]
    headers = ["年级", "学科", "书名", "类别"]
    assert not CsvFile(headers, rows).plain
    assert CsvFile(headers, rows[:-1]).plain
    outcomes = {}
    for name, written in {"with": rows, "without": rows[:-1]}.items():
        root = tmp_path / name / "district"
        write_district(root, 1)
        (root / "enrollment.csv").write_text("学籍号,年级,录取方式,学校代码\r\n", encoding="utf-8")
        (root / "cs-0001" / "招生名单.csv").write_text("学籍号,年级,录取方式\r\n", encoding="utf-8")
        write_gbk_csv(root / "cs-0001" / "教辅征订.csv", [headers, *written])
        kept, arrow = assert_same_tables([root], MATERIALS)
        spy = Spy()
        assert_same_both_ways([root], spy=spy, variants=(("en", False), ("zh", True)))
        taken = {f for f in spy.files() if f.endswith("教辅征订.csv")}
        outcomes[name] = (kept, arrow, taken, outcome([root], False)["json"])
    kept, arrow, taken, report = outcomes["with"]
    assert [Path(f).name for f in kept] == ["教辅征订.csv"] and not arrow and not taken
    assert file_notes(report, "教辅征订.csv") == [(5, "note", "练习册")]
    # without the row of one cell, the same file is the columnar path's: compared there
    kept, arrow, taken, report = outcomes["without"]
    assert kept == arrow == taken and [Path(f).name for f in arrow] == ["教辅征订.csv"]
    assert file_notes(report, "教辅征订.csv") == []


@pytest.mark.parametrize("headers", [
    pytest.param(["年级", "学科", "书名", "类别", "", ""], id="two-empty-headers"),
    pytest.param(["年级", "学科", "书名", "类别", "备注", "备注"], id="a-header-twice"),
])
def test_every_cell_of_a_row_counts_under_a_header_written_twice(tmp_path: Path,
                                                                 headers: list[str]) -> None:
    """Excel writes ``年级,学科,书名,类别,,`` when cells right of the table were once
    touched.  A row is a section or note row by the cells it holds, whichever header
    stands over them: ``,,,,x,1`` holds two (a record with cells missing, reported, as
    both paths and a table under a title read it); ``,,,,x,`` one (a note).  The row
    path once kept only the last cell under a repeated header: it took ``,,,,x,1`` for
    a note "1" and ``x`` was lost, where the columnar path reported the row."""
    root = tmp_path / "district"
    write_district(root, 1)
    order = [*ORDER, "", ""]
    rows = [headers, order, order, ["", "", "", "", "见附页", "1"], order,
            ["", "", "", "", "制表：王老师", ""]]
    write_gbk_csv(root / "cs-0001" / "教辅征订.csv", rows)
    spy = Spy()
    assert_same_both_ways([root], spy=spy, variants=(("en", False), ("zh", True)))
    assert not spy.files()  # the last row is a note: the row path reads the file
    report = json.loads(outcome([root], False)["json"])
    rejected = sorted({(f["location"]["line"], f["code"]) for f in report["findings"]
                       if f["code"].startswith("INP")})
    assert rejected == [(4, "INP001")]
    assert file_notes(outcome([root], False)["json"], "教辅征订.csv") == [(6, "note", "制表：王老师")]
    # the row of two cells between data rows, as the columnar path reads the file
    write_gbk_csv(root / "cs-0001" / "教辅征订.csv", rows[:-1])
    spy = Spy()
    assert_same_both_ways([root], spy=spy)
    assert [Path(f).name for f in spy.files()] == ["教辅征订.csv"]


def test_a_loose_list_with_school_given_gives_the_same_report(tmp_path: Path) -> None:
    path = tmp_path / "招生名单.csv"
    path.write_text(big_enrollment(300), encoding="utf-8")
    spy = Spy()
    assert_same_both_ways([path], school=PACKS / "district" / "school.yaml", spy=spy)
    assert spy.files()


# -- 5. worker processes and pickling ---------------------------------------------------------


def many_schools(root: Path, schools: int = 9, rows: int = 400, seed: int = 3) -> None:
    """A district-wide list over ``schools`` schools (and one unknown) plus own lists."""
    write_district(root, schools)
    rng = random.Random(seed)
    fields = [f for f in ENROLLMENT.fields if f != "special_category"]
    lines = [",".join(fields)]
    for n in range(rows):
        sid = f"CS-{rng.randrange(1, schools + 2):04d}"
        row = {"student_id": f"G{n % 350:05d}", "name": rng.choice([*NAMES, "", "甲\x1f乙"]),
               "school_id": sid if n % 5 else sid.lower(),
               "grade": rng.choice(["1", "7", "一年级", "十一", *["1"] * 20]),
               "residence_zone": rng.choice(["Z01", "Z02", "Z03", ""]),
               "residence_address": rng.choice(["", *ADDRESSES]),
               "hukou_zone": "", "migrant_worker_child": rng.choice(["", "是"]),
               "residence_permit": "", "admission_basis": rng.choice(["nearby"] * 12 + ["exam", "择校", ""])}
        lines.append(",".join(row[f] for f in fields))
    (root / "enrollment.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for i in range(0, schools, 2):
        (root / f"cs-{i + 1:04d}" / "enrollment.csv").write_text(
            big_enrollment(120, seed=i), encoding="utf-8")


def test_forked_workers_give_the_same_report_both_ways(tmp_path: Path) -> None:
    root = tmp_path / "district"
    many_schools(root)
    assert parallel.MIN_SCHOOLS_FOR_POOL <= 10  # so that the schools go to worker processes
    spy = Spy(log=tmp_path / "columnar.log")
    reference = outcome([root], False, jobs=1)
    by_rows = outcome([root], False, jobs=2)
    assert by_rows == reference, explain(by_rows, reference)
    by_columns = outcome([root], True, jobs=2, spy=spy)
    assert by_columns == reference, explain(by_columns, reference)
    parent = spy.files() - spy.elsewhere()
    assert (root / "enrollment.csv").as_posix() in parent  # the district list, split in the parent
    assert (root / "cs-0001" / "enrollment.csv").as_posix() in spy.elsewhere()  # read in a worker
    assert "ENR004" in reference["json"] and "INP005" in reference["json"]


def test_spawned_workers_give_the_same_report_both_ways(tmp_path: Path) -> None:
    """Spawned workers (macOS, Windows) are sent the plans, ArrowTables included, by pickle."""
    root = tmp_path / "district"
    many_schools(root)
    reference = outcome([root], False, jobs=1)
    asked: list[str] = []
    real = multiprocessing.get_context

    def get_context(method: str | None = None) -> Any:
        asked.append(str(method))
        return real(method)

    spy = Spy()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(parallel.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
        mp.setattr(parallel.multiprocessing, "get_context", get_context)
        by_columns = outcome([root], True, jobs=2, spy=spy)
    assert by_columns == reference, explain(by_columns, reference)
    assert asked == ["spawn"]
    # the district list was split the columnar way here: its ArrowTables went by pickle
    assert spy.files() == {(root / "enrollment.csv").as_posix()}


def district_tables(root: Path) -> list[ArrowTable]:
    tables = [t for ts in kind_tables([root], True, "enrollment").values() for t in ts]
    arrow = [t for t in tables if isinstance(t, ArrowTable)]
    assert arrow and any(t.lines() and t.lines()[0] > 2 for t in arrow)  # not all from row 0
    return arrow


def test_a_pickled_arrow_table_answers_as_the_original(tmp_path: Path) -> None:
    root = tmp_path / "district"
    many_schools(root)
    for table in district_tables(root):
        moved = pickle.loads(pickle.dumps(table))
        assert answers(moved, ENROLLMENT.fields, random.Random(1)) == answers(
            table, ENROLLMENT.fields, random.Random(1))
        assert moved.where("grade", lambda g: g == 7) == table.where("grade", lambda g: g == 7)


def test_an_arrow_table_pickled_twice_answers_as_the_original(tmp_path: Path) -> None:
    """A table that travelled to one process and on to another still knows its lines."""
    root = tmp_path / "district"
    many_schools(root)
    for table in district_tables(root):
        twice = pickle.loads(pickle.dumps(pickle.loads(pickle.dumps(table))))
        assert answers(twice, ENROLLMENT.fields, random.Random(2)) == answers(
            table, ENROLLMENT.fields, random.Random(2))


# -- divergences these tests found, each in its smallest form (now regressions) ------------------


def test_one_school_spelt_two_ways_in_a_district_list_keeps_all_its_rows(tmp_path: Path) -> None:
    root = tmp_path / "district"
    write_district(root, 1)
    (root / "enrollment.csv").write_text(
        "student_id,school_id,grade,residence_zone,admission_basis\n"
        "S1,CS-0001,1,Z01,exam\n"
        "S2,cs-0001,1,Z01,nearby\n", encoding="utf-8")
    assert_same_both_ways([root])


def test_a_school_id_over_the_cell_limit_gives_the_same_report(tmp_path: Path) -> None:
    root = tmp_path / "district"
    write_district(root, 1)
    (root / "enrollment.csv").write_text(
        "student_id,school_id,grade,residence_zone,admission_basis\n"
        f"S1,{'X' * 10_001},1,Z01,nearby\n"
        "S2,CS-0001,1,Z01,nearby\n", encoding="utf-8")
    assert_same_both_ways([root])


def test_a_truncated_utf16_list_gives_the_same_report(tmp_path: Path) -> None:
    root = tmp_path / "district"
    write_district(root, 1)
    text = "学籍号\t姓名\t年级\t居住学区\t录取方式\r\nS1\t张三\t1\tZ01\t就近\r\n"
    (root / "cs-0001" / "enrollment.txt").write_bytes(b"\xff\xfe" + text.encode("utf-16-le") + b"\x00")
    assert_same_both_ways([root])


def test_line_shape_holds_when_a_crlf_is_split_between_reads() -> None:
    # read_csv counts lines in 4 MiB reads; a CR LF cut in two must not look like a lone CR
    whole = b"a,b\r\n1,2\r\n3,4\r\n"
    for cut in range(1, len(whole)):
        split = columnar._shape([whole[:cut], whole[cut:]])
        assert split is not None and split[:2] == (3, False)  # lines, quotes (head: the first read)
    assert columnar._shape([whole]) == (3, False, whole)
    assert columnar._shape([b"a,b\r", b"1,2\n"]) is None  # a lone CR really is one


@pytest.mark.parametrize("cells", [
    pytest.param(("N" * 400, ""), id="one-cell-too-long"),
    pytest.param(("N" * 150, "测试区" + "A" * 150), id="two-cells-together-too-long"),
    pytest.param(("N" * 150, ""), id="long-but-under"),
])
def test_a_line_the_row_path_refuses_is_refused_the_columnar_way_too(
        tmp_path: Path, cells: tuple[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    """The big-file way hands a file with a line the row path refuses as too long
    (``csv_reader.MAX_LINE``) to the row path: so it is refused alike, whether one cell
    or several together make it too long.  (Both limits made small here: a megabyte
    line would make a slow test.)  A file whose longest cells lie in different rows
    still goes the columnar way."""
    from compliance.inputs import csv_reader

    monkeypatch.setattr(csv_reader, "MAX_LINE", 300)
    monkeypatch.setattr(columnar, "LONGEST_LINE", 300)
    root = tmp_path / "district"
    write_district(root, 2)
    text = big_enrollment(300)
    name, address = cells
    lines = text.splitlines()
    # the long name alone in one row, and (another row) both long cells together
    lines[5] = ",".join(["G0000000000000005", name, "1", "", address or "测试区解放路12号",
                         "", "", "", "", "nearby"])
    lines[9] = ",".join(["G0000000000000009", "N" * 150, "1", "Z01", "", "", "", "", "", "nearby"])
    (root / "cs-0001" / "enrollment.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_same_both_ways([root], blocks=Blocks(block_size=1 << 12))
    by_rows = outcome([root], False)
    refused = len(lines[5]) + 1 >= 300
    assert ("longer than 300 characters" in by_rows["json"]) == refused
    assert '"line": 6' in by_rows["json"]  # the row itself, refused or checked
