"""The self-check page in a real browser: the system Chromium, driven by Playwright,
against ``compliance serve`` running under uvicorn on a free loopback port.

A school's folder is uploaded, its findings appear in the page and its round in
the history, the curriculum plan and the language are switched (a second round),
the XLSX is downloaded, and a hostile upload gets a clear message; the page never
logs a console error or a CSP violation.  Screenshots are kept in
tests/artifacts/ for a human to look at.

Skipped when Chromium (``/usr/bin/chromium``; ``.ci/run`` installs it) or the
Playwright package is missing.  Playwright never downloads a browser here.
"""

from __future__ import annotations

import io
import re
import shutil
from pathlib import Path

import pytest

from compliance.host.engine import Engine, RunOptions
from tests.conftest import ROOT, SAMPLES
from tests.serve_support import live_server

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
SCHOOL = SAMPLES / "zhongshan" / "zs-002"
expect = None  # playwright's expect, once the package is known to be there


def chromium() -> str:
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and Path(candidate).exists():
            return candidate
    pytest.skip("chromium is not installed (apt-get install -y chromium); browser test skipped")


@pytest.fixture(scope="module")
def browser():
    executable = chromium()
    global expect
    sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
    expect = sync_api.expect
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=FLAGS, headless=True)
        yield launched
        launched.close()


def history_rows(page) -> list[list[str]]:
    """The history table as the page shows it, newest first (its counts; not the button)."""
    rows = page.locator("#history-rows tr")
    return [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()][:8]
            for i in range(rows.count())]


def round_list(page, state: str) -> list[list[str]]:
    """The rows of one list (new / still / fixed) of the round shown in detail."""
    rows = page.locator(f"#round .list[data-state={state}] tr.finding")
    return [[c.strip() for c in rows.nth(i).locator("td").all_inner_texts()] for i in range(rows.count())]


def test_a_school_checks_itself_in_the_page(browser, tmp_path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    alone = tmp_path / SCHOOL.name  # uploaded on its own, without the district's zones
    shutil.copytree(SCHOOL, alone)
    expected = Engine(RunOptions(lang="zh", jobs=1)).check([str(alone)])
    codes = sorted({f.code for f in expected.findings})
    assert codes, "the sample school must have findings for this test to mean anything"
    # with a history (every check a round) and a plugin that ships a second plan
    with live_server(tmp_path, "--workers", "2", "--history", str(tmp_path / "rounds.db"),
                     "-p", "tests.serve_test_plugin", env={"PYTHONPATH": str(ROOT)}) as server:
        context = browser.new_context(accept_downloads=True, locale="zh-CN",
                                      viewport={"width": 1280, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))

        page.goto(server.url + "/")
        assert page.title() == "办学行为合规自查"
        assert page.locator("#check").inner_text() == "检查"
        page.wait_for_selector("#profile option", state="attached")
        plans = page.locator("#curriculum option").all_inner_texts()
        assert [p.split(" ")[0] for p in plans] == ["district-2025", "national-2022"], plans
        assert page.locator("#curriculum").input_value() == "national-2022"
        assert page.locator("#history").is_hidden()  # no round to show before a check
        page.screenshot(path=str(ARTIFACTS / "serve-1-page-zh.png"), full_page=True)

        # a folder, as "选择文件夹…" gives it (the relative paths travel with the files)
        page.set_input_files("#folder", str(SCHOOL))
        count = sum(1 for p in SCHOOL.rglob("*") if p.is_file())
        assert f"已选择 {count} 个文件" in page.locator("#chosen").inner_text()
        page.select_option("#profile", "national-2021")
        page.click("#check")
        page.wait_for_selector("#result:not([hidden])", timeout=60_000)
        summary = page.locator("#summary").inner_text()
        assert "1 所学校" in summary and "条问题" in summary, summary

        report = page.frame_locator("#report")
        report.locator("tr.row").first.wait_for(timeout=30_000)
        shown = report.locator("body").inner_text()
        for code in codes:
            assert code in shown, f"{code} is not shown in the page"
        assert "ZS-002" in shown
        page.screenshot(path=str(ARTIFACTS / "serve-2-report-zh.png"), full_page=True)

        # the history section: this check is the school's first round, every finding new
        expect(page.locator("#history-rows tr")).to_have_count(1, timeout=30_000)
        assert "学校 ZS-002：共 1 轮" in page.locator("#history-note").inner_text()
        n = re.search(r"共 (\d+) 条问题", summary).group(1)  # the report's count, under national-2021
        (first,) = history_rows(page)
        assert first[0] == "1" and first[2:] == ["national-2021", "national-2022", n, n, "0", "0"], first
        # ... and shown in detail at once: every finding new, each with its code and place
        expect(page.locator("#round-title")).to_contain_text("第 1 轮明细", timeout=30_000)
        assert "第一轮" in page.locator("#round-note").inner_text()
        new_rows = round_list(page, "new")
        in_report = report.locator("tr.row:not(.fixed) td:nth-child(3)").all_inner_texts()
        assert len(new_rows) == int(n) and sorted(r[0] for r in new_rows) == sorted(in_report)
        assert all(r[1] == "ZS-002" and r[2].startswith("zs-002/") and r[4] for r in new_rows)
        assert page.locator("#round .list[data-state=fixed]").inner_text().endswith("无。")
        page.locator("#history").screenshot(path=str(ARTIFACTS / "serve-5-history-zh.png"))

        # another plan, then English: checked again, a second round, the newest first
        page.select_option("#curriculum", "district-2025")

        # English: the page and (checked again) the report switch
        page.click("#lang")
        assert page.locator("#check").inner_text() == "Check"
        # (waits go through locators: the page's CSP forbids the eval a wait_for_function needs)
        expect(page.locator("#status")).to_have_text(re.compile(r"^Checked in"), timeout=60_000)
        assert "school(s)" in page.locator("#summary").inner_text()
        report.locator("html[lang=en]").wait_for(timeout=30_000)
        assert "district-2025" in report.locator("body").inner_text()  # the CUR findings' plan
        expect(page.locator("#history-rows tr")).to_have_count(2, timeout=30_000)
        assert page.locator("#history th").first.inner_text() == "Round"
        newest, oldest = history_rows(page)
        assert newest[0] == "2" and newest[3] == "district-2025"
        assert oldest[0] == first[0] and oldest[2:] == first[2:]  # (the time is now written in English)
        # the same school under district-2025: 3-1's PE is now too little (CUR002, new), 7-1's
        # 36-lesson week no longer too long (CUR003, fixed); everything else still there
        new, still, fixed = (int(x) for x in newest[5:8])
        assert (new, fixed) == (1, 1) and still == int(n) - 1 and new + still == int(newest[4])
        # the new round in detail: which finding is new, which fixed (where it was before)
        expect(page.locator("#round-title")).to_contain_text("Round 2 in detail", timeout=30_000)
        assert "previous round (round 1)" in page.locator("#round-note").inner_text()
        (added,) = round_list(page, "new")
        (gone,) = round_list(page, "fixed")
        assert added[0] == "CUR002" and "3-1" in added[4] and added[2].startswith("zs-002/")
        assert gone[0] == "CUR003" and "7-1" in gone[4]
        assert len(round_list(page, "still")) == still
        page.locator("#history").screenshot(path=str(ARTIFACTS / "serve-7-history-en.png"))
        # an earlier round can be opened from its row
        page.locator("#history-rows tr").nth(1).locator("button").click()
        expect(page.locator("#round-title")).to_contain_text("Round 1 in detail", timeout=30_000)
        assert len(round_list(page, "new")) == int(n)
        page.screenshot(path=str(ARTIFACTS / "serve-3-report-en.png"), full_page=True)

        with page.expect_download() as caught:
            page.click("#dl-xlsx")
        download = caught.value
        assert download.suggested_filename == "compliance-report.xlsx"
        saved = ARTIFACTS / "serve-report.xlsx"
        download.save_as(str(saved))
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(saved.read_bytes()))
        cells = " ".join(str(c.value) for sheet in book for row in sheet.iter_rows() for c in row if c.value)
        assert "ZS-002" in cells and codes[0] in cells

        # a blank template, where this version has them
        kinds = page.locator("#templates-list a")
        if kinds.count():
            with page.expect_download() as caught:
                kinds.first.click()
            assert caught.value.suggested_filename.startswith("template-")
            template = ARTIFACTS / "serve-template.xlsx"
            caught.value.save_as(str(template))
            assert template.read_bytes()[:2] == b"PK"

        # a school id written as markup comes back from the history as text, never as markup
        hostile = tmp_path / "hostile"
        shutil.copytree(SAMPLES / "zhongshan" / "zs-001", hostile)
        yaml = hostile / "school.yaml"
        yaml.write_text(yaml.read_text("utf-8").replace("id: ZS-001", 'id: "<img src=x id=pwn>ZS"'), "utf-8")
        page.set_input_files("#folder", str(hostile))
        page.click("#check")
        expect(page.locator("#history-note")).to_contain_text("<IMGSRC=XID=PWN>ZS", timeout=60_000)
        assert page.locator("#pwn").count() == 0 and page.locator("#history img").count() == 0
        assert history_rows(page)[0][0] == "3"

        # a refused upload: one clear line in the page, no report
        bad = tmp_path / "school.zip"
        bad.write_bytes(b"this is not a zip")
        page.set_input_files("#files", str(bad))
        page.click("#check")
        message = page.locator("#message")
        message.wait_for(state="visible")
        expect(message).to_contain_text("zip")
        assert "school.zip" in message.inner_text() and "zip" in message.inner_text()
        assert page.locator("#result").is_hidden()
        page.screenshot(path=str(ARTIFACTS / "serve-4-refused-en.png"), full_page=True)

        context.close()
        assert all(u.startswith((server.url, "blob:", "data:", "about:")) for u in requests), requests
        # the refused upload's 400 is logged by Chromium itself; anything else is a defect
        assert [p for p in problems if "status of 400" not in p] == [], problems
        assert server.uploads_left() == []


SURNAMES = "赵钱孙李周吴郑王冯陈褚卫蒋沈韩杨朱秦尤许"
GIVEN = ("一鸣", "子轩", "欣怡", "浩然", "梓涵", "雨桐")


def crowded_school(root: Path, pupils: int) -> tuple[Path, list[str]]:
    """ZS-001 with ``pupils`` more pupils whose addresses match no zone (one INP006
    each): a round with more findings than the page lists at once.  Also their names."""
    folder = root / "zs-001"
    shutil.copytree(SAMPLES / "zhongshan" / "zs-001", folder)
    names = [SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)] for i in range(pupils)]
    rows = "".join(f"G2102022019{i:06d}X,{name},1,,中山区长江路{i + 1}号,,,,nearby\n"
                   for i, name in enumerate(names))
    with (folder / "enrollment.csv").open("a", encoding="utf-8") as out:
        out.write(rows)
    return folder, names


def blank_timetable_school(root: Path) -> Path:
    """School ZS-001 whose 课程表.xlsx has 三(1)班 filled and 三(2)班 handed in blank."""
    from tests.conftest import school_folder
    from tests.timetable_support import GRADE3, week, workbook

    folder = school_folder(root, {}, {"id": "ZS-001", "classes": ["3-1", "3-2"], "level": "nine_year"},
                           name="zs-001")
    workbook(folder / "课程表.xlsx", {"课程表": [("三年级(1)班课程表", week(GRADE3)),
                                               ("三年级(2)班课程表", week({}))]})
    return folder


def test_a_schools_rounds_in_detail_paged_and_masked(browser, tmp_path) -> None:
    """A school token: its empty history said plainly; after twenty rounds recorded and a
    check with many new findings, the round list is capped with an "earlier rounds"
    line and the new list with an "N more" line and a button that shows them."""
    from compliance.rounds.apply import RoundOptions, apply_rounds

    token = "school-zs001-token-browser-0123456789"
    tokens = tmp_path / "tokens.yaml"
    tokens.write_text(f"{token}: {{school: ZS-001}}\n", encoding="utf-8")
    db = tmp_path / "rounds.db"
    crowded, names = crowded_school(tmp_path / "crowded", 64)
    with live_server(tmp_path, "--workers", "1", "--history", str(db), "--tokens", str(tokens)) as server:
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
        page = context.new_page()
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(str(e)))
        page.goto(server.url + "/")
        page.fill("#token", token)
        page.click("#token-save")
        # no round yet: said in words, no empty table
        expect(page.locator("#history-note")).to_contain_text("学校 ZS-001 还没有检查记录", timeout=30_000)
        assert page.locator("#history-table").is_hidden() and page.locator("#round").is_hidden()

        # twenty rounds of the school as handed in, recorded as `compliance check --history` does
        alone = tmp_path / "plain" / "zs-001"
        shutil.copytree(SAMPLES / "zhongshan" / "zs-001", alone)
        engine = Engine(RunOptions(lang="zh", jobs=1))
        for _ in range(20):
            apply_rounds(engine.check([str(alone)]), engine, [str(alone)], RoundOptions(history=str(db)))
        before = len(engine.check([str(alone)]).findings)

        page.set_input_files("#folder", str(crowded))
        page.click("#check")
        page.wait_for_selector("#result:not([hidden])", timeout=60_000)
        expect(page.locator("#round-title")).to_contain_text("第 21 轮明细", timeout=30_000)
        assert "学校 ZS-001：共 21 轮" in page.locator("#history-note").inner_text()
        assert len(history_rows(page)) == 20 and history_rows(page)[0][0] == "21"
        assert page.locator("#history-more-note").inner_text() == "还有 1 轮更早的记录未显示。"
        assert "上一轮（第 20 轮）" in page.locator("#round-note").inner_text()

        # 64 new findings: 50 listed, then one line saying how many more, and a button
        new = page.locator("#round .list[data-state=new]")
        assert new.locator("h4").inner_text() == "新增 (64)"
        assert len(round_list(page, "new")) == 50
        assert new.locator(".more").inner_text().startswith("还有 14 条未显示。")
        assert len(round_list(page, "still")) == before
        page.locator("#history").screenshot(path=str(ARTIFACTS / "serve-6-round-paged-zh.png"))
        new.locator("button.show-more").click()
        expect(new.locator("tr.finding")).to_have_count(64, timeout=30_000)
        assert new.locator(".more").count() == 0
        rows = round_list(page, "new")
        assert {r[0] for r in rows} == {"INP006"} and rows[-1][2] == "zs-001/enrollment.csv:73"

        # the earlier rounds, on asking
        page.click("#history-all")
        assert len(history_rows(page)) == 21 and history_rows(page)[-1][0] == "1"
        assert page.locator("#history-more").is_hidden()

        # no child's name or student id anywhere in the history
        shown = page.locator("#history").inner_text()
        assert not [n for n in names if n in shown]
        assert "G2102022019000001X" not in shown and "李沐阳" not in shown
        assert "个人信息在检查历史中始终脱敏保存" in shown

        # a class's blank timetable in the served report: marked, and its links lead to
        # the findings table inside the report's sandboxed frame
        blank = blank_timetable_school(tmp_path / "blank")
        page.set_input_files("#folder", str(blank))
        page.click("#check")
        expect(page.locator("#round-title")).to_contain_text("第 22 轮明细", timeout=60_000)
        report = page.frame_locator("#report")
        grid = report.locator("table.timetable.blank")
        grid.wait_for(timeout=30_000)  # drawn: a frame whose files were chosen again is not blank
        assert grid.get_attribute("data-class") == "3-2"
        link = report.locator("p.blank-findings a").first
        target = link.get_attribute("href")
        link.click()
        row = report.locator(f"tr{target}")
        expect(row).to_have_class(re.compile(r"\btargeted\b"), timeout=10_000)
        assert row.is_visible() and "CUR001" in row.inner_text()
        assert report.locator("table.timetable.blank").count() == 1  # still the report, not another page
        context.close()
        # the page's first call, before the token was entered, is logged by Chromium itself
        assert [p for p in problems if "status of 401" not in p] == [], problems
