"""Readers and kind detection: every format, encoding and header style; every INP
problem names its file and line, and the rest of the file is still checked."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import openpyxl
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import codes, run, school_folder

HEADER_ZH = "星期,开始时间,结束时间,活动类型,是否强制,年级,内容\n"
ROWS_ZH = "周一至周五,7点20,8点,早读,是,,晨读\n周一至周五,８：００,11:40,上课,是,,上午课程\n"


def _schedule(report):
    return [f for f in report.findings if f.code.startswith("HRS")]


def test_gbk_csv_with_chinese_headers_and_messy_values(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    (folder / "作息时间表.csv").write_bytes((HEADER_ZH + ROWS_ZH).encode("gbk"))
    report = run([folder])
    hrs = _schedule(report)
    assert [(f.code, f.location.line, f.location.column) for f in hrs] == [("HRS001", 2, "start")]
    assert hrs[0].location.file.endswith("school/作息时间表.csv")


def test_utf8_bom_csv(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    (folder / "schedule.csv").write_bytes(b"\xef\xbb\xbf" + (HEADER_ZH + ROWS_ZH).encode("utf-8"))
    assert codes(run([folder])) == ["HRS001"]


def test_gb18030_csv(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    (folder / "schedule.csv").write_bytes((HEADER_ZH + ROWS_ZH).encode("gb18030"))
    assert codes(run([folder])) == ["HRS001"]


def test_utf16_tab_separated_text(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    text = (HEADER_ZH + ROWS_ZH).replace(",", "\t")
    (folder / "schedule.txt").write_bytes(text.encode("utf-16"))
    assert codes(run([folder])) == ["HRS001"]


def test_yaml_rows_with_kind_key_and_lines(tmp_path: Path) -> None:
    yaml = (
        "kind: schedule\n"
        "rows:\n"
        "  - {days: 周一至周五, start: '8:00', end: '11:40', activity: lesson}\n"
        "  - days: 工作日\n"
        "    start: 7:00\n"
        "    end: 7:50\n"
        "    activity: self_study\n"
    )
    folder = school_folder(tmp_path, {"anything.yaml": yaml})
    report = run([folder])
    assert [(f.code, f.location.line) for f in report.findings] == [("HRS001", 4)]


def test_json_list_with_kind_from_the_file_stem(tmp_path: Path) -> None:
    rows = [{"date": "2025-10-03", "start": "9:00", "end": "11:00", "activity": "remedial"}]
    folder = school_folder(tmp_path, {"schedule.json": json.dumps(rows, ensure_ascii=False, indent=1)})
    report = run([folder])
    assert [(f.code, f.location.line) for f in report.findings] == [("HOL001", 2)]


def test_xlsx_with_time_and_date_cells(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(["日期", "开始时间", "结束时间", "活动类型"])
    sheet.append([dt.date(2025, 10, 18), dt.time(8, 30), dt.time(11, 30), "考试"])
    book.save(folder / "schedule.xlsx")
    report = run([folder])
    finding = report.findings[0]
    assert (finding.code, finding.location.line, finding.location.sheet) == ("HOL002", 2, "Sheet1")


def test_xlsx_sheet_named_after_a_kind_is_read(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {})
    book = openpyxl.Workbook()
    book.active.title = "说明"
    book.active.append(["这是填表说明"])
    sheet = book.create_sheet("作息时间表")
    sheet.append(["星期", "开始时间", "结束时间", "活动类型"])
    sheet.append(["周六", "8:30", "11:30", "上课"])
    book.save(folder / "submission.xlsx")
    assert codes(run([folder])) == ["HOL004"]


def test_kind_from_header_row(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"export_2025.csv": "days,start,end,activity\n周六,8:30,11:30,lesson\n"})
    assert codes(run([folder])) == ["HOL004"]


def test_unknown_kind_is_reported_not_skipped(tmp_path: Path) -> None:
    folder = school_folder(tmp_path, {"data.csv": "a,b,c\n1,2,3\n"})
    report = run([folder])
    assert codes(report) == ["INP003"]
    assert report.findings[0].location.file.endswith("data.csv")
    assert report.exit_status("error") == 2


def test_bad_value_is_inp001_with_line_and_the_rest_is_checked(tmp_path: Path) -> None:
    csv = "days,start,end,activity\n周一至周五,25:00,11:00,lesson\n周六,8:30,11:30,lesson\n"
    report = run([school_folder(tmp_path, {"schedule.csv": csv})])
    found = [(f.code, f.location.line, f.location.column) for f in report.findings]
    assert found == [("INP001", 2, "start"), ("HOL004", 3, "days")]
    assert report.rows_read == 2 and report.rows_rejected == 1


def test_missing_required_column_is_inp002(tmp_path: Path) -> None:
    report = run([school_folder(tmp_path, {"schedule.csv": "days,start,activity\n周一,8:00,lesson\n"})])
    assert codes(report) == ["INP002"]
    assert report.findings[0].subject["columns"] == ["end"]


def test_end_before_start_and_days_with_date_are_inp004(tmp_path: Path) -> None:
    csv = ("days,date,start,end,activity\n"
           "周一,,17:00,8:00,lesson\n"
           "周一,2025-10-09,8:00,9:00,lesson\n"
           ",,8:00,9:00,lesson\n")
    report = run([school_folder(tmp_path, {"schedule.csv": csv})])
    assert [(f.code, f.location.line) for f in report.findings] == [
        ("INP004", 2), ("INP004", 3), ("INP004", 4)]


def test_broken_yaml_is_inp003_with_line(tmp_path: Path) -> None:
    report = run([school_folder(tmp_path, {"schedule.yaml": "rows:\n  - {days: 周一\n  - x: ]\n"})])
    finding = report.findings[0]
    assert finding.code == "INP003" and finding.location.line is not None


def test_yaml_object_tags_are_refused(tmp_path: Path) -> None:
    yaml = "kind: schedule\nrows:\n  - !!python/object/apply:os.system ['echo hi']\n"
    report = run([school_folder(tmp_path, {"schedule.yaml": yaml})])
    assert codes(report) == ["INP003"]
    assert "not allowed" in report.findings[0].message


def test_not_a_spreadsheet_is_inp003(tmp_path: Path) -> None:
    report = run([school_folder(tmp_path, {"schedule.xlsx": "days,start\n"})])
    assert codes(report) == ["INP003"]


def test_loose_file_with_school_id_column_joins_its_school(tmp_path: Path) -> None:
    school = school_folder(tmp_path, {}, name="t-001")
    loose = tmp_path / "schedule.csv"
    loose.write_text("学校代码,星期,开始时间,结束时间,活动类型\nT-001,周六,8:30,11:30,上课\n",
                     encoding="utf-8")
    report = run([school, loose])
    assert [(f.code, f.school_id) for f in report.findings] == [("HOL004", "T-001")]


def test_loose_file_for_an_unknown_school_runs_only_rules_needing_no_profile(tmp_path: Path) -> None:
    loose = tmp_path / "schedule.csv"
    loose.write_text("school_id,days,start,end,activity\nX-9,周六,7:00,11:30,lesson\n", encoding="utf-8")
    report = run([loose])
    assert codes(report) == ["HOL004", "INP005"]
    assert report.skipped and "HRS001" in report.skipped[0].codes


def test_two_profiles_sharing_an_id_is_inp005(tmp_path: Path) -> None:
    a = school_folder(tmp_path, {}, name="a")
    b = school_folder(tmp_path, {}, name="b")
    assert "INP005" in codes(run([a, b]))


def test_district_calendar_adds_a_local_rest_day(tmp_path: Path) -> None:
    (tmp_path / "calendar.yaml").write_text("holidays: [2025-11-14]\nworkdays: []\n")
    school_folder(tmp_path, {"schedule.csv": "date,start,end,activity\n2025-11-14,8:30,11:30,lesson\n"})
    report = run([tmp_path])
    assert codes(report) == ["HOL001"]
    assert report.findings[0].subject["holiday"] == "local"


def test_libyaml_and_pure_composers_build_the_same_values() -> None:
    """The fast libyaml composer is an optimisation only: same values, same lines."""
    import pytest
    from ruamel.yaml import YAML

    from compliance.inputs import yaml_reader
    from tests.conftest import SAMPLES

    if yaml_reader._CParser is None:
        pytest.skip("ruamel.yaml.clib is not installed")
    texts = [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.rglob("*.yaml"))]
    texts += ["a: {url: https://x.example/y, date: 2025-08-28}\n", "- [1, 2, {b: ~}]\n- yes\n"]
    for text in texts:
        pure = yaml_reader._Builder().build(YAML(typ="safe", pure=True).compose(text))
        try:
            fast = yaml_reader._Builder().build(YAML(typ="safe").compose(text))
        except Exception:  # libyaml refuses some YAML 1.2: load_text falls back to pure
            fast = pure
        assert repr(fast) == repr(pure)
        assert repr(yaml_reader.load_text(text)) == repr(pure)


def test_deep_yaml_is_refused_not_a_crash(tmp_path: Path) -> None:
    """libyaml's composer would crash the process at a depth of ~30,000: never given one."""
    from compliance.inputs.yaml_reader import _shallow

    for text in ("a: " + "[" * 100_000 + "]" * 100_000, "- " * 100_000 + "x"):
        assert not _shallow(text)
        (tmp_path / "school.yaml").write_text(text, encoding="utf-8")
        assert "INP003" in codes(run([tmp_path]))


YAML_SCALARS = st.sampled_from(["yes", "no", "true", "False", "null", "~", "", "1", "0o17", "0x1F", "1_000",
                                "1.5", ".inf", "-.Inf", ".nan", "2025-09-01", "2025-9-1 08:00", "08:30",
                                "8点30", "3e4", "+1", "Z01", "<<", "=", "'q'", '"d"']) | st.text(
    st.characters(min_codepoint=32, max_codepoint=0x9fff, blacklist_categories=("Cs",)), max_size=8)


@settings(max_examples=300, deadline=None)
@given(st.lists(YAML_SCALARS, min_size=1, max_size=6))
def test_remembered_tags_are_the_tags_ruamel_resolves(scalars: list[str]) -> None:
    """The libyaml path remembers resolved tags across files; asking ruamel afresh gives
    the same tag for every scalar, plain or quoted, as a key or a value."""
    from ruamel.yaml import YAML

    from compliance.inputs import yaml_reader

    lines = [f"k{i}: {json.dumps(s, ensure_ascii=False) if i % 2 else s}" for i, s in enumerate(scalars)]
    text = "\n".join(lines) + "\n" + "list:\n" + "".join(f"  - {s}\n" for s in scalars)

    def tags(node: Any) -> Any:
        if isinstance(node.value, list):
            return [str(node.tag), [tags(v) if not isinstance(v, tuple) else [tags(v[0]), tags(v[1])]
                                    for v in node.value]]
        return [str(node.tag), node.value]

    try:
        fresh = YAML(typ="safe").compose(text)
    except Exception:  # libyaml refuses it: the reader then takes the pure composer anyway
        return
    for _ in range(2):  # the second time from what was remembered
        assert tags(yaml_reader._compose(text)) == tags(fresh)
