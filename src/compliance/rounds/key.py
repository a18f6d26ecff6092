"""The fingerprint key: the secret student ids are hashed with (HMAC) before they
enter a fingerprint, so a masked report cannot be reversed by hashing candidate ids.

Where it comes from, first found wins: ``COMPLIANCE_FINGERPRINT_KEY``, then
``fingerprint_key`` in the settings file, then a key file in the user's config
folder (``$XDG_CONFIG_HOME/compliance/fingerprint.key``, ``~/.config/...``, or
``%APPDATA%\\compliance`` on Windows), created on first use with mode 0600.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sys
from pathlib import Path

from compliance.host.errors import UsageError

ENV_KEY = "COMPLIANCE_FINGERPRINT_KEY"
KEY_FILE = "fingerprint.key"


def config_folder() -> Path:
    """The user's config folder for compliance (not created)."""
    if sys.platform == "win32" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "compliance"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "compliance"


class FingerprintKey:
    """The run's key, read (or the key file created) only when first needed.

    :param configured: ``fingerprint_key`` from the settings file, if any.
    """

    def __init__(self, configured: str | None = None):
        self._configured = configured
        self._secret: bytes | None = None
        self._keyed: hmac.HMAC | None = None
        self.source = ""

    @property
    def secret(self) -> bytes:
        """The key's bytes (resolving it on first use)."""
        if self._secret is None:
            self._secret = self._resolve()
        return self._secret

    @property
    def id(self) -> str:
        """A short public name for the key: equal ids, equal keys; the key cannot be
        recovered from it."""
        return hmac.new(self.secret, b"compliance fingerprint key id", hashlib.sha256
                        ).hexdigest()[:12]

    def known_id(self) -> str | None:
        """The key's id if there is a key already (set, or its file made); never makes one.

        A run whose fingerprints needed no key (no student ids) leaves no key file behind.
        """
        if self._secret is None and not (os.environ.get(ENV_KEY) or self._configured
                                         or (config_folder() / KEY_FILE).is_file()):
            return None
        return self.id

    def hash(self, value: str) -> str:
        """``value`` (a student id) as a keyed hash."""
        if self._keyed is None:  # keyed once; each hash copies it (half the cost)
            self._keyed = hmac.new(self.secret, digestmod=hashlib.sha256)
        mac = self._keyed.copy()
        mac.update(value.encode("utf-8", "surrogatepass"))
        return mac.hexdigest()

    def _resolve(self) -> bytes:
        env = os.environ.get(ENV_KEY)
        if env:
            self.source = ENV_KEY
            return env.encode("utf-8")
        if self._configured:
            self.source = "fingerprint_key"
            return str(self._configured).encode("utf-8")
        path = config_folder() / KEY_FILE
        self.source = str(path)
        return _key_file(path)


def _key_file(path: Path) -> bytes:
    """The key in ``path``, made there (mode 0600) if there is none yet.

    The new key is written to a private temporary file and linked into place, so two
    processes starting at once both end up with the one key that won.
    """
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{KEY_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as fh:
            fh.write(secrets.token_hex(32) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another run made it first: use theirs
        finally:
            tmp.unlink()
        return _read(path)
    except OSError as exc:
        raise UsageError(f"{path}: cannot create the fingerprint key file: {exc.strerror}; "
                         f"set {ENV_KEY} or fingerprint_key in the settings file") from None


def _read(path: Path) -> bytes:
    text = path.read_text(encoding="ascii", errors="replace").strip()
    if not text:
        raise UsageError(f"{path}: the fingerprint key file is empty; delete it to make a new "
                         f"key (findings compared with earlier runs will look new) or set "
                         f"{ENV_KEY}")
    return text.encode("ascii", errors="replace")
