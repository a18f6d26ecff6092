"""The HTML report's week view shows a class whose timetable grid holds no lesson (the
CUR001 case): an empty grid marked 空白, where it is, and links to its findings; a
filled class keeps its ordinary timetable, and a school without a blank grid shows none.

Timetables are built as office software writes them (tests/timetable_support.py);
one case opens the report in the system Chromium and follows a link to its finding.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from compliance.host.engine import Engine, RunOptions
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from tests.conftest import school_folder
from tests.timetable_support import GRADE3, week, workbook

CLASSES = ["3-1", "3-2"]
GRADE3_REQUIRED = 10  # the subjects national-2022 requires in grade 3


def checked(*folders: Path, lang: str = "zh", jobs: int = 1) -> tuple[Report, str]:
    engine = Engine(RunOptions(entry_points=False, lang=lang, jobs=jobs))
    report = engine.check([str(f) for f in folders])
    out = io.StringIO()
    engine.registry.reporters["html"].render(report, out, RenderOptions(lang=lang))
    return report, out.getvalue()


def stacked(tmp_path: Path, second: dict[str, int], name: str = "school") -> Path:
    """One sheet, two grids stacked: 三(1)班 fills its week, 三(2)班 as given."""
    folder = school_folder(tmp_path, {}, {"classes": CLASSES, "level": "nine_year"}, name=name)
    workbook(folder / "课程表.xlsx", {"课程表": [("三年级(1)班课程表", week(GRADE3)),
                                               ("三年级(2)班课程表", week(second))]})
    return folder


def blank_tables(page: str) -> list[str]:
    return re.findall(r'<table class="timetable blank" data-class="([^"]*)"', page)


def links_of(page: str, cls: str) -> list[tuple[str, str]]:
    """The (target, text) of each link under class ``cls``'s blank grid."""
    start = page.index(f'data-class="{cls}"')
    block = page[start:page.index("</p>", start)]
    return re.findall(r'<a href="#([^"]+)"[^>]*>([^<]*)</a>', block)


def test_a_blank_class_grid_is_shown_empty_marked_and_linked_to_its_findings(tmp_path) -> None:
    report, page = checked(stacked(tmp_path, {}))
    assert blank_tables(page) == ["3-2"]
    block = page[page.index('id="timetable-T-001-3-2"'):]
    assert '<span class="blank-tag">空白</span>' in block[:400]
    assert "本班课程表中没有任何课程（空白课表）" in block and "课程表.xlsx[课程表]:13" in block
    links = links_of(page, "3-2")
    cur001 = [(i, f) for i, f in enumerate(report.findings) if f.code == "CUR001"]
    assert len(links) == len(cur001) == GRADE3_REQUIRED
    for (target, text), (i, finding) in zip(links, cur001, strict=True):
        assert target == f"finding-{i}" and text == f"CUR001 {finding.subject['subject']}"
        # the link leads to that finding's row of the findings table
        row = re.search(rf'<tr class="row[^"]*"[^>]*data-code="CUR001"[^>]* id="{target}">', page)
        assert row, target
    # 三(1)班 keeps its ordinary timetable, subjects in cells
    assert "<h3>课程表 3-1</h3>" in page and "<td>语文</td>" in page


def test_a_filled_timetable_shows_no_blank_grid(tmp_path) -> None:
    report, page = checked(stacked(tmp_path, GRADE3))
    assert [f for f in report.findings if f.code.startswith("CUR")] == []
    assert blank_tables(page) == [] and "空白课表" not in page and "blank-tag\">" not in page
    # every finding row still has its id (nothing else changed for a filled timetable)
    assert len(re.findall(r'<tr class="row[^>]* id="finding-\d+">', page)) == len(report.findings)


def test_a_grid_of_one_lesson_is_a_timetable_not_a_blank(tmp_path) -> None:
    _, page = checked(stacked(tmp_path, {"语文": 1}))
    assert blank_tables(page) == [] and "<h3>课程表 3-2</h3>" in page


def test_a_blank_class_in_a_class_column_is_shown_blank(tmp_path) -> None:
    folder = school_folder(tmp_path, {}, {"classes": CLASSES, "level": "nine_year"})
    rows, blank = week(GRADE3, periods=6), week({}, periods=6)
    labels = ["三(1)班"] + [""] * (len(rows) - 1) + ["三(2)班"] + [""] * (len(blank) - 1)
    workbook(folder / "课程表.xlsx", {"全校": [("课程表", rows + blank)]}, class_column=labels)
    _, page = checked(folder)
    assert blank_tables(page) == ["3-2"] and len(links_of(page, "3-2")) == GRADE3_REQUIRED


def test_a_blank_grid_of_no_class_shows_only_when_it_is_the_whole_timetable(tmp_path) -> None:
    # beside a class's filled grid, an unnamed blank grid is judged by nothing: not shown
    folder = school_folder(tmp_path, {}, {"classes": ["3-1"]})
    workbook(folder / "课程表.xlsx", {"三(1)班": [("三(1)班课程表", week(GRADE3))],
                                      "Sheet1": [("课程表", week({}))]})
    assert blank_tables(checked(folder)[1]) == []
    # nothing but an unnamed blank grid: the whole school's, judged and shown
    alone = school_folder(tmp_path / "alone", {}, {"classes": ["3-1"]})
    workbook(alone / "课程表.xlsx", {"Sheet1": [("课程表", week({}))]})
    _, page = checked(alone)
    assert blank_tables(page) == [""]
    assert "课程表 全校" in page and len(links_of(page, "")) == GRADE3_REQUIRED


def test_the_blank_grid_is_in_english_too_and_the_same_in_parallel(tmp_path) -> None:
    one = stacked(tmp_path, {}, name="one")
    two = stacked(tmp_path, {}, name="two")
    (two / "school.yaml").write_text((two / "school.yaml").read_text("utf-8").replace("T-001", "T-002"),
                                     "utf-8")
    _, page = checked(one, two, lang="en", jobs=1)
    assert "This class&#x27;s timetable holds no lesson (left blank)" in page
    assert '<span class="blank-tag">blank</span>' in page and len(blank_tables(page)) == 2
    _, parallel = checked(one, two, lang="en", jobs=2)
    assert blank_tables(parallel) == blank_tables(page)
    assert re.findall(r'<p class="blank-findings">.*?</p>', parallel) == re.findall(
        r'<p class="blank-findings">.*?</p>', page)


def test_following_a_blank_grids_link_lands_on_its_finding_in_chromium(tmp_path) -> None:
    chromium = next((c for c in ("/usr/bin/chromium", shutil.which("chromium"),
                                 shutil.which("chromium-browser")) if c and Path(c).exists()), None)
    if chromium is None:
        pytest.skip("chromium is not installed (apt-get install -y chromium); browser test skipped")
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    _, page_html = checked(stacked(tmp_path, {}))
    path = tmp_path / "report.html"
    path.write_text(page_html, encoding="utf-8")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, headless=True,
                                             args=["--headless", "--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1100, "height": 800})
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(path.as_uri())
            grid = page.locator("table.timetable.blank")
            assert grid.count() == 1 and grid.is_visible()
            assert "空白" in page.locator("h3.blank-grid").inner_text()
            link = page.locator("p.blank-findings a").nth(2)
            target = link.get_attribute("href")
            link.click()
            assert page.evaluate("location.hash") == target
            row = page.locator("tr.row:target")
            assert row.count() == 1 and row.is_visible() and "CUR001" in row.inner_text()
            assert row.locator("td").nth(2).inner_text() == "CUR001"
            # filtered to warnings, the errors' rows are hidden: following the link shows its row
            page.goto(path.as_uri() + "#severity=warning")
            assert page.locator("tr.row[data-code=CUR001]").first.is_hidden()
            page.locator("p.blank-findings a").first.click()
            row = page.locator("tr.row.targeted")
            assert row.count() == 1 and row.is_visible() and "CUR001" in row.inner_text()
            shots = Path(__file__).resolve().parent / "artifacts"
            shots.mkdir(exist_ok=True)
            page.locator("h3.blank-grid").scroll_into_view_if_needed()
            page.screenshot(path=str(shots / "report-blank-grid.png"))
            assert problems == []
        finally:
            browser.close()
