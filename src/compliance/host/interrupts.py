"""Stopping work: Ctrl-C and SIGTERM for the whole run, a time limit for one rule.

A plugin can raise anything, ``KeyboardInterrupt`` and ``SystemExit`` included, and
the engine turns all of it into ERR001 (:data:`PLUGIN_FAULTS`).  That only works if a
real Ctrl-C is told apart from a plugin's ``raise KeyboardInterrupt``: while a run is
on, :func:`stop_on_signals` makes SIGINT and SIGTERM raise :class:`Interrupted`, which
no guard catches.  :func:`time_limit` stops a rule that never returns with
:class:`RuleTimeout`, raised inside it by SIGALRM (and again every half second, so a
rule that swallows the first one is still stopped).

Signals reach only a process's main thread: both helpers do nothing elsewhere (a
run started from a thread is then neither interruptible this way nor time-limited).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Iterator
from types import FrameType

#: what a plugin's code may raise and the engine contains (ERR001, INP003, one error line)
PLUGIN_FAULTS: tuple[type[BaseException], ...] = (Exception, SystemExit, KeyboardInterrupt)
#: how often a rule past its limit is interrupted again (it may catch the first one)
REPEAT = 0.5


class Interrupted(BaseException):
    """The user (SIGINT) or the system (SIGTERM) stopped the run.

    :attr signum: the signal; :attr status: the exit status for it (130, 143).
    """

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        self.status = 128 + signum


class RuleTimeout(BaseException):
    """A rule ran past its time limit (raised inside the rule)."""

    def __init__(self, seconds: float):
        super().__init__(f"did not return within {seconds:g} s")
        self.seconds = seconds


def _in_main_thread() -> bool:
    return threading.current_thread() is threading.main_thread()


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """While inside, SIGINT and SIGTERM raise :class:`Interrupted` (main thread only)."""
    if not _in_main_thread():
        yield
        return

    def handler(signum: int, frame: FrameType | None) -> None:
        raise Interrupted(signum)

    before = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in before.items():
            signal.signal(sig, old)


def worker_signals(parent: int | None = None) -> None:
    """In a worker process: Ctrl-C is the parent's to handle, SIGTERM simply ends it, and
    the worker dies with ``parent`` (the process that started it) however that ends."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    _die_with(parent)


#: ``prctl`` option: the signal a process gets when the thread that made it ends
_PR_SET_PDEATHSIG = 1


def _die_with(parent: int | None) -> None:
    """On Linux, have the kernel kill this process when ``parent`` dies — by SIGKILL or
    the out-of-memory killer too, which give it no chance to stop its workers — so a
    worker stuck in a plugin's endless loop (with no time limit) never outlives its run.
    Elsewhere a worker ends when it next asks its parent for work."""
    if not sys.platform.startswith("linux") or parent is None:
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):  # no libc to ask: as elsewhere
        return
    if os.getppid() != parent:  # the parent died before the request took effect
        os._exit(1)


#: the limit of the block of :func:`time_limit` running now, if any
_LIMIT: list[float] = []


def _on_alarm(signum: int, frame: FrameType | None) -> None:
    if _LIMIT:  # an alarm after its block has ended is ignored
        raise RuleTimeout(_LIMIT[-1])


def _clock_usable() -> bool:
    return hasattr(signal, "setitimer") and _in_main_thread()


@contextlib.contextmanager
def rule_clock() -> Iterator[None]:
    """Around many :func:`time_limit` blocks (one school's rules): the alarm handler is
    installed once for all of them (installing it costs ≈ 5 µs a time, a rule on a
    small school less) and the one before it put back after."""
    if not _clock_usable():
        yield
        return
    before = signal.signal(signal.SIGALRM, _on_alarm)
    try:
        yield
    finally:
        signal.signal(signal.SIGALRM, before)


@contextlib.contextmanager
def time_limit(seconds: float | None) -> Iterator[None]:
    """Raise :class:`RuleTimeout` inside the block once it has run ``seconds``.

    ``None`` or ``0`` means no limit; so does a block run outside the main thread.
    Inside :func:`rule_clock` the handler is already in place; elsewhere it is
    installed for the block and the one before it put back after.
    """
    if not seconds or seconds <= 0 or not _clock_usable():
        yield
        return
    installed = signal.getsignal(signal.SIGALRM) is _on_alarm
    before = None if installed else signal.signal(signal.SIGALRM, _on_alarm)
    _LIMIT.append(seconds)
    signal.setitimer(signal.ITIMER_REAL, seconds, REPEAT)
    try:
        yield
    finally:
        _LIMIT.pop()  # first: an alarm arriving now finds no block and is ignored
        signal.setitimer(signal.ITIMER_REAL, 0)
        if not installed:
            signal.signal(signal.SIGALRM, before)
