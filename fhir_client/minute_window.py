"""`MinuteWindow`: one fixed-minute call counter per source, shared by every process of a home.

eClinicalWorks counts 250 calls per base URL in fixed clock minutes, `/authorize` and `/token`
included, and a 429 blocks the rest of the minute. `fhirgate mcp` and the CLI may call the same
practice at once, so the count lives in a small SQLite file in the home (one row per source and
minute, updated under `BEGIN IMMEDIATE`); a caller over the limit sleeps to the next minute.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

__all__ = ["MinuteWindow", "seconds_to_next_minute"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS calls "
    "(source TEXT NOT NULL, minute INTEGER NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (source, minute))"
)
_COUNT = "SELECT count FROM calls WHERE source = ? AND minute = ?"


def seconds_to_next_minute(now: float) -> float:
    """Seconds from epoch second `now` to the next whole clock minute (never zero)."""
    return 60.0 - (now % 60.0)


class MinuteWindow:
    """At most `limit` calls to `source` per clock minute, counted in `path` across processes."""

    def __init__(
        self,
        path: Path,
        source: str,
        limit: int,
        *,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        if limit < 1:
            raise ValueError("the rate limit needs a positive number of calls")
        self.path, self.source, self.limit = path, source, limit
        self._clock, self._sleep = clock, sleep
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        with self._connect() as db:
            db.execute(_SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)

    def count(self) -> int:
        """Calls counted in the current minute."""
        minute = int(self._clock() // 60)
        with self._connect() as db:
            row = db.execute(_COUNT, (self.source, minute)).fetchone()
        return int(row[0]) if row else 0

    def _take(self) -> float | None:
        """Count one call now and return None, or the seconds until the next minute when full."""
        now = self._clock()
        minute = int(now // 60)
        db = self._connect()
        try:
            db.execute("BEGIN IMMEDIATE")
            row = db.execute(_COUNT, (self.source, minute)).fetchone()
            used = int(row[0]) if row else 0
            if used >= self.limit:
                db.execute("COMMIT")
                return seconds_to_next_minute(now)
            db.execute(
                "INSERT INTO calls (source, minute, count) VALUES (?, ?, 1) "
                "ON CONFLICT (source, minute) DO UPDATE SET count = count + 1",
                (self.source, minute),
            )
            db.execute("DELETE FROM calls WHERE minute < ?", (minute - 1,))
            db.execute("COMMIT")
            return None
        finally:
            db.close()

    async def acquire(self) -> float:
        """Wait until this minute has room (sleeping to the next minute if not); returns the wait."""
        waited = 0.0
        while (delay := self._take()) is not None:
            waited += delay
            await self._sleep(delay)
        return waited

    def throttled(self) -> None:
        """The server answered 429: mark the minute full, so no process of this home calls again in it."""
        minute = int(self._clock() // 60)
        with self._connect() as db:
            db.execute(
                "INSERT INTO calls (source, minute, count) VALUES (?, ?, ?) "
                "ON CONFLICT (source, minute) DO UPDATE SET count = MAX(count, excluded.count)",
                (self.source, minute, self.limit),
            )
