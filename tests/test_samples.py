"""The samples hold exactly the findings samples/README.md says were planted, under both profiles."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine, RunOptions
from compliance.rules.finding import Finding
from tests.conftest import SAMPLES

PACK_CODES = {f"WBK00{i}" for i in range(1, 5)} | {f"HWK00{i}" for i in range(1, 8)} | {
    f"ENR00{i}" for i in range(1, 6)} | {f"CUR00{i}" for i in range(1, 4)}
Key = tuple[str, str, str, int | None]


def planted(profile: str) -> Counter[Key]:
    """(school, code, file, line) of every planted finding in force under ``profile``."""
    out: Counter[Key] = Counter()
    text = (SAMPLES / "README.md").read_text(encoding="utf-8")
    table = text.split("## Planted findings", 1)[1]
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 6 or not cells[1][:3].isalpha() or cells[0] in ("school", "---"):
            continue
        school, code, file, row, profiles, _why = cells
        if profiles == "national-2021" and profile != "national-2021":
            continue
        out[(school, code, file.strip("`"), None if row == "—" else int(row))] += 1
    return out


def found(findings: list[Finding]) -> Counter[Key]:
    root = SAMPLES.resolve()
    return Counter(
        (f.school_id or "", f.code, Path(f.location.file).resolve().relative_to(root).as_posix(),
         f.location.line)
        for f in findings
    )


def check(path: Path, profile: str) -> list[Finding]:
    return Engine(RunOptions(profile=profile, entry_points=False)).check([str(path)]).findings


@pytest.mark.parametrize("profile", ["default", "national-2021"])
def test_the_samples_hold_exactly_the_planted_findings(profile: str) -> None:
    findings = (check(SAMPLES / "zhongshan", profile) + check(SAMPLES / "single-file", profile)
                + check(SAMPLES / "exports", profile))
    assert found(findings) == planted(profile)


@pytest.mark.parametrize("profile", ["default", "national-2021"])
def test_clean_schools_stay_clean(profile: str) -> None:
    findings = check(SAMPLES / "zhongshan", profile)
    assert [f for f in findings if f.school_id in ("ZS-001", "ZS-003")] == []


def test_the_violating_school_plants_every_pack_code() -> None:
    codes = {code for (school, code, _f, _l) in planted("national-2021") if school == "ZS-002"}
    assert codes >= PACK_CODES


def test_cli_check_of_the_district_shows_every_code_of_the_three_packs() -> None:
    result = CliRunner().invoke(app, ["check", str(SAMPLES / "zhongshan"), "--profile",
                                      "national-2021", "--format", "text", "--no-entry-points"])
    assert result.exit_code == 1
    for code in sorted(PACK_CODES):
        assert code in result.output, code


def test_enr004_is_one_finding_naming_both_schools_and_files() -> None:
    dup = [f for f in check(SAMPLES / "zhongshan", "default") if f.code == "ENR004"]
    assert len(dup) == 1
    assert dup[0].subject["schools"] == ["ZS-002", "ZS-004"]
    assert [Path(f.split(":")[0]).name for f in dup[0].subject["files"]] == [
        "enrollment.yaml", "招生名单.csv"]


def test_the_sample_timetable_has_a_clean_class_and_notes_its_school_course() -> None:
    report = Engine(RunOptions(entry_points=False, lang="zh")).check(
        [str(SAMPLES / "zhongshan" / "zs-002")])
    cur = sorted((f.code, f.subject["class"], f.subject.get("subject"))
                 for f in report.findings if f.code.startswith("CUR"))
    assert cur == [("CUR001", "6-1", "劳动"), ("CUR002", "6-1", "体育与健康"),
                   ("CUR003", "7-1", None)]
    (path,) = [p for p in report.file_notes if p.endswith("课程表.xlsx")]
    assert report.file_notes[path].title == "中山区实验学校三年级(1)班课程表（2025学年第一学期）"
    notes = [(n.sheet, n.why, n.shown("zh")) for n in report.file_notes[path].notes]
    assert ("六(1)班", "assumed", "足球：非课程方案科目，按地方或校本课程计入周课时总量") in notes
    assert ("三(1)班", "section", "午休 11:50-13:30") in notes
    assert ("初一(1)班", "note", "注：课程表已报区教育局备案。") in notes


def test_the_export_sample_is_read_as_a_person_reads_it() -> None:
    from compliance.outputs.json import report_dict

    report = Engine(RunOptions(entry_points=False, lang="zh")).check([str(SAMPLES / "exports")])
    seasons = {(f.code, f.subject.get("season")) for f in report.findings}
    assert seasons == {("HRS001", "夏季"), ("HRS002", "冬季")}
    files = {Path(f["path"]).name: f for f in report_dict(report)["files"]}
    export = files["作息时间表.xlsx"]
    assert export["title"] == "城关第二小学2025-2026学年第一学期作息时间表"
    assert [(n["line"], n["why"]) for n in export["notes"]] == [(1, "preamble"), (17, "note"),
                                                               (2, "assumed")]
    # 16 rows under the two-row header, two seasons each, the empty ones left out
    assert report.rows_read == 2 * 13 and report.rows_rejected == 0
