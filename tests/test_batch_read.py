"""Reading a batch of schools' small CSV files together (``inputs/batch_read.py``) gives
exactly what reading each file alone gives.

Each comparison runs the same district twice with every CSV offered to the columnar
path (``columnar.MIN_BYTES`` at 0): once with batches read together
(``COMPLIANCE_BATCH_READ`` unset) and once with each file normalised alone
(``COMPLIANCE_BATCH_READ=0``), and compares the reports byte for byte.  A spy on
``columnar.normalize_many`` makes sure files were really normalised together.
"""

from __future__ import annotations

import csv
import dataclasses
import pickle
import random
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from compliance.inputs import batch_read, columnar
from compliance.inputs.columnar import ArrowTable, Coded
from compliance.inputs.loader import Loader, materialise

from .test_columnar import (
    ENROLLMENT,
    MATERIALS,
    ODD_SCHOOL_CELLS,
    PROBE_RULES,
    ROW_PATH,
    SCHOOL_CELLS,
    CsvFile,
    Kind,
    answers,
    engine,
    explain,
    outcome,
    rarely,
    table_files,
    table_rows,
    write_district,
)

HOMEWORK = Kind(
    name="homework",
    fields=["date", "class", "subject", "minutes", "written", "published"],
    required=("date", "class", "subject", "minutes"),
    aliases={
        "date": ["date", "日期"],
        "class": ["class", "班级"],
        "subject": ["subject", "学科", "科目"],
        "minutes": ["minutes", "预计时长", "时长"],
        "written": ["written", "书面作业"],
        "published": ["published", "是否公示"],
        "school_id": ["school_id", "学校代码"],
        "grade": ["学科", "科目"],  # two columns for one field: a second subject column
    },
    good={
        "date": st.sampled_from(["2025-11-03", "2025-11-04", "2025/11/05", "2025-11-08"]),
        "class": st.sampled_from(["1-1", "3-2", "7-1", "初一(2)班"]),
        "subject": st.sampled_from(["语文", "数学", "英语", "无", "none"]),
        "minutes": st.sampled_from(["20", "30", "45", "90"]),
        "written": st.sampled_from(["", "是", "否"]),
        "published": st.sampled_from(["", "是", "否"]),
        "school_id": SCHOOL_CELLS,
    },
    odd={
        "date": st.sampled_from(["", "明天", "2025-13-01", " 2025-11-03 "]),
        "class": st.sampled_from(["", "x", " 7-1 "]),
        "subject": st.sampled_from(["", " 数学 ", "无作业", "No Homework"]),
        "minutes": st.sampled_from(["", "-5", "三十", "30分钟", "1e3"]),
        "written": st.sampled_from(["maybe", "Y"]),
        "published": st.sampled_from(["perhaps", " "]),
        "school_id": ODD_SCHOOL_CELLS,
    },
    own_stem="作业公示",
)

KINDS = (ENROLLMENT, MATERIALS, HOMEWORK)
SCHOOLS = 5
#: note and section rows as offices write them above, between or below the data
NOTE_ROWS = ["注：以上数据截至9月1日", "说明：本表由教务处填写", "七年级", "备注"]


@dataclasses.dataclass
class Spy:
    """Files ``normalize_many`` gave a split, and files it normalised with others."""

    together: list[str] = dataclasses.field(default_factory=list)

    def wrap(self, real: Callable[..., Any]) -> Callable[..., Any]:
        def normalize_many(kind: Any, headers: Any, pieces: Any) -> Any:
            got = real(kind, headers, pieces)
            self.together += [pieces[i].file for i, split in got.items() if split is not None]
            return got

        return normalize_many


@contextmanager
def batching(on: bool, spy: Spy | None = None, batch: int = 3) -> Iterator[None]:
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("COMPLIANCE_BATCH_READ", "1" if on else "0")
        mp.setattr(batch_read, "READ_BATCH", batch)
        if spy is not None:
            mp.setattr(columnar, "normalize_many", spy.wrap(columnar.normalize_many))
        yield


def fields_of(kind: Kind, headers: list[str]) -> list[str]:
    by_alias: dict[str, str] = {}
    for name, aliases in kind.aliases.items():
        for alias in aliases:
            by_alias.setdefault(alias, name)
    return [by_alias[h] for h in headers]


@st.composite
def school_files(draw: Any, kind: Kind, layouts: list[CsvFile]) -> CsvFile:
    """One school's list of ``kind``: a layout shared with other schools (header row,
    delimiter), its own rows, encoding, line ends, and now and then a note row."""
    layout = draw(st.sampled_from(layouts))
    rows = draw(table_rows(kind, fields_of(kind, layout.headers)))
    if layout.two_columns:
        rows = [[*r[:-1], "1"] for r in rows]
    if rarely(draw, 4):
        note = [""] * len(layout.headers)
        note[0] = draw(st.sampled_from(NOTE_ROWS))
        rows.insert(draw(st.integers(0, len(rows))), note)
    return dataclasses.replace(
        layout, rows=rows,
        encoding=draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "gb18030"])),
        crlf=draw(st.booleans()))


@st.composite
def batches(draw: Any) -> dict[str, Any]:
    """Per school, its own lists of each kind (or none), in one or two layouts per kind."""
    schools: list[dict[str, CsvFile]] = [{} for _ in range(SCHOOLS)]
    for kind in KINDS:
        layouts = draw(st.lists(table_files(kind, with_school=False), min_size=1, max_size=2))
        for own in schools:
            if draw(st.integers(0, 3)):
                own[kind.own_stem] = draw(school_files(kind, layouts))
    return {"schools": schools, "batch": draw(st.sampled_from([2, 3, 5]))}


def build(root: Path, district: dict[str, Any]) -> dict[str, list[str]]:
    """Writes ``district``; per school id its files' paths as the report shows them."""
    ids = write_district(root, SCHOOLS)
    files: dict[str, list[str]] = {}
    for sid, own in zip(ids, district["schools"], strict=True):
        for stem, table in own.items():
            path = root / sid.lower() / f"{stem}{table.suffix}"
            table.write(path)
            files.setdefault(sid, []).append(path.as_posix())
    return files


def assert_same_with_and_without(paths: list[Path], batch: int, jobs: int = 1,
                                 variants: tuple[tuple[str, bool], ...] = (("en", False),),
                                 ) -> Spy:
    spy = Spy()
    for lang, show_pii in variants:
        with batching(False, batch=batch):
            alone = outcome(paths, True, lang=lang, show_pii=show_pii, jobs=jobs, rules=PROBE_RULES)
        with batching(True, spy, batch=batch):
            together = outcome(paths, True, lang=lang, show_pii=show_pii, jobs=jobs,
                               rules=PROBE_RULES)
        assert together == alone, f"lang={lang} show_pii={show_pii}\n" + explain(together, alone)
    return spy


def lines_of(path: str) -> int:
    raw = Path(path).read_bytes()
    return raw.count(b"\n") + (0 if raw.endswith(b"\n") else 1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batches())
def test_batches_give_the_same_reports_as_files_read_alone(district: dict[str, Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "district"
        files = build(root, district)
        spy = assert_same_with_and_without([root], district["batch"],
                                           variants=(("en", False), ("zh", True)))
        event(f"files normalised together: {len(spy.together)}")
        # each input finding names a file of its own school, on a line that file has
        with batching(True, batch=district["batch"]), \
                pytest.MonkeyPatch.context() as mp:
            mp.setattr(columnar, "MIN_BYTES", 0)
            report = engine("en", False, 1, None, PROBE_RULES).check([str(root)])
        for finding in report.findings:
            if not finding.code.startswith("INP") or finding.location.line is None:
                continue
            file = finding.location.file
            if not file.endswith((".csv", ".tsv", ".txt")):
                continue
            assert file in files.get(finding.school_id or "", []), finding.to_dict()
            assert 1 <= finding.location.line <= lines_of(file), finding.to_dict()


def _gathered_district(root: Path, schools: int = 4) -> list[str]:
    """Schools whose enrollment lists share a header row, with bad cells on known lines."""
    ids = write_district(root, schools)
    headers = ["学籍号", "姓名", "年级", "居住学区", "录取方式"]
    for n, sid in enumerate(ids):
        rows = [[f"G{n}{i:05d}", "张子涵", "7", "Z01", "就近"] for i in range(40)]
        rows[n + 3][2] = "十一"  # an unreadable grade on line n + 5
        rows[30][4] = "考试"
        encoding = "gb18030" if n % 2 else "utf-8"
        with (root / sid.lower() / "招生名单.csv").open("w", encoding=encoding, newline="") as fh:
            csv.writer(fh, lineterminator="\r\n" if n % 2 else "\n").writerows([headers, *rows])
    return ids


def test_an_unreadable_cell_is_reported_on_its_own_files_line(tmp_path: Path) -> None:
    ids = _gathered_district(tmp_path / "d")
    spy = Spy()
    with batching(True, spy, batch=4), pytest.MonkeyPatch.context() as mp:
        mp.setattr(columnar, "MIN_BYTES", 0)
        report = engine("en", False, 1, None, ()).check([str(tmp_path / "d")])
    assert len(spy.together) == 4
    bad = sorted((f.school_id, Path(f.location.file).parent.name, f.location.line)
                 for f in report.findings if f.code == "INP004" or f.code == "INP001")
    assert bad == [(sid, sid.lower(), n + 5) for n, sid in enumerate(ids)]


def test_jobs_2_with_batches_gives_the_report_of_jobs_1_alone(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    from compliance.host import parallel

    monkeypatch.setattr(parallel, "MIN_SCHOOLS_FOR_POOL", 2)
    _gathered_district(tmp_path / "d", schools=6)
    with batching(False, batch=4):
        alone = outcome([tmp_path / "d"], True, jobs=1)
    with batching(True, batch=4):
        together = outcome([tmp_path / "d"], True, jobs=2)
    assert together == alone, explain(together, alone)


def test_a_batch_never_reads_a_file_the_row_path_must_read(tmp_path: Path) -> None:
    """Below 16 KiB (as before) a file is read row by row, batch or not."""
    _gathered_district(tmp_path / "d")
    spy = Spy()
    with batching(True, spy, batch=4), pytest.MonkeyPatch.context() as mp:
        mp.setattr(columnar, "MIN_BYTES", ROW_PATH)
        engine("en", False, 1, None, ()).check([str(tmp_path / "d")])
    assert spy.together == []


def test_tables_of_a_batch_answer_as_tables_of_files_read_alone(tmp_path: Path) -> None:
    """Every question a rule can ask (lines, records, to_arrow…), also after pickling
    (a spawned worker), has the answer the file read alone gives."""
    _gathered_district(tmp_path / "d")
    eng = engine()
    kinds, readers = eng.registry.kinds, eng.registry.readers

    def tables(on: bool) -> dict[str, list[ArrowTable]]:
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(columnar, "MIN_BYTES", 0)
            plans = Loader(kinds, readers, defer=True).load([str(tmp_path / "d")]).plans
            ready = batch_read.prefetch(list(plans.values()), kinds, readers) if on else None
            out = {}
            for sid, plan in sorted(plans.items()):
                got = materialise(plan, kinds, readers,
                                  prefetched=ready.splits if ready else None,
                                  ahead=ready.ahead.get(sid) if ready else None)
                out[sid] = [d.table for d in got.submission.documents if d.table is not None]
            if ready is not None:
                assert not ready.splits, "every prepared split was taken"
            return out

    alone, together = tables(False), tables(True)
    assert sorted(alone) == sorted(together) and all(alone.values())
    for sid in alone:
        for a, b in zip(alone[sid], together[sid], strict=True):
            shared = b.normalized.columns[0][1]
            assert len(shared.codes if isinstance(shared, Coded) else shared.array) > len(a)
            expected = answers(a, ENROLLMENT.fields, random.Random(1))
            assert answers(b, ENROLLMENT.fields, random.Random(1)) == expected
            moved = pickle.loads(pickle.dumps(b))
            assert answers(moved, ENROLLMENT.fields, random.Random(1)) == expected


def test_files_the_row_path_must_read_leave_the_others_batched(tmp_path: Path) -> None:
    """A quoted line break, a row one cell too wide, a note row: those files are read
    row by row, as alone; the batch's other files are still normalised together."""
    root = tmp_path / "d"
    ids = _gathered_district(root, schools=5)

    def edit(sid: str, change: Callable[[list[str]], None]) -> None:
        path = root / sid.lower() / "招生名单.csv"
        encoding = "gb18030" if ids.index(sid) % 2 else "utf-8"
        lines = path.read_text(encoding=encoding).splitlines()
        change(lines)
        path.write_text("\n".join(lines) + "\n", encoding=encoding)

    edit(ids[0], lambda lines: lines.__setitem__(9, lines[9].replace("张子涵", '"张\n子涵"')))
    edit(ids[1], lambda lines: lines.__setitem__(12, lines[12] + ",多余"))
    edit(ids[2], lambda lines: lines.insert(20, "注：以上为七年级新生,,,,"))
    spy = assert_same_with_and_without([root], batch=5, variants=(("en", False), ("zh", False)))
    assert sorted(Path(f).parent.name for f in spy.together) == sorted([ids[3].lower(), ids[4].lower()] * 2)
