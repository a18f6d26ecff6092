"""`compliance new-plugin NAME` writes a package that installs, passes its tests and
shows up in `compliance plugins`."""

from __future__ import annotations

import json
import site
import subprocess
import sys
import venv
from pathlib import Path

import pytest

from compliance.host.errors import UsageError
from compliance.scaffold import new_plugin


def test_scaffold_writes_the_package_files(tmp_path: Path) -> None:
    target = new_plugin("school-trips", tmp_path / "pkg", "TRP001")
    files = sorted(p.relative_to(target).as_posix() for p in target.rglob("*") if p.is_file())
    assert files == ["README.md", "pyproject.toml", "src/compliance_school_trips/__init__.py",
                     "src/compliance_school_trips/rules.yaml", "tests/test_plugin.py"]
    pyproject = (target / "pyproject.toml").read_text(encoding="utf-8")
    assert '[project.entry-points.compliance]\nschool-trips = "compliance_school_trips"' in pyproject
    assert "TRP001" in (target / "tests" / "test_plugin.py").read_text(encoding="utf-8")


@pytest.mark.parametrize(("name", "code", "fragment"), [
    ("School Trips", "TRP001", "not a valid name"),
    ("trips", "trp1", "must be 2-5 capital letters"),
])
def test_scaffold_refuses_bad_names(tmp_path: Path, name: str, code: str, fragment: str) -> None:
    with pytest.raises(UsageError, match=fragment):
        new_plugin(name, tmp_path / "x", code)


def test_scaffold_refuses_a_non_empty_target(tmp_path: Path) -> None:
    (tmp_path / "keep.txt").write_text("x")
    with pytest.raises(UsageError, match="already exists"):
        new_plugin("trips", tmp_path)


@pytest.mark.slow
def test_scaffolded_plugin_installs_passes_its_tests_and_is_listed(tmp_path: Path) -> None:
    script = Path(sys.executable).with_name("compliance")
    made = subprocess.run([str(script), "new-plugin", "school-trips", "--code", "TRP001",
                           "--dir", str(tmp_path / "plugin")], capture_output=True, text=True)
    assert made.returncode == 0, made.stderr
    # a fresh virtualenv that sees this one's packages (compliance, pytest) through a .pth
    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=False)
    python = env_dir / "bin" / "python"
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path("
                              "'purelib'))"], capture_output=True, text=True).stdout.strip()
    # `import` lines of a .pth run; addsitedir also reads that folder's own .pth files
    # (the editable install of compliance is one)
    Path(purelib, "outer.pth").write_text(
        "".join(f"import site; site.addsitedir({p!r})\n" for p in site.getsitepackages()))
    install = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install",
                              "-q", "--no-deps", "-e", str(tmp_path / "plugin")],
                             capture_output=True, text=True)
    assert install.returncode == 0, install.stdout + install.stderr
    tests = subprocess.run([str(python), "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                           cwd=tmp_path / "plugin", capture_output=True, text=True)
    assert tests.returncode == 0, tests.stdout + tests.stderr
    assert "2 passed" in tests.stdout
    listing = subprocess.run(
        [str(python), "-c", "import sys; from compliance.cli import main; "
         "sys.argv = ['compliance', 'plugins', '--format', 'json']; main()"],
        capture_output=True, text=True)
    rows = {row["name"]: row for row in json.loads(listing.stdout)}
    assert rows["school-trips"]["origin"] == "entry point"
    assert rows["school-trips"]["source"] == "compliance-school-trips"
