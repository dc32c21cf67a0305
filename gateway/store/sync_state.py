"""Per-surface sync state: a small JSON document the sync keeps between runs (for incremental fetches).

It is written in the same transaction as the surface's resources (``write_surface(..., sync_state=)`` of
the one ``ResourceStore`` protocol), so a failed surface keeps both its old resources and its old state.
Contents are the sync's business (e.g. DiagnosticReport id -> fingerprint of the list entry); never raw portal keys.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Mapping
from typing import Any

__all__ = ["MIGRATION", "read_sync_state", "write_sync_state"]

MIGRATION = """
    CREATE TABLE sync_state (
        surface TEXT PRIMARY KEY,
        state   TEXT NOT NULL
    );
"""


def read_sync_state(conn: sqlite3.Connection, surface: str) -> dict[str, Any]:
    row = conn.execute("SELECT state FROM sync_state WHERE surface = ?", (surface,)).fetchone()
    if row is None:
        return {}
    state = json.loads(row[0])
    return state if isinstance(state, dict) else {}


def write_sync_state(conn: sqlite3.Connection, surface: str, state: Mapping[str, Any]) -> None:
    conn.execute(
        "INSERT INTO sync_state (surface, state) VALUES (?, ?)"
        " ON CONFLICT (surface) DO UPDATE SET state = excluded.state",
        (surface, json.dumps(dict(state), sort_keys=True, separators=(",", ":"))),
    )
