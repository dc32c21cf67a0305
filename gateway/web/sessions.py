"""Web app sign-in: one-time login links and browser sessions, kept in the home so whichever fhirgate
process serves the web app accepts them. Only SHA-256 digests of link tokens and session ids are stored.

A link works once, within ``LINK_TTL``; a session lasts ``SESSION_TTL``. The CSRF token of a form is an
HMAC of the raw session id (known only to the browser holding the cookie), so it needs no storage.
Table ``login_links`` and ``sessions`` in ``FHIRGATE_HOME/web.sqlite3`` (0600).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

__all__ = ["LINK_TTL", "SESSION_COOKIE", "SESSION_TTL", "WebSessions"]

SESSION_COOKIE = "fhirgate_session"
LINK_TTL = timedelta(minutes=5)
SESSION_TTL = timedelta(hours=12)

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS login_links (digest TEXT PRIMARY KEY, expires_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS sessions (digest TEXT PRIMARY KEY, expires_at REAL NOT NULL)",
)


def _digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class WebSessions:
    def __init__(self, path: Path, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self.path = path
        self._clock = clock
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        with self._connect() as conn:
            for statement in _SCHEMA:
                conn.execute(statement)

    def new_login_link_token(self) -> str:
        """A fresh one-time token for ``/login?token=...`` (printed by `fhirgate open` and the demo)."""
        token = secrets.token_urlsafe(32)
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO login_links VALUES (?, ?)", (_digest(token), (self._clock() + LINK_TTL).timestamp())
            )
        return token

    def redeem_login_link(self, token: str) -> str | None:
        """Spend a login-link token (once, before it expires) for a new session id; None if it is not valid."""
        now = self._clock().timestamp()
        with self._connect() as conn:
            conn.execute("DELETE FROM login_links WHERE expires_at <= ?", (now,))
            used = conn.execute("DELETE FROM login_links WHERE digest = ?", (_digest(token[:200]),)).rowcount
            if used != 1:
                return None
            session_id = secrets.token_urlsafe(32)
            conn.execute(
                "INSERT INTO sessions VALUES (?, ?)", (_digest(session_id), (self._clock() + SESSION_TTL).timestamp())
            )
        return session_id

    def is_valid(self, session_id: str | None) -> bool:
        if not session_id:
            return False
        with self._connect() as conn:
            row = conn.execute(
                "SELECT 1 FROM sessions WHERE digest = ? AND expires_at > ?",
                (_digest(session_id[:200]), self._clock().timestamp()),
            ).fetchone()
        return row is not None

    def end(self, session_id: str) -> None:
        with self._connect() as conn:
            conn.execute("DELETE FROM sessions WHERE digest = ?", (_digest(session_id[:200]),))

    @staticmethod
    def csrf_token(session_id: str) -> str:
        return hmac.new(session_id.encode(), b"fhirgate-web-csrf", hashlib.sha256).hexdigest()

    @classmethod
    def csrf_ok(cls, session_id: str, given: str) -> bool:
        return bool(given) and hmac.compare_digest(cls.csrf_token(session_id), given)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()
