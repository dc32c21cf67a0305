"""When the person last looked at what is new: one time per home (table ``last_looked`` in the web app's
``web.sqlite3``), moved forward only by the overview's "Mark as seen" form, so a reload never hides news."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path

__all__ = ["LastLooked"]


class LastLooked:
    def __init__(self, path: Path) -> None:
        self.path = path
        with closing(self._connect()) as conn:
            conn.execute("CREATE TABLE IF NOT EXISTS last_looked (home INTEGER PRIMARY KEY, at REAL NOT NULL)")

    def get(self) -> datetime | None:
        with closing(self._connect()) as conn:
            row = conn.execute("SELECT at FROM last_looked WHERE home = 1").fetchone()
        return None if row is None else datetime.fromtimestamp(row[0], UTC)

    def mark(self, at: datetime) -> None:
        with closing(self._connect()) as conn:
            conn.execute("INSERT OR REPLACE INTO last_looked VALUES (1, ?)", (at.timestamp(),))

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10, isolation_level=None)
