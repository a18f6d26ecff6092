"""Shared helpers: the repository's folders, a school-folder builder and a runner."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from compliance.host.engine import Engine, RunOptions
from compliance.outputs.report import Report

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

URBAN_PRIMARY: dict[str, Any] = {
    "id": "T-001",
    "name": "测试小学",
    "level": "primary",
    "area": "urban",
    "catchment": ["Z01"],
    "classes": ["1-1", "2-1", "3-1", "4-1", "5-1", "6-1"],
    "terms": [
        {"name": "2025秋季学期", "start": "2025-09-01", "end": "2026-01-16"},
        {"name": "2026春季学期", "start": "2026-02-09", "end": "2026-07-03"},
    ],
    "disclosure": {
        "schedule": {"published": True},
        "timetable": {"published": True},
        "homework": {"published": True},
    },
}


@pytest.fixture(autouse=True, scope="session")
def _private_config_folder(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The fingerprint key file is made in a temporary config folder, never the user's,
    and reports carry a fixed run time (session-wide, so module fixtures see it too)."""
    with pytest.MonkeyPatch.context() as patch:
        folder = tmp_path_factory.getbasetemp() / "user-config"
        patch.setenv("XDG_CONFIG_HOME", str(folder))
        patch.setenv("APPDATA", str(folder))
        patch.delenv("COMPLIANCE_FINGERPRINT_KEY", raising=False)
        # the run's time in reports' evidence: fixed, so reports are byte-stable
        patch.setenv("SOURCE_DATE_EPOCH", "1764547200")
        yield


def school_folder(root: Path, files: dict[str, str | bytes], school: dict[str, Any] | None = None,
                  name: str = "school") -> Path:
    """A school folder with ``school.yaml`` (JSON is valid YAML) and the given files."""
    folder = root / name
    folder.mkdir(parents=True, exist_ok=True)
    profile = dict(URBAN_PRIMARY, **(school or {}))
    (folder / "school.yaml").write_text(json.dumps({"school": profile}, ensure_ascii=False),
                                        encoding="utf-8")
    for file_name, content in files.items():
        path = folder / file_name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    return folder


def run(paths: list[Path | str], **options: Any) -> Report:
    """Run the engine as the CLI would, without installed third-party plugins."""
    options.setdefault("entry_points", False)
    return Engine(RunOptions(**options)).check([str(p) for p in paths])


def codes(report: Report) -> list[str]:
    return [f.code for f in report.findings]


@pytest.fixture
def samples() -> Path:
    return SAMPLES
