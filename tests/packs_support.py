"""Build a small district in a temporary folder and check it: the packs' tests in a few lines."""

from __future__ import annotations

import shutil
from pathlib import Path

from compliance.host.engine import Engine, RunOptions
from compliance.outputs.report import Report
from compliance.rules.finding import Finding
from tests.conftest import FIXTURES

PACKS = FIXTURES / "packs"


def district(tmp_path: Path, schools: dict[str, dict[str, str]], *, zones: bool = True,
             calendar: bool = True) -> Path:
    """A district folder: the fixture zones/calendar plus one folder per school.

    Each school maps file names to contents; a school without ``school.yaml``
    gets the fixture profile with its ``id`` replaced by the folder name.
    """
    root = tmp_path / "district"
    root.mkdir()
    if zones:
        shutil.copy(PACKS / "district" / "zones.yaml", root / "zones.yaml")
    if calendar:
        shutil.copy(PACKS / "district" / "calendar.yaml", root / "calendar.yaml")
    base = (PACKS / "district" / "school.yaml").read_text(encoding="utf-8")
    for name, files in schools.items():
        folder = root / name
        folder.mkdir()
        if "school.yaml" not in files:
            (folder / "school.yaml").write_text(base.replace("T-001", name.upper()), encoding="utf-8")
        for file, text in files.items():
            (folder / file).write_text(text, encoding="utf-8")
    return root


def fixture(pack: str, name: str) -> str:
    return (PACKS / pack / name).read_text(encoding="utf-8")


def run(path: Path, profile: str = "default", **options: object) -> Report:
    return Engine(RunOptions(profile=profile, entry_points=False, **options)).check([str(path)])  # type: ignore[arg-type]


def check(tmp_path: Path, files: dict[str, str], profile: str = "default",
          **options: object) -> list[Finding]:
    """Findings for one school (``t-001``) in the fixture district."""
    return run(district(tmp_path, {"t-001": files}), profile, **options).findings


def codes(findings: list[Finding], prefix: str = "") -> list[str]:
    return sorted(f.code for f in findings if f.code.startswith(prefix))
