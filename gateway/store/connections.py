"""A bounded pool of SQLite connections to one database file (uvicorn's threadpool reads while a sync
writes; WAL lets them overlap).

A thread leases a connection for one read or one transaction and gives it back; nested leases on the
same thread reuse the connection it holds. At most ``max_open`` connections exist at once (further
leases wait), at most ``max_idle`` are kept between leases, and an idle one is closed after
``idle_seconds``. So a burst of 50 clients leaves a handful of open files behind, not one per thread
the server ever ran (each connection holds the database, its WAL and its shared-memory file open).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

DEFAULT_MAX_OPEN = 16
DEFAULT_MAX_IDLE = 4
DEFAULT_IDLE_SECONDS = 30.0


class StoreClosedError(RuntimeError):
    """The store was closed; no further connections are handed out."""


class ConnectionPool:
    """Lends connections to one database file; bounded in number open and kept idle."""

    def __init__(
        self,
        path: Path,
        *,
        max_open: int = DEFAULT_MAX_OPEN,
        max_idle: int = DEFAULT_MAX_IDLE,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if max_open < 1 or not 0 <= max_idle <= max_open:
            raise ValueError("need max_open >= 1 and 0 <= max_idle <= max_open")
        self._path = path
        self._max_idle = max_idle
        self._idle_seconds = idle_seconds
        self._monotonic = monotonic
        self._slots = threading.BoundedSemaphore(max_open)
        self._lock = threading.Lock()
        self._idle: list[tuple[sqlite3.Connection, float]] = []
        self._local = threading.local()
        self._pinned: list[sqlite3.Connection] = []
        self._opened = 0
        self._closed = False

    @contextmanager
    def lease(self) -> Iterator[sqlite3.Connection]:
        """A connection for the calling thread until the block exits (the same one if it already holds one)."""
        held: sqlite3.Connection | None = getattr(self._local, "held", None)
        if held is not None:
            yield held
            return
        conn = self._acquire()
        self._local.held = conn
        try:
            yield conn
        finally:
            self._local.held = None
            self._release(conn)

    def pin(self) -> sqlite3.Connection:
        """Hold a connection for the calling thread until the pool closes (white-box tests peek with it)."""
        held: sqlite3.Connection | None = getattr(self._local, "held", None)
        if held is None:
            held = self._acquire()
            self._local.held = held
            with self._lock:
                self._pinned.append(held)
        return held

    def open_count(self) -> int:
        """Connections open now, leased or idle (a test and the soak read it)."""
        with self._lock:
            return self._opened

    def _acquire(self) -> sqlite3.Connection:
        self._slots.acquire()
        try:
            with self._lock:
                if self._closed:
                    raise StoreClosedError("the store is closed")
                stale = self._take_stale()
                conn = self._idle.pop()[0] if self._idle else None
            self._close_quietly(stale)
            return conn if conn is not None else self._connect()
        except BaseException:
            self._slots.release()
            raise

    def _connect(self) -> sqlite3.Connection:
        conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
        try:
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("PRAGMA synchronous = NORMAL")
        except BaseException:
            conn.close()
            raise
        with self._lock:
            self._opened += 1
        return conn

    def _release(self, conn: sqlite3.Connection) -> None:
        # A connection left inside a transaction (a failed ROLLBACK) is not lent again.
        with self._lock:
            keep = not self._closed and not conn.in_transaction and len(self._idle) < self._max_idle
            if keep:
                self._idle.append((conn, self._monotonic()))
            stale = self._take_stale()
        self._close_quietly(stale if keep else [*stale, conn])
        self._slots.release()

    def _take_stale(self) -> list[sqlite3.Connection]:
        cutoff = self._monotonic() - self._idle_seconds
        stale = [conn for conn, since in self._idle if since < cutoff]
        self._idle = [(conn, since) for conn, since in self._idle if since >= cutoff]
        return stale

    def _close_quietly(self, conns: list[sqlite3.Connection]) -> None:
        for conn in conns:
            with suppress(sqlite3.Error):
                conn.close()
            with self._lock:
                self._opened -= 1

    def close_all(self) -> None:
        """Close idle and pinned connections now; leased ones close when given back. No new leases."""
        with self._lock:
            self._closed = True
            idle = [conn for conn, _ in self._idle]
            self._idle = []
            pinned, self._pinned = self._pinned, []
        self._close_quietly([*idle, *pinned])
