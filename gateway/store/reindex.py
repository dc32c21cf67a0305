"""Keeping the search index in step with the search-parameter table: rebuilt once when the table changes.

A store written before a parameter (or a way of extracting values) existed has no index rows for it, and
unchanged resources are never re-indexed by a sync; so the index records the fingerprint of the table it
was built from, and ``ensure_index_current`` rebuilds it from the stored JSON when that differs (one
transaction, on open; a one-off cost of a few seconds per 10,000 resources).
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
from collections.abc import Callable, Iterable

from gateway.search import SEARCH_PARAMETERS, IndexRow, extract_index_rows
from gateway.search.extraction import EXTRACTION_VERSION

logger = logging.getLogger(__name__)

_STATE = "CREATE TABLE IF NOT EXISTS search_index_state (id INTEGER PRIMARY KEY CHECK (id = 1), fingerprint TEXT)"
_BATCH = 500


def index_fingerprint() -> str:
    """Digest of every parameter definition and the extraction version: what the index rows depend on."""
    text = repr((EXTRACTION_VERSION, SEARCH_PARAMETERS))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def ensure_index_current(
    conn: sqlite3.Connection, insert_rows: Callable[[sqlite3.Connection, tuple[str, str], Iterable[IndexRow]], None]
) -> bool:
    """Rebuild ``search_index`` from the stored resources unless it was built from this table; True if rebuilt."""
    conn.execute(_STATE)
    found = conn.execute("SELECT fingerprint FROM search_index_state WHERE id = 1").fetchone()
    wanted = index_fingerprint()
    if found is not None and found[0] == wanted:
        return False
    conn.execute("BEGIN IMMEDIATE")
    try:
        again = conn.execute("SELECT fingerprint FROM search_index_state WHERE id = 1").fetchone()
        if again is not None and again[0] == wanted:  # another process rebuilt it meanwhile
            conn.execute("COMMIT")
            return False
        conn.execute("DELETE FROM search_index")
        rows = conn.execute("SELECT resource_type, id, json FROM resources ORDER BY resource_type, id")
        count = 0
        while batch := rows.fetchmany(_BATCH):
            for resource_type, resource_id, text in batch:
                insert_rows(conn, (resource_type, resource_id), extract_index_rows(json.loads(text)))
                count += 1
        conn.execute(
            "INSERT INTO search_index_state (id, fingerprint) VALUES (1, ?)"
            " ON CONFLICT (id) DO UPDATE SET fingerprint = excluded.fingerprint",
            (wanted,),
        )
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")
    if count:
        logger.info("search index rebuilt resources=%d", count)
    return True
