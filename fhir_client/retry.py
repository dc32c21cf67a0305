"""When to retry a FHIR request, and how long to wait first.

A `RetryPolicy` is pure: it looks at a response status (or a transport failure) and the
attempt number, and answers with a delay in seconds or `None` for "do not retry".
The client does the sleeping, through a sleep function it was given.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from fhir_client.minute_window import seconds_to_next_minute

__all__ = ["RETRYABLE_STATUSES", "RetryPolicy", "parse_retry_after"]

#: Statuses worth another try for an idempotent request: rate limit and gateway trouble.
RETRYABLE_STATUSES = frozenset({429, 502, 503, 504})


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait according to a `Retry-After` header (delta-seconds or HTTP-date).

    Returns `None` when the header is absent or unreadable; never a negative number.
    """
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:  # an HTTP-date is always GMT
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(frozen=True)
class RetryPolicy:
    """Capped exponential backoff with jitter; honours `Retry-After` up to a ceiling.

    `max_retries` counts retries, so a request is sent at most `max_retries + 1` times.
    A `Retry-After` longer than `max_retry_after` is not waited out: the server is saying
    "not now", and the caller is better served by an immediate error that says so.
    A 429 without `Retry-After` waits to the next clock minute: eClinicalWorks counts calls in
    fixed minutes and blocks the rest of the minute after a 429 (`clock` is epoch seconds).
    """

    max_retries: int = 3
    base_delay: float = 0.5
    max_delay: float = 8.0
    max_retry_after: float = 30.0
    jitter: random.Random = field(default_factory=random.Random, compare=False, repr=False)
    clock: Callable[[], float] = field(default=time.time, compare=False, repr=False)

    def backoff(self, attempt: int) -> float:
        """Delay before retry number `attempt` (1-based): half fixed, half random, capped."""
        ceiling = min(self.max_delay, self.base_delay * 2.0 ** (attempt - 1))
        return ceiling / 2 + self.jitter.uniform(0, ceiling / 2)

    def delay_for_status(self, status_code: int, attempt: int, retry_after: float | None) -> float | None:
        """Delay before retrying after an HTTP `status_code`, or `None` to give up now."""
        if attempt > self.max_retries or status_code not in RETRYABLE_STATUSES:
            return None
        if retry_after is not None:
            return None if retry_after > self.max_retry_after else retry_after
        if status_code == 429:
            return seconds_to_next_minute(self.clock())
        return self.backoff(attempt)

    def delay_for_transport_error(self, attempt: int) -> float | None:
        """Delay before retrying after a connection failure or timeout, or `None` to give up."""
        if attempt > self.max_retries:
            return None
        return self.backoff(attempt)
