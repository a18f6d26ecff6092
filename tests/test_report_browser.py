"""The HTML report in a real browser: headless Chromium renders it, the script runs
without console errors, the filter works, hostile text stays text, and a
screenshot is kept in tests/artifacts/ for a human to look at.

Skipped when Chromium is not installed (``.ci/run`` installs Debian's ``chromium``).
"""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from compliance.host.engine import Engine, RunOptions
from compliance.outputs.reporter import RenderOptions
from tests.conftest import FIXTURES, SAMPLES

ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--enable-logging=stderr", "--v=0"]


def chromium() -> str:
    for name in ("chromium", "chromium-browser"):
        path = shutil.which(name)
        if path:
            return path
    pytest.skip("chromium is not installed (apt-get install -y chromium); browser test skipped")


def run_chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / f"profile-{len(list(tmp_path.iterdir()))}"
    profile.mkdir()
    return subprocess.run([chromium(), *FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=False)


def console_messages(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if ":CONSOLE" in line]


@pytest.fixture(scope="module")
def page(tmp_path_factory) -> Path:
    engine = Engine(RunOptions(entry_points=False, lang="zh"))
    report = engine.check([str(SAMPLES / "zhongshan"), str(FIXTURES / "reports" / "evil")])
    out = io.StringIO()
    engine.registry.reporters["html"].render(report, out, RenderOptions(lang="zh"))
    path = tmp_path_factory.mktemp("html") / "report.html"
    path.write_text(out.getvalue(), encoding="utf-8")
    EXPECTED.clear()
    EXPECTED.extend(report.findings)
    return path


EXPECTED: list = []  # the findings the page was rendered from


def expected(school: str | None = None, severity: str | None = None, code: str | None = None) -> int:
    return sum(1 for f in EXPECTED if (school is None or f.school_id == school)
               and (severity is None or f.severity == severity) and (code is None or f.code == code))


def dump_dom(tmp_path: Path, url: str) -> tuple[str, list[str]]:
    done = run_chromium(tmp_path, "--virtual-time-budget=3000", "--dump-dom", url)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout, console_messages(done.stderr)


def visible_rows(dom: str) -> list[str]:
    rows = re.findall(r"<tr class=\"row[^>]*>", dom)
    return [r for r in rows if " hidden" not in r]


def test_report_renders_with_charts_table_and_no_console_errors(page, tmp_path) -> None:
    dom, console = dump_dom(tmp_path, page.as_uri())
    assert console == []
    assert re.search(r"<html[^>]*class=\"[^\"]*\bjs\b", dom), "the page script did not run"
    assert 'id="chart-schools"' in dom and 'id="chart-codes"' in dom
    assert dom.count('class="bar"') >= 8
    assert 'id="findings-table"' in dom
    assert len(visible_rows(dom)) == len(re.findall(r"<tr class=\"row", dom)) == expected()


def test_filter_from_the_address_shows_only_matching_rows(page, tmp_path) -> None:
    dom, console = dump_dom(tmp_path, page.as_uri() + "#school=ZS-002&severity=error")
    assert console == []
    rows = visible_rows(dom)
    shown = expected("ZS-002", "error")
    assert len(rows) == shown > 0
    assert all('data-school="ZS-002"' in r and 'data-severity="error"' in r for r in rows)
    assert re.search(rf'id="shown">{shown}<', dom)
    dom, _ = dump_dom(tmp_path, page.as_uri() + "#code=HRS001")
    rows = visible_rows(dom)
    assert len(rows) == expected(code="HRS001") > 0 and all('data-code="HRS001"' in r for r in rows)


def test_hostile_school_name_shows_as_text_not_markup(page, tmp_path) -> None:
    dom, console = dump_dom(tmp_path, page.as_uri())
    assert console == []  # an alert() would be logged; none ran
    assert len(re.findall(r"<script\b", dom)) == 1
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in dom
    assert "<img src=\"x\"" not in dom and "<img src=x" not in dom


def test_screenshot_is_saved_as_an_artifact(page, tmp_path) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "report.png"
    if shot.exists():
        shot.unlink()
    done = run_chromium(tmp_path, "--window-size=1280,4200", "--hide-scrollbars",
                        f"--screenshot={shot}", page.as_uri())
    assert done.returncode == 0, done.stderr[-2000:]
    assert console_messages(done.stderr) == []
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 20_000
