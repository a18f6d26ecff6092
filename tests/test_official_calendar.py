"""Official years declared in calendar files: judged like packaged ones, declared wins,
malformed years are input findings at their line, and every report names its sources."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from compliance.host.engine import Engine, RunOptions
from compliance.host.markers import hookimpl
from compliance.inputs.calendar import YearCalendar
from compliance.outputs.html import render_html
from compliance.outputs.json import report_dict
from compliance.rounds.apply import RoundOptions, apply_rounds
from tests.conftest import codes, run, school_folder

FIXTURES = Path(__file__).parent / "fixtures" / "calendar"
HEAD = "date,days,start,end,activity,compulsory\n"
TERM_2027 = {"terms": [{"name": "2027春", "start": "2027-01-04", "end": "2027-07-02"}]}
YEAR_2027 = """\
official:
  2027:
    source: 国务院办公厅关于2027年部分节假日安排的通知 (国办发明电〔2026〕9号)
    holidays:
      - {name: 元旦, from: 2027-01-01, to: 2027-01-03}
      - {name: 春节, from: 2027-02-05, to: 2027-02-12}
      - {name: 劳动节, from: 2027-05-01, to: 2027-05-05}
    workdays: [2027-02-14, 2027-04-25]
"""


def district(tmp_path: Path, rows: str, calendar: str | None = YEAR_2027,
             school: dict[str, object] | None = None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    if calendar is not None:
        (tmp_path / "calendar.yaml").write_text(calendar, encoding="utf-8")
    school_folder(tmp_path, {"schedule.csv": HEAD + rows}, TERM_2027 if school is None else school)
    return tmp_path


# -- a declared year is judged like a packaged one -----------------------------------


def test_a_class_in_a_declared_holiday_is_hol001_naming_the_declared_holiday(
        tmp_path: Path) -> None:
    report = run([district(tmp_path, "2027-02-08,,8:20,11:40,lesson,\n")], lang="zh")
    assert codes(report) == ["HOL001"]
    assert report.findings[0].subject["holiday"] == "春节"
    assert "春节" in report.findings[0].message


def test_a_declared_make_up_sunday_is_a_school_day(tmp_path: Path) -> None:
    assert codes(run([district(tmp_path, "2027-04-25,,8:20,11:40,lesson,\n")])) == []


def test_an_ordinary_saturday_of_a_declared_year_is_hol002_not_inp007(tmp_path: Path) -> None:
    assert codes(run([district(tmp_path, "2027-04-24,,8:20,11:40,lesson,\n")])) == ["HOL002"]


def test_the_same_year_undeclared_is_inp007(tmp_path: Path) -> None:
    report = run([district(tmp_path, "2027-02-08,,8:20,11:40,lesson,\n", calendar=None)])
    assert codes(report) == ["INP007"]


def test_a_declared_year_from_calendar_option_covers_every_school(tmp_path: Path) -> None:
    calendar = tmp_path / "2027.yaml"
    calendar.write_text(YEAR_2027, encoding="utf-8")
    folder = district(tmp_path / "d", "2027-02-08,,8:20,11:40,lesson,\n", calendar=None)
    report = run([folder], calendars=[str(calendar)])
    assert codes(report) == ["HOL001"]
    assert report.calendar_sources["2027"]["file"] == str(calendar)


def test_calendar_in_the_settings_names_a_calendar_file(tmp_path: Path) -> None:
    from compliance.host.config import load_config

    (tmp_path / "cal.yaml").write_text(YEAR_2027, encoding="utf-8")
    (tmp_path / "compliance.yaml").write_text("calendar: cal.yaml\n", encoding="utf-8")
    folder = district(tmp_path / "d", "2027-02-08,,8:20,11:40,lesson,\n", calendar=None)
    report = run([folder], config=load_config(None, tmp_path))
    assert codes(report) == ["HOL001"]


def test_local_days_in_a_calendar_option_file_apply_to_every_school(tmp_path: Path) -> None:
    calendar = tmp_path / "local.yaml"
    calendar.write_text("holidays: [2025-10-15]\n", encoding="utf-8")
    folder = district(tmp_path / "d", "2025-10-15,,8:20,11:40,lesson,\n", calendar=None,
                      school={})
    assert codes(run([folder], calendars=[str(calendar)])) == ["HOL001"]
    assert codes(run([folder])) == []


# -- declared wins over packaged, and the difference is noted ------------------------


def test_a_declared_year_wins_over_the_packaged_one_and_the_difference_is_noted(
        tmp_path: Path) -> None:
    # 2026-02-23 is a packaged Spring Festival day; this declaration ends the holiday a day
    # earlier and makes 02-28 an ordinary Saturday
    from compliance.inputs.notice import parse_notice, year_yaml

    notice = parse_notice((FIXTURES / "notice-2026.txt").read_text(encoding="utf-8"))
    notice.source = "某区核对版"
    calendar = (year_yaml(notice).replace("to: 2026-02-23", "to: 2026-02-22")
                .replace("2026-02-28, ", ""))
    school = {"terms": [{"name": "春", "start": "2026-02-01", "end": "2026-07-03"}]}
    folder = district(tmp_path / "declared", "2026-02-23,,8:20,11:40,lesson,\n"
                      "2026-02-28,,8:20,11:40,lesson,\n", calendar, school)
    report = run([folder])
    assert codes(report) == ["HOL002"]  # 02-23 is a school day now; 02-28 is a weekend
    source = report.calendar_sources["2026"]
    assert source["kind"] == "declared" and source["source"] == "某区核对版"
    assert source["differs_from"].startswith("chinesecalendar ")
    differences = "\n".join(source["differences"])
    assert "2026-02-23" in differences and "2026-02-28" in differences
    assert len(source["differences"]) == 2
    packaged = run([district(tmp_path / "packaged", "2026-02-23,,8:20,11:40,lesson,\n", None,
                             school)])
    assert codes(packaged) == ["HOL001"]


def test_a_declared_year_equal_to_the_packaged_one_notes_no_difference(tmp_path: Path) -> None:
    from compliance.inputs.notice import parse_notice, year_yaml

    notice = (FIXTURES / "notice-2025.txt").read_text(encoding="utf-8")
    folder = district(tmp_path, "2025-10-08,,8:20,11:40,lesson,\n",
                      year_yaml(parse_notice(notice)), school={})
    report = run([folder])
    assert codes(report) == ["HOL001"]
    assert report.findings[0].subject["holiday"] == "国庆节、中秋节"
    assert "differs_from" not in report.calendar_sources["2025"]


def test_the_run_calendar_comes_before_the_districts_calendar(tmp_path: Path) -> None:
    moved = YEAR_2027.replace("to: 2027-02-12", "to: 2027-02-07").replace("(国办发明电〔2026〕9号)",
                                                                           "更正")
    override = tmp_path / "override.yaml"
    override.write_text(moved, encoding="utf-8")
    folder = district(tmp_path / "d", "2027-02-08,,8:20,11:40,lesson,\n")
    report = run([folder], calendars=[str(override)])
    assert codes(report) == []  # 2027-02-08 is a Monday outside the shortened holiday
    assert "更正" in report.calendar_sources["2027"]["source"]


# -- the hook keeps working; declared years in files come first -----------------------


class Year2027Plugin:
    @hookimpl
    def compliance_official_calendar(self, year: int) -> YearCalendar | None:
        if year != 2027:
            return None
        return YearCalendar(2027, {dt.date(2027, 2, 8): "Plugin Holiday"}, frozenset())


def _engine(**options: object) -> Engine:
    from compliance.host.manager import make_plugin_manager

    plugins = make_plugin_manager(entry_points=False, extra=[Year2027Plugin()])
    return Engine(RunOptions(entry_points=False, **options), plugins)  # type: ignore[arg-type]


def test_a_plugin_still_supplies_a_year_and_is_named_as_its_source(tmp_path: Path) -> None:
    folder = district(tmp_path, "2027-02-08,,8:20,11:40,lesson,\n", calendar=None)
    report = _engine().check([str(folder)])
    assert codes(report) == ["HOL001"]
    assert report.findings[0].subject["holiday"] == "Plugin Holiday"
    assert report.calendar_sources["2027"] == {"kind": "plugin", "source": "extra-0"}


def test_a_declared_year_comes_before_the_plugins(tmp_path: Path) -> None:
    folder = district(tmp_path, "2027-02-08,,8:20,11:40,lesson,\n")
    report = _engine().check([str(folder)])
    assert report.findings[0].subject["holiday"] == "春节"
    assert report.calendar_sources["2027"]["kind"] == "declared"
    assert report.calendar_sources["2027"]["differs_from"] == "extra-0"  # the plugin's name


# -- the run evidence names the source of every year ----------------------------------


def test_every_report_names_the_source_of_each_year_it_used(tmp_path: Path) -> None:
    folder = district(tmp_path, "2027-02-08,,8:20,11:40,lesson,\n"
                                "2028-03-01,,8:20,11:40,lesson,\n",
                      school={"terms": [{"name": "x", "start": "2026-12-01",
                                         "end": "2028-07-01"}]})
    (folder / "school" / "more.csv").write_text(HEAD + "2026-12-07,,8:20,11:40,lesson,\n",
                                                encoding="utf-8")
    report = run([folder])
    sources = report.calendar_sources
    assert sources["2026"] == {"kind": "package",
                               "source": sources["2026"]["source"]}
    assert sources["2026"]["source"].startswith("chinesecalendar ")
    assert sources["2027"]["kind"] == "declared"
    assert sources["2027"]["file"].endswith("calendar.yaml") and sources["2027"]["line"] == 2
    assert sources["2028"] == {"kind": "uncovered", "source": None}
    # the run evidence of the JSON and HTML reports
    engine = Engine(RunOptions(entry_points=False))
    apply_rounds(report, engine, [str(folder)], RoundOptions())
    written = json.loads(json.dumps(report_dict(report) | {"findings": []}, ensure_ascii=False))
    assert written["run"]["calendar"] == sources
    page = render_html(report, "zh")
    assert "2027: 国务院办公厅关于2027年部分节假日安排的通知 (" in page
    assert "2028: 未覆盖（INP007）" in page


def test_the_sources_are_the_same_with_worker_processes(tmp_path: Path) -> None:
    for index in range(9):
        school_folder(tmp_path, {"schedule.csv": HEAD + "2027-02-08,,8:20,11:40,lesson,\n"},
                      dict(TERM_2027, id=f"S-{index}"), name=f"s{index}")
    (tmp_path / "calendar.yaml").write_text(YEAR_2027, encoding="utf-8")
    one = run([tmp_path], jobs=1)
    many = run([tmp_path], jobs=2)
    assert one.calendar_sources == many.calendar_sources
    assert codes(one) == codes(many) == ["HOL001"] * 9


# -- a malformed year is an input finding at its line, and is not used ---------------


def _problems(tmp_path: Path, calendar: str) -> list[tuple[str, int | None, str]]:
    report = run([district(tmp_path, "2027-02-08,,8:20,11:40,lesson,\n", calendar)])
    return [(f.code, f.location.line, f.message) for f in report.findings]


def test_overlapping_periods_are_inp001_at_the_second_and_the_year_is_not_used(
        tmp_path: Path) -> None:
    bad = YEAR_2027.replace("{name: 劳动节, from: 2027-05-01",
                            "{name: 劳动节, from: 2027-02-10")
    found = _problems(tmp_path, bad)
    assert ("INP001", 7) in [(c, line) for c, line, _m in found]
    message = next(m for c, line, m in found if line == 7)
    assert "overlaps 春节 on line 6" in message and "not used" in message
    assert "INP007" in [c for c, _l, _m in found]  # the year is not guessed at


def test_a_workday_inside_a_holiday_is_inp001_at_its_line(tmp_path: Path) -> None:
    bad = YEAR_2027.replace("workdays: [2027-02-14", "workdays: [2027-02-06")
    found = _problems(tmp_path, bad)
    assert any(c == "INP001" and line == 8 and "inside the holiday 春节" in m
               for c, line, m in found)


def test_a_date_outside_the_year_is_inp001_at_its_line(tmp_path: Path) -> None:
    bad = YEAR_2027.replace("{name: 元旦, from: 2027-01-01", "{name: 元旦, from: 2026-12-31")
    found = _problems(tmp_path, bad)
    assert any(c == "INP001" and line == 5 and "2026-12-31 is not in 2027" in m
               for c, line, m in found)


def test_a_holiday_without_a_name_is_inp002_at_its_line(tmp_path: Path) -> None:
    bad = YEAR_2027.replace("{name: 春节, from", "{from")
    found = _problems(tmp_path, bad)
    assert any(c == "INP002" and line == 6 and "`name`" in m for c, line, m in found)


def test_a_weekday_make_up_day_an_end_before_start_and_an_unknown_key_are_inp001(
        tmp_path: Path) -> None:
    bad = (YEAR_2027.replace("2027-04-25]", "2027-04-26]")
           .replace("to: 2027-05-05", "to: 2027-04-30")
           .replace("    workdays:", "    workday: []\n    workdays:"))
    found = _problems(tmp_path, bad)
    lines = {(c, line) for c, line, _m in found}
    assert {("INP001", 7), ("INP001", 8), ("INP001", 9)} <= lines
    assert any("is a Monday" in m for _c, _l, m in found)
    assert any("unknown key `workday`" in m for _c, _l, m in found)


def test_a_malformed_year_is_reported_in_chinese(tmp_path: Path) -> None:
    bad = YEAR_2027.replace("{name: 春节, from", "{from")
    report = run([district(tmp_path, "2027-02-08,,8:20,11:40,lesson,\n", bad)], lang="zh")
    message = next(f.message for f in report.findings if f.code == "INP002")
    assert "假期缺少 `name`" in message and "修正前不使用" in message


def test_a_malformed_calendar_option_file_gives_input_findings_in_the_report(
        tmp_path: Path) -> None:
    calendar = tmp_path / "bad.yaml"
    calendar.write_text(YEAR_2027.replace("{name: 春节, from", "{from"), encoding="utf-8")
    folder = district(tmp_path / "d", "2025-10-08,,8:20,11:40,lesson,\n", calendar=None,
                      school={})
    report = run([folder], calendars=[str(calendar)])
    assert ("INP002", str(calendar), 6) in [(f.code, f.location.file, f.location.line)
                                            for f in report.findings]
    assert report.exit_status("error") == 2



def test_a_districts_declared_year_covers_its_own_schools_only(tmp_path: Path) -> None:
    city = tmp_path / "city"
    district(city / "north", "2027-02-08,,8:20,11:40,lesson,\n")
    school_folder(city / "south", {"schedule.csv": HEAD + "2027-02-08,,8:20,11:40,lesson,\n"},
                  dict(TERM_2027, id="S-2"))
    report = run([city])
    assert sorted(codes(report)) == ["HOL001", "INP007"]
    source = report.calendar_sources["2027"]
    assert source["kind"] == "declared" and source["file"].endswith("north/calendar.yaml")
    assert source["also"] == [{"kind": "uncovered", "source": None}]


def test_a_calendar_written_inline_in_the_settings_is_used_with_its_lines(tmp_path: Path
                                                                          ) -> None:
    from compliance.host.config import load_config

    inline = "profile: default\ncalendar:\n" + "".join(f"  {line}\n"
                                                       for line in YEAR_2027.splitlines())
    (tmp_path / "compliance.yaml").write_text(inline, encoding="utf-8")
    folder = district(tmp_path / "d", "2027-02-08,,8:20,11:40,lesson,\n", calendar=None)
    report = run([folder], config=load_config(None, tmp_path))
    assert codes(report) == ["HOL001"]
    assert report.calendar_sources["2027"]["line"] == 4  # the year's line in compliance.yaml
    broken = inline.replace("{name: 春节, from", "{from")
    (tmp_path / "compliance.yaml").write_text(broken, encoding="utf-8")
    report = run([folder], config=load_config(None, tmp_path))
    assert ("INP002", str(tmp_path / "compliance.yaml"), 8) in [
        (f.code, f.location.file, f.location.line) for f in report.findings]


def test_a_school_folder_checked_alone_uses_its_districts_declared_year(tmp_path: Path
                                                                        ) -> None:
    folder = district(tmp_path, "2027-02-08,,8:20,11:40,lesson,\n")
    report = run([folder / "school"])  # the district's calendar.yaml is found above it
    assert codes(report) == ["HOL001"]
    assert report.calendar_sources["2027"]["kind"] == "declared"
