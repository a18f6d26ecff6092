"""The guarantee under attack: rows in = rows evaluated + rows reported as unchecked.

Valid files are generated, then damaged the way hostile or broken exports are: a
stray ``"`` opening a cell, a line far over the line cap, bytes that are not text in
the file's encoding, blank lines.  Whatever is injected, every data row is either a
record or a rejected row with a finding on its line — or the whole file is one INP003
(a file that cannot be parsed at all, such as JSON with a stray quote) and no row of
it counts as checked.  The line cap is lowered for the test so giant lines stay cheap.
"""

from __future__ import annotations

import csv
import functools
import io
import json
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compliance.host.engine import Engine, RunOptions
from compliance.inputs import csv_reader
from tests.adversarial_corpus import SCHOOL

HEADERS = ["days", "start", "end", "activity", "compulsory", "title"]
GOOD = {
    "days": st.sampled_from(["Mon-Fri", "周一至周五", "Sat", "1-5"]),
    "start": st.sampled_from(["08:00", "8:00", "7:30", "13点半", "25:00"]),
    "end": st.sampled_from(["11:40", "17:00", "18:30"]),
    "activity": st.sampled_from(["lesson", "上课", "remedial", "exam"]),
    "compulsory": st.sampled_from(["", "Y", "否"]),
    "title": st.text(st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"),
                                   blacklist_characters='"'), max_size=6),
}
SMALL_LINE = 300
DAMAGE = st.sampled_from(["stray_quote", "giant", "bad_bytes", "gbk", "blank", "none"])
PROPERTY = settings(max_examples=60, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@functools.cache
def engine() -> Engine:
    return Engine(RunOptions(school=str(SCHOOL), entry_points=False, lang="en", jobs=1))


@st.composite
def damaged_rows(draw: Any) -> tuple[list[list[str]], list[tuple[int, str, int]]]:
    rows = [[draw(GOOD[h]) for h in HEADERS] for _ in range(draw(st.integers(1, 14)))]
    damage = [(draw(st.integers(0, len(rows) - 1)), draw(DAMAGE), draw(st.integers(0, 5)))
              for _ in range(draw(st.integers(0, 4)))]
    return rows, damage


def build(rows: list[list[str]], damage: list[tuple[int, str, int]]) -> tuple[bytes, int, bool]:
    """The file's bytes, its data rows, and whether bytes that are not UTF-8 were put in."""
    lines: list[bytes] = []
    for row in rows:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerow(row)
        lines.append(out.getvalue().encode("utf-8"))
    blanks: list[int] = []
    not_utf8 = False
    for index, how, cell in damage:
        line = lines[index]
        if how == "stray_quote":
            parts = line.split(b",")
            parts[cell % len(parts)] = b'"' + parts[cell % len(parts)]
            line = b",".join(parts)
        elif how == "giant":
            line = line.rstrip(b"\n") + b"x" * (SMALL_LINE * 3) + b"\n"
        elif how == "bad_bytes":
            line = line.rstrip(b"\n") + b"\xff\xfe\n"
            not_utf8 = True
        elif how == "gbk":
            line = line.rstrip(b"\n") + "下午第五节".encode("gbk") + b"\n"
            not_utf8 = True
        elif how == "blank":
            blanks.append(index)
        lines[index] = line
    for index in sorted(blanks, reverse=True):
        lines.insert(index, b",,\n")
    header = ",".join(HEADERS).encode() + b"\n"
    return header + b"".join(lines), len(rows), not_utf8


@PROPERTY
@given(damaged_rows())
def test_every_csv_row_is_evaluated_or_reported_whatever_is_injected(
        monkeypatch: pytest.MonkeyPatch, case: tuple[list[list[str]], list[tuple[int, str, int]]]
) -> None:
    monkeypatch.setattr(csv_reader, "MAX_LINE", SMALL_LINE)
    data, expected, not_utf8 = build(*case)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.csv"
        path.write_bytes(data)
        loaded = engine().load([str(path)])
        report = engine().check([str(path)])
    docs = [d for sub in loaded.submissions.values() for d in sub.documents]
    records = sum(len(d.records) for d in docs)
    whole_file = [p for p in loaded.problems if p.code == "INP003"]
    if whole_file:
        # only bytes that are not text may cost the whole file, and then nothing passes
        assert not_utf8, [str(p.reason) for p in whole_file]
        assert records == 0 and loaded.rows_read == loaded.rows_rejected
        assert report.exit_status("never") == 2
        return
    assert loaded.rows_read == expected
    assert loaded.rows_read == records + loaded.rows_rejected
    bad_lines = {p.loc.line for p in loaded.problems if p.code in ("INP001", "INP004")}
    kept_lines = {r.loc.line for d in docs for r in d.records}
    assert len(bad_lines) == loaded.rows_rejected
    assert not bad_lines & kept_lines
    assert len(kept_lines) == records  # no two records claim one line: nothing folded
    assert (report.rows_read, report.rows_rejected) == (loaded.rows_read, loaded.rows_rejected)
    assert report.exit_status("never") == (2 if loaded.problems else 0)


@PROPERTY
@given(damaged_rows(), st.sampled_from(["json", "yaml"]))
def test_every_json_or_yaml_row_is_evaluated_or_the_file_is_reported(
        case: tuple[list[list[str]], list[tuple[int, str, int]]], fmt: str) -> None:
    rows, damage = case
    lines = [json.dumps(dict(zip(HEADERS, row, strict=True)), ensure_ascii=False) for row in rows]
    if fmt == "json":
        text = '{"kind": "schedule", "rows": [\n' + ",\n".join(lines) + "\n]}\n"
    else:
        text = "kind: schedule\nrows:\n" + "".join(f"  - {line}\n" for line in lines)
    data = bytearray(text.encode("utf-8"))
    for index, how, _ in damage:
        at = min(len(data), 20 + index * 7)
        inject = {"stray_quote": b'"', "giant": b"x" * (SMALL_LINE * 3), "bad_bytes": b"\xff",
                  "gbk": "下午".encode("gbk"), "blank": b"\n", "none": b""}[how]
        data[at:at] = inject
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"schedule.{fmt}"
        path.write_bytes(bytes(data))
        loaded = engine().load([str(path)])
    docs = [d for sub in loaded.submissions.values() for d in sub.documents]
    records = sum(len(d.records) for d in docs)
    assert loaded.rows_read == records + loaded.rows_rejected
    if any(p.code == "INP003" and p.loc.file == str(path) for p in loaded.problems):
        assert records == 0  # a file that cannot be parsed passes nothing
    elif loaded.rows_read:
        bad_lines = {p.loc.line for p in loaded.problems if p.code in ("INP001", "INP004")}
        assert loaded.rows_rejected <= len(bad_lines) or loaded.rows_rejected == 0
    else:
        assert loaded.problems  # no rows and no finding would be a silent pass


def test_a_json_key_with_its_colon_on_the_next_line_keeps_the_rows_lines() -> None:
    # legal JSON, no YAML implicit key: the rows must still be named by their lines
    # (Hypothesis found it: `"rows"` then a line break before the colon)
    row = json.dumps({"days": "Mon-Fri", "start": "13点半", "end": "11:40", "activity": "lesson",
                      "compulsory": "", "title": ""}, ensure_ascii=False)
    text = '{"kind": "schedule", "rows"\n: [\n' + row + ",\n" + row + "\n]}\n"
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "schedule.json"
        path.write_text(text, encoding="utf-8")
        loaded = engine().load([str(path)])
    assert sorted(p.loc.line for p in loaded.problems if p.code == "INP004") == [3, 4]
