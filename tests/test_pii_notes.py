"""A footnote or a title that names a pupil (``注：王小明因病休学``, a title row
``王小明等转入学生名单``) stands in no personal column, so cell-by-cell masking cannot
see it; the school's own lists say who its pupils are, and every note and title of its
files is masked with them — in every report, both ways of checking — unless
``--show-pii``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from openpyxl import Workbook
from typer.testing import CliRunner

from compliance.cli import app
from compliance.host.engine import Engine, RunOptions
from compliance.outputs.json import JsonReporter
from compliance.outputs.reporter import RenderOptions

SCHOOL = "school:\n  id: S-1\n  name: 测试学校\n  level: primary\n  catchment: [Z01]\n"
PUPIL, PUPIL_ID = "欧阳明轩", "G2019000042"


def school(root: Path) -> Path:
    folder = root / "s1"
    folder.mkdir(parents=True)
    (folder / "school.yaml").write_text(SCHOOL, encoding="utf-8")
    rows = [f"{PUPIL}等转入学生名单", "学籍号,姓名,年级,居住学区,录取方式",
            f"{PUPIL_ID},{PUPIL},3,Z01,就近", "G2019000043,李四,3,Z01,就近",
            f"注：{PUPIL}（{PUPIL_ID}）因病休学，已办理手续"]
    (folder / "enrollment.csv").write_bytes("\r\n".join(rows).encode("gbk") + b"\r\n")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "作业公示"
    sheet.append([f"三年级作业公示（{PUPIL}家长协助填写）"])
    sheet.merge_cells("A1:F1")
    sheet.append(["日期", "年级", "班级", "科目", "作业内容", "时长（分钟）"])
    sheet.append(["2025-11-03", "3", "3-1", "语文", "背诵课文", "20"])
    sheet.append([f"说明：{PUPIL}同学请假"])
    book.save(folder / "homework.xlsx")
    return folder


def report_text(paths: list[str], show_pii: bool, loaded: bool = False) -> str:
    engine = Engine(RunOptions(jobs=1, entry_points=False, show_pii=show_pii, lang="zh"))
    report = engine.check_loaded(paths) if loaded else engine.check(paths)
    out = __import__("io").StringIO()
    JsonReporter().render(report, out, RenderOptions(lang="zh"))
    return out.getvalue()


@pytest.mark.parametrize("loaded", [False, True], ids=["streamed", "all-in-memory"])
def test_notes_and_titles_naming_a_pupil_are_masked(tmp_path: Path, loaded: bool) -> None:
    folder = school(tmp_path)
    masked = report_text([str(folder)], show_pii=False, loaded=loaded)
    notes = {n["path"].rsplit("/", 1)[1]: n for n in json.loads(masked)["files"]}
    assert PUPIL not in masked and PUPIL_ID not in masked
    assert notes["enrollment.csv"]["title"] == "欧***等转入学生名单"
    texts = [n["text"] for f in notes.values() for n in f["notes"]]
    assert any("欧***（*******0042）因病休学" in t for t in texts), texts
    assert any("欧***同学请假" in t for t in texts), texts
    assert "欧***家长协助填写" in notes["homework.xlsx"]["title"]
    shown = report_text([str(folder)], show_pii=True, loaded=loaded)
    assert f"注：{PUPIL}（{PUPIL_ID}）因病休学" in shown and f"{PUPIL}等转入学生名单" in shown


def test_the_two_ways_of_checking_mask_alike(tmp_path: Path) -> None:
    folder = school(tmp_path)
    assert report_text([str(folder)], False) == report_text([str(folder)], False, loaded=True)


@pytest.mark.parametrize("fmt", ["text", "html", "csv"])
def test_no_format_shows_the_pupil_named_in_a_footnote(tmp_path: Path, fmt: str) -> None:
    folder = school(tmp_path)
    out = tmp_path / f"r.{fmt}"
    result = CliRunner().invoke(app, ["check", str(folder), "--no-entry-points", "-f", fmt,
                                      "-o", str(out), "--lang", "zh"])
    assert result.exit_code in (0, 1), result.output
    text = out.read_text("utf-8")
    assert PUPIL not in text and PUPIL_ID not in text


def test_a_short_id_does_not_tear_other_words_apart(tmp_path: Path) -> None:
    """An id of a few characters (a class's own 学号 ``12``) is not looked for inside
    texts — ``12:00`` stays — while a name of two characters is."""
    folder = tmp_path / "s1"
    folder.mkdir()
    (folder / "school.yaml").write_text(SCHOOL, encoding="utf-8")
    rows = ["学籍号,姓名,年级,居住学区,录取方式", "12,李雷,3,Z01,就近",
            "注：12:00 后李雷由家长接送"]
    (folder / "enrollment.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    text = report_text([str(folder)], show_pii=False)
    assert "注：12:00 后李*由家长接送" in text and "李雷" not in text


def district(root: Path) -> Path:
    """A district's own list (a 学校代码 column) over nine schools, with a title and a
    footnote naming pupils of two schools; each school has its own folder and profile."""
    root.mkdir(parents=True)
    for n in range(9):
        folder = root / f"s{n}"
        folder.mkdir()
        (folder / "school.yaml").write_text(SCHOOL.replace("S-1", f"S-{n}"), encoding="utf-8")
    rows = ["中山区新生名单（含欧阳明轩等转入生）", "学籍号,姓名,学校代码,年级,居住学区,录取方式"]
    rows += [f"G20190{n:05d},学生{n:03d},S-{n % 9},3,Z01,就近" for n in range(60)]
    rows += [f"{PUPIL_ID},{PUPIL},S-3,3,Z01,就近", "G2019000077,司马相如,S-7,3,Z01,就近",
             f"注：{PUPIL}、司马相如（G2019000077）为转入生"]
    (root / "enrollment.csv").write_bytes("\r\n".join(rows).encode("gbk") + b"\r\n")
    return root


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_district_lists_footnote_is_masked_with_every_schools_pupils(tmp_path: Path,
                                                                       jobs: int) -> None:
    """The list's notes are read while planning (in the main process), its rows checked
    school by school (in workers): each school tells which of its pupils the notes name,
    and the notes are masked with all of them — as the all-in-memory check does."""
    root = district(tmp_path / "d")
    engine = Engine(RunOptions(jobs=jobs, entry_points=False, lang="zh"))
    out = __import__("io").StringIO()
    JsonReporter().render(engine.check([str(root)]), out, RenderOptions(lang="zh"))
    text = out.getvalue()
    for value in (PUPIL, PUPIL_ID, "司马相如", "G2019000077"):
        assert value not in text, value
    assert "注：欧***、司***（*******0077）为转入生" in text
    assert "含欧***等转入生" in text
    assert text == report_text([str(root)], show_pii=False, loaded=True)
    shown = report_text([str(root)], show_pii=True)
    assert f"注：{PUPIL}、司马相如（G2019000077）为转入生" in shown
