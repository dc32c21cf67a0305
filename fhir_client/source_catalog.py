"""`SourceCatalog`: non-secret metadata of connected SMART sources, in one small SQLite file.

One row per source: base URL, discovered endpoints, client id and auth method, scopes, patient
id, fhirUser, token expiry times and the last call. Tokens, client secrets, private keys and
PKCE verifiers are never stored here (they live in the keychain, see `source_secrets`).
The file is created 0600 inside a 0700 directory.
"""

from __future__ import annotations

import json
import os
import sqlite3
from dataclasses import asdict, dataclass, fields, replace
from pathlib import Path

from fhir_client.smart_discovery import SmartConfiguration

__all__ = ["SourceCatalog", "SourceRecord"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sources (
    name TEXT PRIMARY KEY,
    base_url TEXT NOT NULL,
    client_id TEXT NOT NULL,
    auth_method TEXT NOT NULL,
    redirect_uri TEXT NOT NULL,
    smart_configuration TEXT NOT NULL,
    scope TEXT NOT NULL DEFAULT '',
    key_id TEXT,
    state TEXT NOT NULL DEFAULT 'pending',
    patient_id TEXT,
    fhir_user TEXT,
    access_expires_at REAL,
    refresh_expires_at REAL,
    last_call_at REAL,
    launch_state TEXT,
    rate_limit_per_minute INTEGER NOT NULL DEFAULT 250,
    accept TEXT
)
"""
# Columns added after the first release, with their definitions (added to older files on open).
_ADDED_COLUMNS = {"accept": "TEXT"}


@dataclass(frozen=True)
class SourceRecord:
    """What fhirgate remembers about one source, none of it secret.

    `state` is `pending` (authorize URL handed out, waiting for the redirect), `connected`, or
    `reconnect` (the refresh token is no longer usable). `launch_state` is the OAuth `state` of a
    pending launch: it is an anti-forgery value, not a credential.
    """

    name: str
    base_url: str
    client_id: str
    auth_method: str
    redirect_uri: str
    smart_configuration: str
    scope: str = ""
    key_id: str | None = None
    state: str = "pending"
    patient_id: str | None = None
    fhir_user: str | None = None
    access_expires_at: float | None = None
    refresh_expires_at: float | None = None
    last_call_at: float | None = None
    launch_state: str | None = None
    rate_limit_per_minute: int = 250
    accept: str | None = None
    """An `Accept` header this server needs instead of `application/fhir+json` (None: the default)."""

    @property
    def configuration(self) -> SmartConfiguration:
        return SmartConfiguration.from_json(json.loads(self.smart_configuration))


class SourceCatalog:
    """The `sources` table in `path` (a fresh connection per call: cheap, and thread-safe)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.parent.chmod(0o700)
        if not path.exists():
            os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
        path.chmod(0o600)
        with self._connect() as db:
            db.execute(_SCHEMA)
            present = {row[1] for row in db.execute("PRAGMA table_info(sources)")}
            for column, definition in _ADDED_COLUMNS.items():
                if column not in present:  # names and definitions are constants above
                    db.execute(f"ALTER TABLE sources ADD COLUMN {column} {definition}")

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def get(self, name: str) -> SourceRecord | None:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            row = db.execute("SELECT * FROM sources WHERE name = ?", (name,)).fetchone()
        return SourceRecord(**dict(row)) if row is not None else None

    def all(self) -> list[SourceRecord]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            rows = db.execute("SELECT * FROM sources ORDER BY name").fetchall()
        return [SourceRecord(**dict(row)) for row in rows]

    def put(self, record: SourceRecord) -> None:
        values = asdict(record)
        names = [f.name for f in fields(SourceRecord)]
        with self._connect() as db:
            db.execute(
                # column names come from the dataclass, never from input
                f"INSERT OR REPLACE INTO sources ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})",  # noqa: S608
                [values[n] for n in names],
            )

    def update(self, name: str, **changes: object) -> SourceRecord:
        record = self.get(name)
        if record is None:
            raise KeyError(name)
        updated = replace(record, **changes)  # type: ignore[arg-type]
        self.put(updated)
        return updated

    def delete(self, name: str) -> None:
        with self._connect() as db:
            db.execute("DELETE FROM sources WHERE name = ?", (name,))
