"""Reading the State Council's holiday notice as published into an ``official:`` year."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from compliance.inputs.calendar import compliance_official_calendar as packaged
from compliance.inputs.model import Location
from compliance.inputs.notice import NoticeError, merge_into, parse_notice, year_yaml
from compliance.inputs.official_years import parse_official
from compliance.inputs.yaml_reader import load_text
from compliance.rules.i18n import label

FIXTURES = Path(__file__).parent / "fixtures" / "calendar"


def notice_text(year: int) -> str:
    return (FIXTURES / f"notice-{year}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize("year", [2025, 2026])
def test_the_imported_notice_equals_the_packaged_calendar_day_for_day(year: int) -> None:
    notice = parse_notice(notice_text(year))
    # through the written YAML and the same reader a bureau's calendar.yaml goes through
    problems: list[object] = []
    declared = parse_official(load_text(year_yaml(notice)), Location("x.yaml"), problems)[year]
    assert problems == []
    reference = packaged(year)
    assert reference is not None
    assert set(declared.holidays) == set(reference.holidays)
    assert declared.workdays == reference.workdays
    assert declared.differences(reference) == []
    for day, name in reference.holidays.items():  # 国庆节、中秋节 covers both packaged names
        assert label("holiday", name, "zh") in declared.holidays[day].split("、")


def test_the_notice_title_and_number_are_the_source() -> None:
    notice = parse_notice(notice_text(2026))
    assert notice.year == 2026
    assert notice.source == "国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号)"
    assert "source: 国务院办公厅关于2026年部分节假日安排的通知 (国办发明电〔2025〕7号)" in \
        year_yaml(notice)


def test_a_shared_period_keeps_both_names_and_several_make_up_days_in_one_sentence() -> None:
    notice = parse_notice(notice_text(2025))
    assert ("国庆节、中秋节", dt.date(2025, 10, 1), dt.date(2025, 10, 8)) in notice.periods
    assert dt.date(2025, 9, 28) in notice.workdays and dt.date(2025, 10, 11) in notice.workdays
    assert ("端午节", dt.date(2025, 5, 31), dt.date(2025, 6, 2)) in notice.periods  # across months
    assert ("元旦", dt.date(2025, 1, 1), dt.date(2025, 1, 1)) in notice.periods  # a single day


TITLE = "国务院办公厅关于2027年部分节假日安排的通知\n"


def test_older_forms_are_read_years_in_dates_weekdays_as_xingqi_and_buxiu() -> None:
    notice = parse_notice(
        "国务院办公厅关于2019年部分节假日安排的通知\n"
        "一、元旦：2018年12月30日至2019年1月1日放假调休，共3天。2018年12月29日（星期六）上班。\n"
        "二、春节：2月4日至10日放假调休，共7天。2月2日（星期六）、2月3日（星期日）上班。\n")
    assert notice.periods[0] == ("元旦", dt.date(2019, 1, 1), dt.date(2019, 1, 1))
    assert notice.workdays == [dt.date(2019, 2, 2), dt.date(2019, 2, 3)]
    assert len(notice.notes) == 2  # the 2018 days belong to 2018's calendar, said so
    buxiu = parse_notice(TITLE + "一、元旦：1月1日（周五）放假，1月4日（周一）补休。\n")
    assert buxiu.periods == [("元旦", dt.date(2027, 1, 1), dt.date(2027, 1, 1)),
                             ("元旦", dt.date(2027, 1, 4), dt.date(2027, 1, 4))]


def test_an_advisory_sentence_is_skipped_and_noted() -> None:
    notice = parse_notice(TITLE + "二、春节：2月6日（周六）至13日（周六）放假调休，共8天。"
                          "鼓励各单位安排职工在除夕（2月5日）休息。\n")
    assert notice.periods == [("春节", dt.date(2027, 2, 6), dt.date(2027, 2, 13))]
    assert "除夕" in notice.notes[0]["zh"]


def test_an_item_may_wrap_over_lines_and_gbk_crlf_text_reads(tmp_path: Path) -> None:
    from compliance.inputs.notice import read_notice_file

    path = tmp_path / "notice.txt"
    path.write_bytes((TITLE + "一、劳动节：5月1日（周六）至5日（周三）\r\n放假调休，共5天。\r\n")
                     .encode("gbk"))
    notice = parse_notice(read_notice_file(path))
    assert notice.periods == [("劳动节", dt.date(2027, 5, 1), dt.date(2027, 5, 5))]


@pytest.mark.parametrize(("text", "said", "named"), [
    ("一、元旦：1月1日（周五）放假，具体另行通知。", "cannot read this sentence", "具体另行通知"),
    ("一、元旦：1月1日（周四）放假。", "2027-01-01 is a 周五", "1月1日（周四）放假"),
    ("一、清明节：4月3日（周六）至5日（周一）放假，共4天。", "says 共4天 but the holiday dates make 3",
     "共4天"),
    ("一、元旦：1月1日（周五）放假2天。", "says 2 day(s) but the dates span 1", "放假2天"),
    ("一、春节：2月6日至13日放假调休，共8天。2月15日（周一）上班。", "not a Saturday or Sunday",
     "2月15日（周一）上班"),
    ("一、元旦：1月1日（节后）放假。", "cannot read '节后' in brackets", "1月1日（节后）放假"),
    ("一、元旦1月1日放假。", "should start with the holiday's name", "一、元旦1月1日放假"),
    ("一、春节：8日至13日放假。", "has no month", "8日至13日放假"),
])
def test_a_sentence_it_cannot_read_is_an_error_naming_it(text: str, said: str, named: str
                                                          ) -> None:
    with pytest.raises(NoticeError) as caught:
        parse_notice(TITLE + text + "\n")
    message = caught.value.text("en")
    assert said in message
    assert message.startswith("line 2: ")
    assert named in message


def test_the_error_is_given_in_chinese_too() -> None:
    with pytest.raises(NoticeError) as caught:
        parse_notice(TITLE + "一、元旦：1月1日（周五）放假，具体另行通知。\n")
    assert caught.value.text("zh").startswith("第 2 行：无法识别的句子")
    assert "具体另行通知" in caught.value.text("zh")


def test_dates_outside_the_items_and_a_missing_title_are_errors() -> None:
    with pytest.raises(NoticeError, match="outside the numbered items"):
        parse_notice(TITLE + "一、元旦：1月1日（周五）放假。\n\n另外，5月6日（周四）放假。\n")
    with pytest.raises(NoticeError, match="no notice title"):
        parse_notice("一、元旦：1月1日（周五）放假。\n")
    with pytest.raises(NoticeError, match="no numbered items"):
        parse_notice(TITLE + "经国务院批准，现通知如下。\n")


def test_overlapping_items_are_an_error() -> None:
    with pytest.raises(NoticeError, match="in both"):
        parse_notice(TITLE + "一、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。\n"
                     "二、端午节：5月5日（周三）放假。\n")


def test_merging_keeps_the_rest_of_a_calendar_file_and_replaces_a_year() -> None:
    notice = parse_notice(notice_text(2026))
    existing = ("# 中山区校历\nholidays: [2026-03-09]   # 区运动会\nofficial:\n  2026:\n"
                "    source: old\n    holidays: []\n")
    text, replaced = merge_into(existing, notice)
    assert replaced
    assert "# 中山区校历" in text and "# 区运动会" in text and "source: old" not in text
    data = load_text(text)
    assert data["holidays"] == ["2026-03-09"]
    assert len(data["official"]["2026"]["holidays"]) == 7
    fresh, replaced = merge_into("holidays: []\n", notice)
    assert not replaced and "国办发明电〔2025〕7号" in fresh
