"""The ``compliance`` console script, kept tiny so ``compliance --version`` starts fast.

``compliance.cli`` imports typer (and with it click); the version needs neither.
"""

from __future__ import annotations

import sys


def main() -> None:
    """Answer ``--version`` at once; hand everything else to the typer app."""
    if sys.argv[1:] in (["--version"], ["-V"]):
        from compliance import __version__

        sys.stdout.write(f"compliance {__version__}\n")
        return
    from compliance.cli import main as cli_main

    cli_main()
