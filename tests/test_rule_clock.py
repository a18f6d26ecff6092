"""The per-rule time limit: one alarm handler for a school's rules, the one before it
put back after, a late alarm ignored, and a rule past its limit stopped."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from types import FrameType

import pytest

from compliance.host.interrupts import RuleTimeout, rule_clock, time_limit


def _theirs(signum: int, frame: FrameType | None) -> None:
    """An embedding program's own SIGALRM handler."""


@pytest.fixture
def their_handler() -> Iterator[object]:
    before = signal.signal(signal.SIGALRM, _theirs)
    yield _theirs
    signal.setitimer(signal.ITIMER_REAL, 0)
    signal.signal(signal.SIGALRM, before)


def test_a_rule_past_its_limit_is_stopped_inside_the_clock(their_handler: object) -> None:
    with rule_clock():
        with pytest.raises(RuleTimeout), time_limit(0.05):
            time.sleep(2)
        with time_limit(5):  # the next rule of the school runs as usual
            pass
    assert signal.getsignal(signal.SIGALRM) is their_handler


def test_without_the_clock_the_handler_is_put_back_after_each_block(their_handler: object) -> None:
    with pytest.raises(RuleTimeout), time_limit(0.05):
        time.sleep(2)
    assert signal.getsignal(signal.SIGALRM) is their_handler
    with time_limit(5):
        assert signal.getsignal(signal.SIGALRM) is not their_handler
    assert signal.getsignal(signal.SIGALRM) is their_handler


def test_an_alarm_after_a_block_has_ended_is_ignored(their_handler: object) -> None:
    with rule_clock():
        with time_limit(5):
            pass
        signal.setitimer(signal.ITIMER_REAL, 0.01)  # as if the alarm came late
        time.sleep(0.1)  # no RuleTimeout here: no block is running
    assert signal.getsignal(signal.SIGALRM) is their_handler


def test_no_limit_means_no_alarm(their_handler: object) -> None:
    with rule_clock():
        for seconds in (None, 0, -1):
            with time_limit(seconds):
                assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
