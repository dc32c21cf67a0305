"""`RateLimiter`: paces calls to one source so no rolling minute holds more than its limit.

eClinicalWorks allows 250 calls per minute per practice. A token bucket with a burst of 250
would let 500 calls through in some 60-second window and trip a server that counts a sliding
window, so the limiter keeps the times of the last `limit` calls and, when the window is full,
waits until the oldest leaves it. Callers are paced, never rejected.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from typing import Protocol

__all__ = ["DEFAULT_CALLS_PER_MINUTE", "RateLimiter", "RequestPacer"]

DEFAULT_CALLS_PER_MINUTE = 250


class RequestPacer(Protocol):
    """What `FhirClient` and the SMART token calls pace themselves with."""

    async def acquire(self) -> float:
        """Wait until a call may start; returns how long the caller waited."""
        ...

    def throttled(self) -> None:
        """The server answered 429: no further call should start in its current window."""
        ...


class RateLimiter:
    """At most `limit` acquisitions in any `period` seconds. `clock` and `sleep` are injectable."""

    def __init__(
        self,
        limit: int = DEFAULT_CALLS_PER_MINUTE,
        *,
        period: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if limit < 1 or period <= 0:
            raise ValueError("the rate limit needs a positive number of calls and period")
        self.limit = limit
        self.period = period
        self._clock = clock
        self._sleep = sleep
        self._calls: deque[float] = deque()
        self._lock = asyncio.Lock()

    def remaining(self) -> int:
        """Calls that could start now without waiting."""
        self._forget_old(self._clock())
        return self.limit - len(self._calls)

    async def acquire(self) -> float:
        """Wait until a call may start; returns how long this caller waited."""
        waited = 0.0
        async with self._lock:  # FIFO: callers are served in arrival order
            while True:
                now = self._clock()
                self._forget_old(now)
                if len(self._calls) < self.limit:
                    self._calls.append(now)
                    return waited
                delay = self._calls[0] + self.period - now
                waited += delay
                await self._sleep(delay)

    def throttled(self) -> None:
        """Nothing to record: the client's retry already waits out the server's window."""

    def _forget_old(self, now: float) -> None:
        while self._calls and self._calls[0] <= now - self.period:
            self._calls.popleft()
