"""Errors a user can cause: each prints as one clear line, never a traceback."""

from __future__ import annotations


class ComplianceError(Exception):
    """Base class: the message is shown to the user as is."""

    exit_code = 2


class UsageError(ComplianceError):
    """A wrong option, a missing file, an unknown profile or format."""


class ConfigError(ComplianceError):
    """A settings, profile, waiver or rule file that cannot be used; names file and line."""

    def __init__(self, message: str, file: str | None = None, line: int | None = None):
        where = f"{file}:{line}: " if file and line else (f"{file}: " if file else "")
        super().__init__(f"{where}{message}")
        self.file = file
        self.line = line


class PluginError(ComplianceError):
    """A plugin that cannot be loaded or breaks the hook contract; names plugin and hook."""
