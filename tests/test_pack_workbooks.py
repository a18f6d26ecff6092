"""WBK: supplementary materials — banned grades, compulsory purchase, catalog, too many titles."""

from __future__ import annotations

from pathlib import Path

from tests.packs_support import check, codes, fixture

HEADER = "年级,学科,书名,类别,是否统一征订,目录编号\n"


def wbk(tmp_path: Path, rows: str, profile: str = "default") -> list:
    return [f for f in check(tmp_path, {"materials.csv": HEADER + rows}, profile)
            if f.code.startswith("WBK")]


def test_violating_fixture_gives_every_wbk_code_at_its_row(tmp_path: Path) -> None:
    found = [f for f in check(tmp_path, {"教辅征订.csv": fixture("workbooks", "violating.csv")})
             if f.code.startswith("WBK")]
    assert sorted((f.code, f.location.line, f.location.column) for f in found) == [
        ("WBK001", 2, "grade"),
        ("WBK002", 3, "compulsory_purchase"),
        ("WBK003", 4, "catalog_id"),
        ("WBK004", 5, "title"),
    ]


def test_compliant_fixture_gives_no_wbk_finding(tmp_path: Path) -> None:
    assert codes(check(tmp_path, {"materials.csv": fixture("workbooks", "compliant.csv")}), "WBK") == []


def test_workbook_for_grade_2_is_wbk001(tmp_path: Path) -> None:
    assert [f.code for f in wbk(tmp_path, "2,数学,口算,workbook,否,C-1\n")] == ["WBK001"]


def test_workbook_for_grade_3_is_not_wbk001(tmp_path: Path) -> None:
    assert wbk(tmp_path, "3,数学,口算,workbook,否,C-1\n") == []


def test_textbook_and_reading_never_trigger_wbk(tmp_path: Path) -> None:
    rows = ("1,语文,语文一上,textbook,是,\n"
            "1,语文,读物甲,reading,是,\n"
            "1,语文,读物乙,reading,是,\n"
            "2,数学,其他资料,other,是,\n")
    assert wbk(tmp_path, rows) == []


def test_test_papers_and_guides_are_supplementary(tmp_path: Path) -> None:
    rows = "1,数学,单元卷,test_paper,否,C-1\n2,语文,教辅书,guide,否,C-2\n"
    assert [f.code for f in wbk(tmp_path, rows)] == ["WBK001", "WBK001"]


def test_two_titles_in_one_grade_and_subject_is_one_wbk004_at_the_first(tmp_path: Path) -> None:
    rows = "5,数学,甲,workbook,否,C-1\n5,数学,乙,guide,否,C-2\n5,语文,丙,workbook,否,C-3\n"
    found = wbk(tmp_path, rows)
    assert [(f.code, f.location.line) for f in found] == [("WBK004", 2)]
    assert found[0].subject["titles"] == ["甲", "乙"]


def test_the_same_title_twice_is_one_title(tmp_path: Path) -> None:
    rows = "5,数学,甲,workbook,否,C-1\n5,数学,甲,workbook,否,C-1\n"
    assert wbk(tmp_path, rows) == []


def test_catalog_id_of_spaces_is_outside_the_catalog(tmp_path: Path) -> None:
    assert [f.code for f in wbk(tmp_path, '4,英语,周报,test_paper,否," "\n')] == ["WBK003"]


def test_wbk_messages_exist_in_chinese(tmp_path: Path) -> None:
    found = check(tmp_path, {"materials.csv": HEADER + "2,数学,口算,workbook,否,C-1\n"}, lang="zh")
    assert found[0].message == "2年级数学征订了练习册《口算》，该年级已取消教辅材料"
