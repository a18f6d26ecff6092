"""The HTML report: self-contained, escaped, charts, filterable table, week views."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest

from compliance.host.engine import Engine, RunOptions
from compliance.host.waivers import apply_waivers
from compliance.outputs.reporter import RenderOptions
from tests.conftest import FIXTURES, SAMPLES

EVIL = str(FIXTURES / "reports" / "evil")


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine(RunOptions(entry_points=False))


def html_of(engine: Engine, paths: list[str], lang: str = "en", waivers: bool = False) -> str:
    report = engine.check(paths)
    if waivers:
        apply_waivers(report, FIXTURES / "reports" / "waivers.yaml", engine, on=dt.date(2025, 12, 1))
    out = io.StringIO()
    engine.registry.reporters["html"].render(report, out, RenderOptions(lang=lang))
    return out.getvalue()


def test_html_is_self_contained_no_network_references(engine) -> None:
    page = html_of(engine, [str(SAMPLES / "zhongshan")])
    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", page)
    assert "@import" not in page and "url(" not in page


def test_submitted_text_is_escaped_everywhere(engine) -> None:
    page = html_of(engine, [EVIL])
    # Our one script block is the only <script>; the school name shows as text.
    assert page.count("<script>") == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<img src=x" not in page and "&lt;img src=x onerror=alert(2)&gt;" in page
    assert "<b>早读</b>" not in page


def test_week_view_marks_the_early_morning_reading_with_its_code(engine) -> None:
    page = html_of(engine, [str(SAMPLES / "zhongshan")])
    section = page[page.index('id="school-ZS-002"'):]
    section = section[:section.index("</section>")]
    bad = re.findall(r'<g class="entry bad" data-codes="([^"]*)"><title>([^<]*)</title>', section)
    assert any("HRS001" in codes and title.startswith("07:20-07:50") for codes, title in bad)
    # Monday to Saturday: ZS-002 holds a Saturday lesson (HOL004).
    assert "Saturday" in section and "Sunday" not in section
    assert "HOL002" in section  # the dated-entries table shows the Saturday exam


def test_charts_and_filter_controls_are_present(engine) -> None:
    page = html_of(engine, [str(SAMPLES / "zhongshan")], lang="zh")
    assert 'id="chart-schools"' in page and 'id="chart-codes"' in page
    assert page.count('class="bar"') >= 8
    for name in ("school", "code", "severity"):
        assert f'name="{name}"' in page
    assert "#fv-error:checked~table tr.row:not(.v-error)" in page
    assert "各校问题数" in page and "周作息视图" in page


def test_waivers_are_listed_and_waived_rows_marked(engine) -> None:
    page = html_of(engine, [str(SAMPLES / "zhongshan")], waivers=True)
    assert 'id="waivers"' in page and "毕业班周五晚自习经区教育局批准" in page
    assert re.search(r'<tr class="row [^"]* waived" data-school="ZS-002" data-code="HRS002"', page)


def test_html_is_the_same_for_the_same_input(engine) -> None:
    paths = [str(SAMPLES / "zhongshan")]

    def stable(page: str) -> str:  # the generation time is the one thing that may differ
        return re.sub(r"\d{4}-\d\d-\d\d \d\d:\d\d UTC", "", page)

    assert stable(html_of(engine, paths)) == stable(html_of(engine, paths))


def test_a_school_level_input_problem_does_not_mark_a_schedule_entry(engine) -> None:
    page = html_of(engine, [str(SAMPLES / "single-file")])
    assert "INP005" in page
    marked = re.findall(r'class="entry bad" data-codes="([^"]*)"', page)
    assert marked and all("INP005" not in codes for codes in marked)  # only HOL004 marks entries


def chart_labels(svg: str) -> list[tuple[str, list[str]]]:
    """(the tooltip, the lines shown) of every right-aligned label of a chart."""
    found = re.findall(r'<text [^>]*text-anchor="end"[^>]*><title>([^<]*)</title>(.*?)</text>', svg)
    return [(title, re.findall(r"<tspan[^>]*>([^<]*)</tspan>", spans)) for title, spans in found]


def test_a_long_rule_label_in_the_chart_keeps_its_code_and_wraps_whole() -> None:
    from collections import Counter

    from compliance.outputs.html import _bar_chart, _text_px

    full = "HWK005 不应布置书面作业的年级布置了书面作业，且超过了规定的时长和次数要求"
    svg = _bar_chart("各规则问题数", [(full, Counter(error=2)), ("HRS001 short", Counter(info=1))],
                     "chart-codes", coded=True)
    labels = chart_labels(svg)
    assert [title for title, _ in labels] == [full, "HRS001 short"]
    lines = labels[0][1]
    assert len(lines) >= 2 and lines[0].startswith("HWK005 不应")
    assert "".join(lines).replace(" ", "") == full.replace(" ", "")  # nothing cut
    assert labels[1][1] == ["HRS001 short"]
    assert all(_text_px(line) <= 240 for _, lines in labels for line in lines)


def test_every_rule_label_in_the_zh_chart_starts_with_its_code(engine: Engine) -> None:
    page = html_of(engine, [str(SAMPLES / "zhongshan")], lang="zh")
    chart = page[page.index('id="chart-codes"'):]
    chart = chart[:chart.index("</svg>")]
    labels = chart_labels(chart)
    assert labels
    for full, lines in labels:
        code = full.split(" ")[0]
        assert lines[0].startswith(code + " ")
        assert "".join(lines).replace(" ", "") == full.replace(" ", ""), lines
