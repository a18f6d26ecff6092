"""A plugin that misbehaves on request, for tests/test_adversarial_round2.py.

What its rule does is chosen by the ``HOSTILE`` environment variable, so one plugin
folder serves every case; ``HOSTILE_MARK`` names a file the rule writes its pid to
once it is running (a test waits for it before sending a signal).
"""

from __future__ import annotations

from pathlib import Path

PACK_YAML = """\
pack: hostile
title: {zh: 恶意插件, en: a hostile plugin}
clauses: [SUBMISSION]
rules:
  HST001:
    severity: error
    title: {zh: 按需出错, en: misbehaves on request}
    message: {zh: "不会出现", en: "never shown"}
"""

PLUGIN = '''
import os
import sys
import time
from pathlib import Path

from compliance.host.markers import hookimpl
from compliance.rules.pack import RulePack

pack = RulePack.from_yaml(Path(__file__).with_name("hostile.yaml"))


def _mark():
    mark = os.environ.get("HOSTILE_MARK")
    if mark:
        Path(mark).write_text(str(os.getpid()), encoding="utf-8")


@pack.check("HST001")
def misbehave(ctx):
    how = os.environ.get("HOSTILE", "")
    if how == "exit":
        sys.exit(0)
    if how == "interrupt":
        raise KeyboardInterrupt
    if how == "print":
        print("a plugin talking on stdout")
    if how == "loop":
        _mark()
        while True:  # an endless loop that swallows every error it can
            try:
                while True:
                    pass
            except Exception:
                pass
    if how == "sleep":
        _mark()
        time.sleep(120)
    yield from ()


class HalfReporter:
    name = "half"
    binary = False
    suffix = ".json"

    def render(self, report, out, options):
        out.write('{"findings": [')
        raise RuntimeError("the reporter gave up half-way")


class ExitingReporter:
    name = "quits"
    binary = False
    suffix = ".txt"

    def render(self, report, out, options):
        sys.exit(0)


class SlowReporter:
    """Writes half a report, then hangs: Ctrl-C arrives mid-write."""

    name = "slow"
    binary = False
    suffix = ".json"

    def render(self, report, out, options):
        out.write('{"findings": [')
        out.flush()
        _mark()
        time.sleep(120)


@hookimpl
def compliance_rule_packs():
    return [pack]


@hookimpl
def compliance_reporters():
    return [HalfReporter(), ExitingReporter(), SlowReporter()]
'''


def write_plugin(folder: Path) -> Path:
    """The plugin as a ``--plugins-dir`` folder."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "hostile.yaml").write_text(PACK_YAML, encoding="utf-8")
    (folder / "hostileplugin.py").write_text(PLUGIN, encoding="utf-8")
    return folder
