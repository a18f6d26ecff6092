"""A plugin the web-server tests load into the check workers (``-p tests.serve_test_plugin``).

Its one rule finds nothing; told by the environment the worker inherits, it first
sleeps ``COMPLIANCE_TEST_SLEEP`` seconds (a slow check, for the time limit, the
queue and a client that walks away) or allocates ``COMPLIANCE_TEST_ALLOCATE_MB``
megabytes (for the memory limit).  It also ships a curriculum plan,
``district-2025`` (tests/serve_test_plan.yaml), for the page's plan choice.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from compliance import hookimpl
from compliance.rules.context import SchoolContext
from compliance.rules.finding import Finding
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml(Path(__file__).with_name("serve_test_plugin.yaml"))


@pack.check("TST901")
def slow_or_greedy(ctx: SchoolContext) -> Iterator[Finding]:
    time.sleep(float(os.environ.get("COMPLIANCE_TEST_SLEEP", "0") or 0))
    ballast = bytearray(int(os.environ.get("COMPLIANCE_TEST_ALLOCATE_MB", "0") or 0) * 1024 * 1024)
    del ballast
    return iter(())


@hookimpl
def compliance_rule_packs() -> list[RulePack]:
    return [pack]


@hookimpl
def compliance_curricula() -> list[str]:
    return [str(Path(__file__).with_name("serve_test_plan.yaml"))]
