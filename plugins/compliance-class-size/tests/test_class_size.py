"""The class-size plugin, tested with compliance's own fixture (compliance_check)."""

from __future__ import annotations

import pytest


def roster(*rows: tuple[str, int]) -> dict[str, list[dict[str, object]]]:
    return {"class_roster": [{"班级": c, "学生人数": n} for c, n in rows]}


def test_large_and_oversized_classes_are_errors(compliance_check) -> None:
    result = compliance_check(rows=roster(("7-1", 55), ("7-2", 56), ("9-1", 65), ("9-2", 66)),
                              select=["CLS"])
    assert [(f.code, f.location.line, f.severity) for f in result.findings] == [
        ("CLS003", 2, "warning"), ("CLS001", 3, "error"), ("CLS001", 4, "error"),
        ("CLS002", 5, "error")]


def test_finding_cites_the_2016_clause_in_both_languages(compliance_check) -> None:
    zh = compliance_check(rows=roster(("8-1", 70)), select=["CLS"], lang="zh").findings[0]
    assert zh.message == "8-1 班有 70 名学生，达到超大班额（66 人及以上）"
    assert "基本消除66人以上超大班额" in zh.citation
    assert zh.subject == {"class": "8-1", "students": 70}
    en = compliance_check(rows=roster(("8-1", 57)), select=["CLS"], lang="en").findings[0]
    assert en.message == "class 8-1 has 57 students: a large class (56 or more)"


@pytest.mark.parametrize(("klass", "students", "codes"), [
    ("3-1", 45, []), ("3-1", 46, ["CLS003"]), ("7-1", 50, []), ("7-1", 51, ["CLS003"]),
])
def test_standard_size_is_45_primary_and_50_junior(compliance_check, klass: str, students: int,
                                                     codes: list[str]) -> None:
    assert compliance_check(rows=roster((klass, students)), select=["CLS"]).codes == codes


def test_standard_size_comes_from_a_profile(compliance_check, tmp_path) -> None:
    profile = tmp_path / "strict.yaml"
    profile.write_text("name: strict\nparameters:\n  CLS003: {standard: {primary: 40}}\n",
                       encoding="utf-8")
    result = compliance_check(rows=roster(("3-1", 42)), select=["CLS"], profile=str(profile))
    assert result.codes == ["CLS003"]


def test_a_roster_with_english_headers_and_a_bad_count(compliance_check) -> None:
    rows = {"class_roster": [{"class": "1-1", "students": "很多"}, {"class": "1-2", "students": 60}]}
    result = compliance_check(rows=rows, select=["CLS"])
    assert result.codes == ["INP001", "CLS001"]
