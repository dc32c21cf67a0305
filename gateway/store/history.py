"""Prior versions: every version written is kept in ``resource_history`` (vread, history-instance)."""

from __future__ import annotations

import sqlite3
from datetime import datetime

from gateway.store.records import StoredResource

INSERT_VERSION = (
    "INSERT OR REPLACE INTO resource_history (resource_type, id, version_id, last_updated, json) VALUES (?, ?, ?, ?, ?)"
)


def read_version(
    conn: sqlite3.Connection, resource_type: str, resource_id: str, version_id: int
) -> StoredResource | None:
    row = conn.execute(
        "SELECT last_updated, json FROM resource_history WHERE resource_type = ? AND id = ? AND version_id = ?",
        (resource_type, resource_id, version_id),
    ).fetchone()
    if row is None:
        return None
    return StoredResource(resource_type, resource_id, version_id, datetime.fromisoformat(row[0]), row[1])


def read_history(conn: sqlite3.Connection, resource_type: str, resource_id: str) -> list[StoredResource]:
    """Every stored version of one resource, newest first (empty when the resource is unknown)."""
    rows = conn.execute(
        "SELECT version_id, last_updated, json FROM resource_history WHERE resource_type = ? AND id = ?"
        " ORDER BY version_id DESC",
        (resource_type, resource_id),
    )
    return [StoredResource(resource_type, resource_id, r[0], datetime.fromisoformat(r[1]), r[2]) for r in rows]
