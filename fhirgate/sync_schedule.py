"""When the next scheduled sync runs: the interval with ±10 % jitter after a success, exponential back-off
(capped) after failures, and a pause while the Kaiser session needs the person. Pure: the clock and the
random source are injected, so the arithmetic is tested without waiting."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

__all__ = ["JITTER", "Outcome", "SyncSchedule", "parse_every"]

JITTER = 0.10
FIRST_BACKOFF = timedelta(minutes=5)
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd])\s*$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


class Outcome(Enum):
    OK = "ok"
    FAILED = "failed"
    LOGIN_REQUIRED = "login required"


def parse_every(text: str) -> timedelta:
    """``6h``, ``30m``, ``90s``, ``1d`` (a number and one unit) as a duration; ValueError otherwise."""
    match = _EVERY.match(text.lower())
    if match is None or float(match.group(1)) <= 0:
        raise ValueError(f"{text[:40]!r} is not a duration such as 6h, 30m or 1d")
    return timedelta(seconds=float(match.group(1)) * _UNIT_SECONDS[match.group(2)])


@dataclass
class SyncSchedule:
    """``next_run`` after each outcome. Failures back off from ``first_backoff`` (or the interval, if
    shorter), doubling, never beyond ``max_backoff`` (the interval by default: a broken portal is tried
    at least as often as a working one would be). A login-required outcome pauses: ``paused`` is True
    and ``next_run`` None until ``resume()`` (the person signed in again)."""

    every: timedelta
    clock: Callable[[], datetime]
    random: Callable[[], float]
    """A number in [0, 1), like ``random.random``."""
    first_backoff: timedelta = FIRST_BACKOFF
    max_backoff: timedelta | None = None
    failures: int = 0
    paused: bool = False

    def __post_init__(self) -> None:
        if self.every <= timedelta(0):
            raise ValueError("the interval must be positive")

    def first_run(self) -> datetime:
        """Right away: a watcher that just started syncs once before waiting."""
        return self.clock()

    def next_run(self, outcome: Outcome) -> datetime | None:
        now = self.clock()
        if outcome is Outcome.LOGIN_REQUIRED:
            self.paused = True
            return None
        self.paused = False
        if outcome is Outcome.OK:
            self.failures = 0
            return now + self._jittered(self.every)
        self.failures += 1
        return now + self._jittered(self.backoff())

    def backoff(self) -> timedelta:
        """The wait after ``failures`` consecutive failures (before jitter)."""
        cap = self.max_backoff if self.max_backoff is not None else self.every
        start = min(self.first_backoff, cap)
        doubled: timedelta = start * 2 ** max(0, self.failures - 1)
        return min(doubled, cap)

    def resume(self) -> datetime:
        self.paused = False
        self.failures = 0
        return self.clock()

    def _jittered(self, wait: timedelta) -> timedelta:
        return wait * (1 + JITTER * (2 * self.random() - 1))
