"""``compliance new-plugin NAME``: write a ready plugin package from the templates in
``compliance/templates/plugin``.

The package it writes (``compliance-NAME/``)::

    pyproject.toml                 setuptools; entry point group `compliance`
    README.md
    src/compliance_NAME/__init__.py    one rule in Python + the compliance_rule_packs hook
    src/compliance_NAME/rules.yaml     the rule's metadata (zh/en)
    tests/test_plugin.py           passing tests using the compliance_check fixture
"""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from string import Template

from compliance.host.errors import UsageError

NAME = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
CODE = re.compile(r"^[A-Z]{2,5}[0-9]{3}$")

FILES = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "init.py.tmpl": "src/{module}/__init__.py",
    "rules.yaml.tmpl": "src/{module}/rules.yaml",
    "test_plugin.py.tmpl": "tests/test_plugin.py",
}


def new_plugin(name: str, target: Path | None = None, code: str = "XMP001") -> Path:
    """Write the package for plugin ``name`` into ``target`` (default
    ``./compliance-NAME``) and return that folder.

    :raises UsageError: for a bad name or code, or a target that exists.
    """
    name = name.removeprefix("compliance-")
    if not NAME.match(name):
        raise UsageError(f"new-plugin: {name!r} is not a valid name: use lower-case letters, "
                         "digits and hyphens, e.g. school-trips")
    if not CODE.match(code):
        raise UsageError(f"new-plugin: --code {code!r} must be 2-5 capital letters and 3 digits, "
                         "e.g. TRP001")
    module = "compliance_" + name.replace("-", "_")
    target = target or Path(f"compliance-{name}")
    if target.exists() and any(target.iterdir()):
        raise UsageError(f"new-plugin: {target} already exists and is not empty")
    values = {"name": name, "module": module, "code": code}
    templates = resources.files("compliance") / "templates" / "plugin"
    for template, dest in FILES.items():
        text = Template(templates.joinpath(template).read_text(encoding="utf-8"))
        path = target / dest.format(module=module)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text.substitute(values), encoding="utf-8")
    return target
