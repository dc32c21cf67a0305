"""One SQLite connection per thread (uvicorn's threadpool reads while a sync writes; WAL lets them overlap)."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class StoreClosedError(RuntimeError):
    """The store was closed; no further connections are handed out."""


class ThreadConnections:
    """Hands each thread its own connection to one database file; closes them all at once.

    Connections are opened with ``check_same_thread=False`` only so that ``close_all`` may close them
    from the closing thread; each is otherwise used by the thread that opened it.
    """

    def __init__(self, path: Path) -> None:
        self._path = path
        self._local = threading.local()
        self._lock = threading.Lock()
        self._opened: list[sqlite3.Connection] = []
        self._closed = False

    def get(self) -> sqlite3.Connection:
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is not None and not self._closed:
            return conn
        with self._lock:
            if self._closed:
                raise StoreClosedError("the store is closed")
            conn = sqlite3.connect(self._path, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA busy_timeout = 5000")
            conn.execute("PRAGMA synchronous = NORMAL")
            self._opened.append(conn)
        self._local.conn = conn
        return conn

    def close_all(self) -> None:
        with self._lock:
            self._closed = True
            opened, self._opened = self._opened, []
        for conn in opened:
            conn.close()
