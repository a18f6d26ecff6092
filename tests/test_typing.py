"""src/ passes ``mypy --strict`` (configured in pyproject.toml): CI runs this test."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT


def test_src_passes_mypy_strict() -> None:
    result = subprocess.run([sys.executable, "-m", "mypy", "--strict", "src/"], cwd=ROOT,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-5000:] + result.stderr[-2000:]
