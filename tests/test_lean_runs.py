"""Work a run does only when asked for: the HTML week view's schedule rows are built
only when a requested report format draws them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from compliance.cli import app
from compliance.outputs import report as report_module
from tests.conftest import SAMPLES

runner = CliRunner()


@pytest.fixture
def built(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = report_module.schedule_rows

    def counting(submissions: Any) -> Any:
        calls.append(1)
        return real(submissions)

    import compliance.host.engine as engine_module
    import compliance.host.parallel as parallel_module

    monkeypatch.setattr(parallel_module, "schedule_rows", counting)
    monkeypatch.setattr(engine_module, "schedule_rows", counting)
    monkeypatch.setenv("COMPLIANCE_NO_ENTRY_POINTS", "1")
    return calls


def test_json_alone_builds_no_schedule_rows(built: list[int], tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(SAMPLES), "-f", "json", "-j", "1",
                                 "-o", str(tmp_path / "r.json")])
    assert result.exit_code in (0, 1, 2), result.output
    assert built == []


def test_an_html_report_gets_them_and_draws_the_week(built: list[int], tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", str(SAMPLES), "-f", "json", "-j", "1",
                                 "-o", str(tmp_path / "r.json"),
                                 "-r", f"html:{tmp_path / 'r.html'}"])
    assert result.exit_code in (0, 1, 2), result.output
    assert built
    assert "08:00" in (tmp_path / "r.html").read_text("utf-8")


def test_a_reporter_that_does_not_say_gets_them(built: list[int], tmp_path: Path) -> None:
    """A third-party format without ``uses_schedules`` may read them: they are built."""
    plugin = tmp_path / "weekfmt.py"
    plugin.write_text(
        "from compliance.host.markers import hookimpl\n"
        "class Week:\n"
        "    name = 'week'\n    binary = False\n    suffix = '.txt'\n"
        "    def render(self, report, out, options):\n"
        "        out.write(str(sum(len(v) for v in report.schedules.values())))\n"
        "@hookimpl\n"
        "def compliance_reporters():\n    return [Week()]\n", encoding="utf-8")
    result = runner.invoke(app, ["check", str(SAMPLES), "-f", "week", "-j", "1",
                                 "--plugins-dir", str(tmp_path)])
    assert built
    assert int(result.output.strip().splitlines()[-1]) > 0


@pytest.mark.parametrize("jobs", [1, 2])
def test_pyarrow_does_not_pull_in_pandas(tmp_path: Path, jobs: int) -> None:
    """pyarrow imports pandas, when installed, on its first conversion of a list; a run
    that reads a CSV by columns must not pay for that (pandas stays importable) — nor
    the main process of a run over workers, whose first conversion is ENR004's.

    Where pandas is not installed, a stand-in ``pandas`` that leaves a mark when
    imported (and then fails as a missing one would) tells the same."""
    import importlib.util
    import subprocess
    import sys

    fake = tmp_path / "fake"
    marker = tmp_path / "pandas-imported"
    real = importlib.util.find_spec("pandas") is not None
    if not real:
        (fake / "pandas").mkdir(parents=True)
        (fake / "pandas" / "__init__.py").write_text(
            f"open({str(marker)!r}, 'a').write('x')\n"
            "raise ImportError('a stand-in for the test')\n", encoding="utf-8")
    district = tmp_path / "d"
    rows = "".join(f"G{i:06d},张三,1,nearby\n" for i in range(2000))  # over 16 KiB: by columns
    for n in range(10 if jobs > 1 else 1):  # a pool needs a few schools
        folder = district / f"s{n}"
        folder.mkdir(parents=True)
        (folder / "school.yaml").write_text(f"school:\n  id: S-{n}\n  level: primary\n",
                                            encoding="utf-8")
        (folder / "enrollment.csv").write_text("student_id,name,grade,admission_basis\n" + rows,
                                               encoding="utf-8")
    code = ("import sys\n" + ("" if real else f"sys.path.insert(0, {str(fake)!r})\n")
            + "from compliance.host.engine import Engine, RunOptions\n"
            f"Engine(RunOptions(jobs={jobs}, entry_points=False)).check([{str(district)!r}])\n"
            "print('pyarrow' in sys.modules, 'pandas' in sys.modules)\n")
    if real:
        code += ("import pandas, pyarrow as pa\n"
                 "print(len(pa.table({'a': [1]}).to_pandas()))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split()[:2] == ["True", "False"]
    assert not marker.exists()
    if real:
        assert out.stdout.split()[2] == "1"
