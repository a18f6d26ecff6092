"""A plugin the web-server tests load into the check worker (``-p tests.serve_test_plugin``).

It does nothing unless told by the environment, and only inside a check worker
(the server process imports it too, to list profiles): ``COMPLIANCE_TEST_SLEEP``
seconds of sleep (a slow check, for the time limit and the queue),
``COMPLIANCE_TEST_ALLOCATE_MB`` megabytes allocated (for the memory limit).
"""

from __future__ import annotations

import os
import sys
import time

_main = getattr(sys.modules.get("__main__"), "__spec__", None)
if _main is not None and _main.name == "compliance.web.worker":
    time.sleep(float(os.environ.get("COMPLIANCE_TEST_SLEEP", "0") or 0))
    _BALLAST = bytearray(int(os.environ.get("COMPLIANCE_TEST_ALLOCATE_MB", "0") or 0) * 1024 * 1024)
