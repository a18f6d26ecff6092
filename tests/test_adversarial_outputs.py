"""Reports over hostile data are safe to open: rich markup prints literally, terminal
control sequences and bidi overrides never reach the terminal, a cell cannot forge a
report line, and names from the data are never used as paths.

(CSV/XLSX formula injection and HTML escaping belong to those reporters, on their own
branch; text, rich and json are covered here.)"""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from compliance.host.engine import Engine, RunOptions
from compliance.outputs.json import JsonReporter
from compliance.outputs.labels import clean
from compliance.outputs.report import Report
from compliance.outputs.reporter import RenderOptions
from compliance.outputs.rich import RichReporter
from compliance.outputs.sarif import SarifReporter
from compliance.outputs.text import TextReporter
from tests.adversarial_corpus import ADVERSARIAL, SCHOOL, run_cli

ESC = "\x1b"
DANGEROUS = [ESC, "\x9b", "\x07", "\u202e", "\u2066", "\u200b", "\r", "\u2028"]

HOSTILE_SCHOOL = """\
school:
  id: EVIL-1
  name: "学校\\e[2J\\e]0;owned\\a\\u202E\\n/forged.csv:1: HOL001 error: forged [bold red]X[/bold red]"
  level: primary
  area: urban
  boarding: false
  classes: [1-1]
  terms:
    - {name: 秋季学期, start: 2025-09-01, end: 2026-01-16}
"""


def render(report: Report, reporter: object, color: bool = False) -> str:
    out = io.StringIO()
    reporter.render(report, out, RenderOptions(lang="en", color=color, width=120,
                                               terminal=color))
    return out.getvalue()


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """A school whose name, file names, sheet-free cells and values are all hostile."""
    root = tmp_path_factory.mktemp("hostile") / "school"
    root.mkdir()
    (root / "school.yaml").write_text(HOSTILE_SCHOOL, encoding="utf-8")
    for name in ("markup.csv", "control_chars.csv"):
        (root / name).write_bytes((ADVERSARIAL / name).read_bytes())
    evil_name = f"sched{ESC}[31mule\u202e.csv"
    (root / evil_name).write_text("days,start,end,activity\nMon-Fri,[red]8[/red],9:00,lesson\n",
                                  encoding="utf-8")
    return Engine(RunOptions(entry_points=False, lang="en")).check([str(root)])


@pytest.mark.parametrize("color", [False, True], ids=["plain", "colour"])
@pytest.mark.parametrize("reporter", [TextReporter(), RichReporter()], ids=["text", "rich"])
def test_no_control_or_bidi_character_reaches_the_terminal(hostile: Report, reporter: object,
                                                           color: bool) -> None:
    text = render(hostile, reporter, color)
    if color and isinstance(reporter, RichReporter):
        # Rich's own styling is the only escape sequence allowed: SGR codes, nothing else.
        import re

        text = re.sub(r"\x1b\[[0-9;]*m", "", text)
    for char in DANGEROUS:
        assert char not in text, repr(char)
    assert "owned" in text  # the data is shown, defused, not dropped


@pytest.mark.parametrize("reporter", [TextReporter(), RichReporter()], ids=["text", "rich"])
def test_rich_markup_in_data_prints_literally(hostile: Report, reporter: object) -> None:
    text = render(hostile, reporter, color=True)
    assert "[bold red]Mon[/bold red]" in text
    assert "[link=https://evil.example]8[/link]" in text
    assert "\x1b]8;" not in text  # no hyperlink was made


def test_a_cell_cannot_forge_a_report_line(hostile: Report) -> None:
    text = render(hostile, TextReporter())
    assert not any(line.startswith("/forged.csv") for line in text.splitlines())
    assert "?/forged.csv:1: HOL001 error: forged" in text  # on the school's own line


@pytest.mark.parametrize("reporter", [JsonReporter(), SarifReporter()], ids=["json", "sarif"])
def test_json_escapes_control_c1_and_bidi_characters(hostile: Report, reporter: object) -> None:
    text = render(hostile, reporter)
    for char in DANGEROUS:
        if char != "\u200b":  # a zero-width space reorders nothing: kept as it is
            assert char not in text, repr(char)
    data = json.loads(text)
    if isinstance(reporter, JsonReporter):  # (SARIF percent-encodes file names)
        assert "\\u202e" in text  # escaped, not dropped
        assert "\u202e" in json.dumps(data, ensure_ascii=False)  # kept, as data


def test_clean_replaces_every_control_and_bidi_character() -> None:
    assert clean("a\x1b[2Jb\x9b1mc\u202ed\u2066e\nf\rg\th\u2028i\ufeffj") == \
        "a?[2Jb?1mc?d?e?f?g?h?i?j"
    assert clean("中文 [bold]ok[/bold]") == "中文 [bold]ok[/bold]"


def test_names_from_the_data_are_never_used_as_paths(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    (work / "data.yaml").write_text(
        "kind: ../../escaped\nschool_id: ../../../tmp/evil\nrows:\n"
        "  - {days: Mon-Fri, start: '08:00', end: '09:00', activity: lesson}\n",
        encoding="utf-8")
    (work / "school.yaml").write_text(
        (SCHOOL.read_text(encoding="utf-8")).replace("ADV-001", "../../x/../escaped"),
        encoding="utf-8")
    before = sorted(p.name for p in tmp_path.rglob("*"))
    run = run_cli("--output", tmp_path / "report.txt", work, school=False)
    after = sorted(p.name for p in tmp_path.rglob("*"))
    assert sorted([*before, "report.txt"]) == after
    assert run.status in (0, 1), run.output  # findings are fine; no file was written elsewhere
    assert "1 school(s), 2 file(s)" in (tmp_path / "report.txt").read_text(encoding="utf-8")
