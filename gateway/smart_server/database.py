"""The SMART server's SQLite file in the home (``smart.sqlite3``, 0600): registered apps, authorization
codes, access and refresh tokens. Secrets are stored only as SHA-256 digests."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

__all__ = ["SmartDatabase", "digest"]

_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS apps (name TEXT PRIMARY KEY, client_id TEXT UNIQUE NOT NULL, "
    "secret_digest TEXT, redirect_uris TEXT NOT NULL, created_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS codes (digest TEXT PRIMARY KEY, client_id TEXT NOT NULL, redirect_uri TEXT NOT NULL, "
    "scope TEXT NOT NULL, challenge TEXT NOT NULL, expires_at REAL NOT NULL)",
    "CREATE TABLE IF NOT EXISTS tokens (digest TEXT PRIMARY KEY, kind TEXT NOT NULL, client_id TEXT NOT NULL, "
    "scope TEXT NOT NULL, family TEXT NOT NULL, expires_at REAL NOT NULL)",
)


def digest(secret: str) -> str:
    return hashlib.sha256(secret[:512].encode()).hexdigest()


class SmartDatabase:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        with self.connect() as conn:
            for statement in _SCHEMA:
                conn.execute(statement)

    @contextmanager
    def connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        try:
            yield conn
        finally:
            conn.close()
