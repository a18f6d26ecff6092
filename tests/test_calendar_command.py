"""``compliance calendar YEAR`` and ``compliance calendar import``, and ``check --calendar``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from tests.conftest import school_folder

FIXTURES = Path(__file__).parent / "fixtures" / "calendar"
runner = CliRunner()


@pytest.fixture(autouse=True)
def _isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPLIANCE_NO_ENTRY_POINTS", "1")


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_a_packaged_year_in_text_in_both_languages() -> None:
    code, out, _ = invoke("calendar", "2026", "--lang", "en")
    assert code == 0
    assert "2026 official calendar (covered)" in out and "source: chinesecalendar " in out
    assert any(line.strip().startswith("Spring Festival") and
               line.endswith("2026-02-15 to 2026-02-23  9 days") for line in out.splitlines())
    assert "2026-02-14 (Sat)" in out
    code, out, _ = invoke("calendar", "2026", "--lang", "zh")
    assert code == 0
    assert "2026 年官方日历（已覆盖）" in out and "来源：chinesecalendar " in out
    assert "春节    2026-02-15 至 2026-02-23  共 9 天" in out
    assert "2026-02-14（周六）" in out


def test_a_packaged_year_in_json() -> None:
    code, out, _ = invoke("calendar", "2025", "--format", "json", "--lang", "zh")
    view = json.loads(out)
    assert code == 0 and view["covered"] is True
    assert view["source"]["kind"] == "package"
    assert {"name": "Spring Festival", "label": "春节", "from": "2025-01-28", "to": "2025-02-04",
            "days": 8} in view["holidays"]
    assert view["workdays"] == ["2025-01-26", "2025-02-08", "2025-04-27", "2025-09-28",
                                "2025-10-11"]


def test_an_uncovered_year_says_so_and_what_to_do_exit_1() -> None:
    code, out, _ = invoke("calendar", "2031", "--lang", "en")
    assert code == 1
    assert "not covered" in out and "compliance calendar import" in out
    code, out, _ = invoke("calendar", "2031", "--lang", "zh")
    assert code == 1 and "未覆盖" in out
    code, out, _ = invoke("calendar", "2031", "-f", "json")
    assert json.loads(out) == {"year": 2031, "covered": False, "source": None, "holidays": [],
                               "workdays": []}


def test_import_prints_the_entry_and_then_the_year_is_covered(tmp_path: Path) -> None:
    code, out, err = invoke("calendar", "import", str(FIXTURES / "notice-2026.txt"))
    assert code == 0 and out.startswith("# compliance calendar import")
    assert "notice-2026.txt: the same days as 2026 in chinesecalendar " in err
    # a notice for a new year: the 2026 text with its dates moved to 2037, when 1 Jan is
    # again a Thursday (the weekdays in the brackets stay right)
    text = (FIXTURES / "notice-2026.txt").read_text(encoding="utf-8").replace(
        "2026年部分", "2037年部分").replace("2026年元旦", "2037年元旦")
    (tmp_path / "notice-2037.txt").write_text(text, encoding="utf-8")
    code, _out, err = invoke("calendar", "import", "notice-2037.txt", "-o", "calendar.yaml")
    assert code == 0, err
    assert "calendar.yaml: wrote 2037" in err and "the same days" not in err  # not packaged
    code, out, _ = invoke("calendar", "2037", "--calendar", "calendar.yaml", "--lang", "en")
    assert code == 0
    assert "国务院办公厅关于2037年部分节假日安排的通知" in out and "(calendar.yaml:3)" in out
    code, out, _ = invoke("calendar", "2037", "--calendar", "calendar.yaml", "-f", "json",
                          "--lang", "en")
    view = json.loads(out)
    assert view["source"]["kind"] == "declared" and "overrides" not in view
    assert view["holidays"][1] == {"name": "春节", "label": "Spring Festival",
                                   "from": "2037-02-15", "to": "2037-02-23", "days": 9}


def test_a_declared_year_shows_how_it_differs_from_the_packaged_one(tmp_path: Path) -> None:
    invoke("calendar", "import", str(FIXTURES / "notice-2026.txt"), "-o", "calendar.yaml")
    text = Path("calendar.yaml").read_text(encoding="utf-8")
    Path("calendar.yaml").write_text(text.replace("to: 2026-02-23", "to: 2026-02-22"),
                                     encoding="utf-8")
    code, out, _ = invoke("calendar", "2026", "--calendar", "calendar.yaml", "--lang", "en")
    assert code == 0
    assert "Differs from chinesecalendar" in out and "on 1 day(s); the declared year wins" in out
    assert "2026-02-23: working day here, holiday Spring Festival in chinesecalendar" in out
    code, out, _ = invoke("calendar", "2026", "--calendar", "calendar.yaml", "--lang", "zh")
    assert "有 1 天不同，以声明为准" in out and "2026-02-23：声明为工作日" in out


def test_a_malformed_calendar_file_is_shown_with_its_problems_exit_2(tmp_path: Path) -> None:
    Path("bad.yaml").write_text("official:\n  2027:\n    holidays:\n      - {from: 2027-01-01}\n",
                                encoding="utf-8")
    code, out, err = invoke("calendar", "2027", "--calendar", "bad.yaml", "--lang", "en")
    assert code == 2
    assert "not covered" in out
    assert "bad.yaml:4: INP002 the period has no `name`" in err
    code, out, _ = invoke("calendar", "2027", "--calendar", "bad.yaml", "-f", "json")
    assert json.loads(out)["problems"][0]["line"] == 4


def test_an_unreadable_notice_sentence_is_one_line_exit_2(tmp_path: Path) -> None:
    Path("n.txt").write_text("国务院办公厅关于2027年部分节假日安排的通知\n一、元旦：1月1日（周五）放假，"
                             "具体另行通知。\n", encoding="utf-8")
    code, out, err = invoke("calendar", "import", "n.txt", "--lang", "zh")
    assert code == 2 and out == ""
    assert err.strip().splitlines() == [
        "compliance: error: n.txt: 第 2 行：无法识别的句子（可识别：…放假、…至…放假调休，共N天、…上班）："
        "「一、元旦：1月1日（周五）放假，具体另行通知。」"]


def test_usage_errors_name_what_to_write() -> None:
    assert invoke("calendar", "next")[0] == 2
    code, _out, err = invoke("calendar", "import")
    assert code == 2 and "give the notice's text file" in err
    code, _out, err = invoke("calendar", "2026", "-o", "x.yaml")
    assert code == 2 and "are for `compliance calendar import" in err
    code, _out, err = invoke("calendar", "import", "missing.txt")
    assert code == 2 and "missing.txt: no such file" in err
    code, _out, err = invoke("check", ".", "--calendar", "missing.yaml")
    assert code == 2 and "--calendar missing.yaml" in err


def test_help_shows_both_forms() -> None:
    code, out, _ = invoke("calendar", "--help")
    assert code == 0
    assert "compliance calendar 2027" in out and "compliance calendar import NOTICE.txt" in out


def test_check_with_calendar_judges_a_declared_year_and_names_its_source(tmp_path: Path
                                                                        ) -> None:
    Path("cal.yaml").write_text(
        "official:\n  2027:\n    source: 国务院办公厅关于2027年部分节假日安排的通知\n"
        "    holidays:\n      - {name: 春节, from: 2027-02-05, to: 2027-02-12}\n"
        "    workdays: [2027-02-14]\n", encoding="utf-8")
    folder = school_folder(tmp_path, {"schedule.csv": "date,start,end,activity\n"
                                      "2027-02-08,8:20,11:40,lesson\n"
                                      "2027-02-14,8:20,11:40,lesson\n"},
                           {"terms": [{"name": "春", "start": "2027-01-04", "end": "2027-07-02"}]})
    code, out, _ = invoke("check", str(folder), "--calendar", "cal.yaml", "-f", "json")
    report = json.loads(out)
    assert code == 1
    assert [f["code"] for f in report["findings"]] == ["HOL001"]
    assert report["run"]["calendar"]["2027"] == {
        "kind": "declared", "source": "国务院办公厅关于2027年部分节假日安排的通知",
        "file": "cal.yaml", "line": 2}


def test_import_says_where_a_notice_differs_from_the_package(tmp_path: Path) -> None:
    text = (FIXTURES / "notice-2026.txt").read_text(encoding="utf-8").replace(
        "5月9日（周六）上班", "5月10日（周日）上班")
    Path("n.txt").write_text(text, encoding="utf-8")
    code, _out, err = invoke("calendar", "import", "n.txt", "--lang", "en")
    assert code == 0
    assert "differs from 2026 in chinesecalendar" in err and "on 2 day(s)" in err
    assert "2026-05-09: weekend rest day here, make-up working day in chinesecalendar" in err
