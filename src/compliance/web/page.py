"""The page: one self-contained HTML file and the Content-Security-Policy that fits it.

The page's own script and the HTML report's script are allowed by their SHA-256
hashes and nothing else runs: no external resource, no ``eval``, no inline event
handler.  The report is shown in an ``<iframe sandbox="allow-scripts">`` (its own
opaque origin: its script can filter the table but cannot reach the page or the
server); a ``srcdoc`` frame inherits the page's policy, which is why the report's
script hash is listed here.  Inline styles are allowed because the report's
filter CSS and week-view colours are made per report; every piece of submitted
text in it is escaped, so a style cannot be injected.
"""

from __future__ import annotations

import base64
import hashlib
import re
from importlib import resources

#: every API answer: nothing may load, run or frame it, even if a browser opens it
API_CSP = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'; sandbox"


def script_hash(body: str) -> str:
    """The CSP source for an inline ``<script>`` whose text is ``body``."""
    digest = hashlib.sha256(body.encode("utf-8")).digest()
    return f"'sha256-{base64.b64encode(digest).decode('ascii')}'"


def inline_scripts(html: str) -> list[str]:
    """The bodies of the inline ``<script>`` elements of ``html``."""
    return re.findall(r"<script>(.*?)</script>", html, flags=re.S)


class Page:
    """The page's HTML and its policy."""

    def __init__(self) -> None:
        from compliance.outputs.html import SCRIPT as REPORT_SCRIPT

        self.html = resources.files("compliance.web").joinpath("static/index.html").read_text("utf-8")
        hashes = [script_hash(s) for s in inline_scripts(self.html)] + [script_hash(REPORT_SCRIPT)]
        self.csp = "; ".join([
            "default-src 'none'",
            f"script-src {' '.join(hashes)}",
            "style-src 'unsafe-inline'",
            "img-src data: blob:",
            "connect-src 'self'",
            "frame-src 'self' blob:",
            "form-action 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ])
