"""What fhirgate pushed where: per server, each resource's content hash and the server's ``Type/id`` for it,
in ``push.sqlite3`` under the home (0600). It makes a push resumable (batches already confirmed are not
sent again) and a re-push cheap (an unchanged resource is not sent at all)."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS pushed (
    server TEXT NOT NULL,
    resource_type TEXT NOT NULL,
    id TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    location TEXT NOT NULL,
    PRIMARY KEY (server, resource_type, id)
)
"""


def content_hash(json_text: str) -> str:
    return hashlib.sha256(json_text.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class Pushed:
    """A resource the server confirmed: the hash of what was sent, and where the server keeps it."""

    content_hash: str
    location: str


class PushState:
    """The ``pushed`` table for one server URL."""

    def __init__(self, path: Path, server: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        path.chmod(0o600)
        self._db = sqlite3.connect(path)
        self._db.execute(_SCHEMA)
        self._server = server.rstrip("/")

    def known(self) -> dict[tuple[str, str], Pushed]:
        rows = self._db.execute(
            "SELECT resource_type, id, content_hash, location FROM pushed WHERE server = ?", (self._server,)
        )
        return {(t, i): Pushed(h, loc) for t, i, h, loc in rows}

    def record(self, confirmed: Iterable[tuple[str, str, str, str]]) -> None:
        """Save ``(type, id, content_hash, location)`` rows in one transaction (one per confirmed batch)."""
        with self._db:
            self._db.executemany(
                "INSERT OR REPLACE INTO pushed (server, resource_type, id, content_hash, location)"
                " VALUES (?, ?, ?, ?, ?)",
                [(self._server, *row) for row in confirmed],
            )

    def close(self) -> None:
        self._db.close()
