"""The second hostile round (issue 14): each case built the way it was found.

Cheap cases run in-process or through typer's runner; anything that could hang or
eat memory (FIFOs, ``/dev/zero``, giant lines and workbooks) runs the CLI in a
subprocess under a time limit and an address-space rlimit (tests/adversarial_corpus.py).
"""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from compliance.cli import app
from tests.adversarial_corpus import HEADER, SCHOOL

GOOD = "Mon-Fri,08:00,11:40,lesson,上午\n"


def invoke(*args: str | Path) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["check", "--no-entry-points", "--lang", "en",
                                      *[str(a) for a in args]])
    return result.exit_code, result.stdout, result.stderr


def school_dir(root: Path, files: dict[str, str | bytes]) -> Path:
    folder = root / "adv"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "school.yaml").write_bytes(SCHOOL.read_bytes())
    for name, content in files.items():
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return folder


# --- 3. waivers cannot hide unread input -----------------------------------------


def test_a_waiver_naming_an_input_finding_is_refused_with_one_line(tmp_path: Path) -> None:
    folder = school_dir(tmp_path, {"schedule.csv": HEADER + "Mon-Fri,25:00,11:40,lesson,x\n"})
    waivers = tmp_path / "waivers.yaml"
    for code in ("INP001", "ERR001", "inp003"):
        waivers.write_text(f"waivers:\n  - code: {code}\n    reason: r\n    approved_by: a\n"
                           "    expires: 2099-01-01\n", encoding="utf-8")
        status, out, err = invoke("--format", "json", "--waivers", waivers, folder)
        assert status == 2
        assert out == ""
        assert err.count("\n") == 1 and "cannot be waived" in err and f"{waivers}:2" in err, err


def test_input_findings_are_never_marked_waived_through_the_api(tmp_path: Path) -> None:
    from compliance.host.waivers import matches
    from compliance.inputs.model import Location
    from compliance.rules.finding import Finding

    finding = Finding(code="INP001", severity="error", pack="inputs", school_id=None, message="m",
                      location=Location("f"), subject={}, citation="")
    assert not matches({"code": "INP001", "school_id": None, "match": {}}, finding)
