"""The rule authors' test tools: the compliance_check fixture and `compliance verify`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SAMPLES

VERIFY = ROOT / "tests" / "verify"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    script = Path(sys.executable).with_name("compliance")
    return subprocess.run([str(script), *args], capture_output=True, text=True, cwd=cwd,
                          env={"COMPLIANCE_NO_ENTRY_POINTS": "1", "PATH": "",
                               "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"], "LANG": "C"})


def test_fixture_runs_inline_rows_in_a_school_folder(compliance_check) -> None:
    result = compliance_check(
        rows={"schedule": [
            {"date": "2025-10-09", "start": "08:00", "end": "11:00", "activity": "上课"},
            {"date": "2025-10-03", "start": "08:00", "end": "11:00", "activity": "补课"},
        ]},
        select=["HOL"], entry_points=False,
    )
    assert result.codes == ["HOL001"]
    assert result.lines("HOL001") == [3]
    assert (result.folder / "school.yaml").is_file()


def test_fixture_builds_school_yaml_from_a_dict(compliance_check) -> None:
    # outside every term of this school: vacation
    school = {"id": "X-9", "level": "junior",
              "terms": [{"name": "t", "start": "2025-09-01", "end": "2025-09-30"}]}
    result = compliance_check(
        rows={"schedule": [{"date": "2025-10-09", "start": "08:00", "end": "11:00",
                            "activity": "上课"}]},
        school=school, select=["HOL"], entry_points=False,
    )
    assert result.codes == ["HOL003"]
    assert result.findings[0].school_id == "X-9"


def test_fixture_runs_on_given_paths(compliance_check) -> None:
    result = compliance_check(SAMPLES / "zhongshan" / "zs-001", select=["HRS", "HOL"],
                              entry_points=False)
    assert result.codes == []
    assert result.report.summary()["schools"] == 1


def test_verify_passes_on_the_builtin_cases() -> None:
    result = cli("verify", str(VERIFY))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 case(s), 0 failed" in result.stdout


def test_verify_reports_missing_and_unexpected_findings(tmp_path: Path) -> None:
    case = tmp_path / "cases" / "wrong"
    shutil.copytree(VERIFY / "hol-public-holiday", case)
    (case / "expected.yaml").write_text(
        "select: [HOL]\nfindings:\n  - {code: HOL002, file: schedule.csv, line: 2}\n",
        encoding="utf-8")
    result = cli("verify", str(tmp_path / "cases"))
    assert result.returncode == 1
    out = result.stdout.splitlines()
    assert out[0] == "FAIL  wrong"
    assert out[1] == "      missing: HOL002 at schedule.csv:2"
    assert out[2].startswith("      unexpected: HOL001 at schedule.csv:2 — ")
    assert out[-1] == "1 case(s), 1 failed"


def test_verify_checks_subject_subsets(tmp_path: Path) -> None:
    case = tmp_path / "subject"
    shutil.copytree(VERIFY / "hol-public-holiday", case)
    text = (case / "expected.yaml").read_text(encoding="utf-8")
    (case / "expected.yaml").write_text(text.replace("National Day", "Labour Day"),
                                        encoding="utf-8")
    result = cli("verify", str(case))
    assert result.returncode == 1
    assert "missing: HOL001 at schedule.csv:2 {'date': '2025-10-03', 'holiday': 'Labour Day'}" \
        in result.stdout


def test_verify_errors_in_expected_yaml_name_the_line(tmp_path: Path) -> None:
    case = tmp_path / "bad"
    shutil.copytree(VERIFY / "hol-public-holiday", case)
    (case / "expected.yaml").write_text("findings:\n  - {code: HOL001, row: 2}\n",
                                        encoding="utf-8")
    result = cli("verify", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.startswith(f"compliance: error: {case / 'expected.yaml'}:2: unknown key")


def test_verify_of_a_folder_without_cases_is_a_usage_error(tmp_path: Path) -> None:
    result = cli("verify", str(tmp_path))
    assert result.returncode == 2
    assert "no case folder with an expected.yaml" in result.stderr
