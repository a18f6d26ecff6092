"""The human formats as people read them: the clause each finding breaks, severity in
words, columns that fit 80 columns without breaking a token, clean schools named,
and an HTML page whose tables, charts and week view do not cut or wrap what matters."""

from __future__ import annotations

import io
import re
from functools import cache

import pytest
from rich.cells import cell_len

from compliance.host.engine import Engine, RunOptions
from compliance.outputs.html import _entry_lines, _text_px, render_html, wrap_label
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from compliance.outputs.rich import RichReporter, wrap_tokens
from compliance.outputs.text import TextReporter
from tests.conftest import SAMPLES


@cache
def report(lang: str) -> Report:
    return Engine(RunOptions(lang=lang, entry_points=False)).check([str(SAMPLES / "zhongshan")])


def render(reporter: object, lang: str, width: int = 80) -> str:
    out = io.StringIO()
    reporter.render(report(lang), out, RenderOptions(lang=lang, color=False, width=width,  # type: ignore[attr-defined]
                                                     terminal=False))
    return out.getvalue()


# -- rich --------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_rich_fits_80_columns_without_breaking_a_token(lang: str) -> None:
    text = render(RichReporter(), lang)
    lines = text.splitlines()
    assert max(cell_len(line) for line in lines) <= 80
    header = next(line for line in lines if line.startswith(("Where", "位置")))
    assert "…" not in header, header  # "Severity" whole, not "Severi…"
    # the tokens the issue saw broken: a school id, a file name, a rule code
    assert not re.search(r"Z\s*\n\s*S-002|enrollment\.ya\s*\n", text)
    for line in lines:
        stripped = line.rstrip()
        assert not re.search(r"(ZS-0|ENR0|HRS0|\.ya)$", stripped), stripped


def test_rich_says_severity_in_words_and_sizes_the_location_column() -> None:
    text = render(RichReporter(), "zh")
    assert "错误" in text and "警告" in text
    header = next(line for line in text.splitlines() if line.startswith("位置"))
    # the location column is as wide as its longest entry (the timetable's cell,
    # `课程表.xlsx[初一(1)班]:3`, 24 cells), not half the table
    assert header.index("代码") <= cell_len("课程表.xlsx[初一(1)班]:3") + 4


def test_rich_and_text_name_the_clause_of_every_code() -> None:
    for reporter in (RichReporter(), TextReporter()):
        text = " ".join(render(reporter, "en", width=100).split())
        assert "Clauses (compliance explain CODE quotes them)" in text
        assert "HRS001 HRS002 HRS003" in text and "LOCAL-HOURS municipal compulsory-education" in text
        assert "MINORS-33 Law on the Protection of Minors, art. 33" in text
        codes = {f.code for f in report("en").findings}
        clause_block = text[text.index("Clauses ("):]
        assert all(code in clause_block for code in codes)


def test_clean_schools_are_listed_in_one_line() -> None:
    for reporter in (RichReporter(), TextReporter()):
        lines = [line for line in render(reporter, "en", width=120).splitlines()
                 if line.startswith("Schools without findings")]
        assert lines == ["Schools without findings: ZS-001 中山区第一小学, ZS-003 中山区石桥镇中心小学, "
                         "ZS-004 中山区滨江初级中学"]


def test_rich_by_code_summary_is_a_few_lines_not_a_table() -> None:
    text = render(RichReporter(), "en")
    summary = text[text.index("Summary"):]
    code_lines = [line for line in summary.splitlines() if "×" in line]
    assert 1 <= len(code_lines) <= 3
    assert len(code_lines) < len(report("en").findings) / 5


def test_wrap_tokens_breaks_between_words_and_keeps_punctuation_attached() -> None:
    lines = wrap_tokens("学籍号被2所学校同时录取：ZS-002（a/b.yaml:38）、ZS-004（c.csv:2）", 16)
    assert all(cell_len(line) <= 16 for line in lines)
    assert not any(line.startswith(("：", "）", "、", "》")) for line in lines)
    assert any("ZS-002" in line for line in lines) and any("ZS-004" in line for line in lines)


# -- HTML --------------------------------------------------------------------------------


def test_html_shows_the_clause_quoted_on_demand() -> None:
    page = render_html(report("zh"), "zh")
    assert page.count('<details class="clause">') == len(report("zh").findings)
    assert "<summary>依据: LOCAL-HOURS 市义务教育工作要点</summary>" in page
    assert "城市中小学继续坚持“早八晚五”作息时间" in page  # the quoted text, inside <details>


def test_html_drops_the_waiver_column_when_nothing_is_waived() -> None:
    page = render_html(report("zh"), "zh")
    head = re.search(r'<table id="findings-table"><thead><tr>(.*?)</tr>', page).group(1)  # type: ignore[union-attr]
    assert "豁免依据" not in head and head.count("<th") == 5


def test_html_keeps_severity_codes_and_school_ids_on_one_line() -> None:
    page = render_html(report("zh"), "zh")
    assert re.search(r"td\.nw,th\.nw[^{]*\{white-space:nowrap\}", page)
    assert '<td class="nw sev-error">错误</td>' in page
    assert '<td class="nw">ZS-002</td>' in page


def test_html_shows_when_and_from_what_it_was_made() -> None:
    page = render_html(report("en"), "en")
    meta = re.search(r'<p class="meta">(.*?)</p>', page).group(1)  # type: ignore[union-attr]
    assert re.search(r"Generated: \d{4}-\d\d-\d\d \d\d:\d\d UTC", meta)
    assert "Checked: <code>" in meta and "zhongshan</code>" in meta


def test_html_english_chart_labels_are_whole() -> None:
    page = render_html(report("en"), "en")
    chart = page[page.index('id="chart-codes"'):page.index("</svg>", page.index('id="chart-codes"'))]
    for title, spans in re.findall(r"<text[^>]*><title>(.*?)</title>(.*?)</text>", chart):
        shown = " ".join(re.findall(r"<tspan[^>]*>(.*?)</tspan>", spans))
        assert "…" not in shown and shown == title, (title, shown)


def test_wrap_label_keeps_the_code_and_fits() -> None:
    lines = wrap_label("ENR002 a selective admission (exam, interview or competition)", 230, 7)
    assert lines[0].startswith("ENR002 ") and " ".join(lines).endswith("competition)")
    assert all(_text_px(line) <= 230 for line in lines)


@pytest.mark.parametrize(("height", "room"), [(11, 1), (22, 2), (33, 3), (5, 0)])
def test_week_entries_write_only_what_fits_their_box(height: float, room: int) -> None:
    entry = {"start": "08:00", "end": "08:20", "title": "早读课（初中部）", "grades": "7;8;9"}
    for width in (40.0, 140.0):
        lines = _entry_lines(entry, "早读", "7;8;9", "", width, height, "zh")
        assert len(lines) <= room
        assert all(_text_px(text, 10) <= width for text, _ in lines)
    # an entry with findings always shows its codes
    bad = _entry_lines(entry, "早读", "7;8;9", "HRS001", 140.0, 5, "zh")
    assert bad[0][0] == "HRS001"
