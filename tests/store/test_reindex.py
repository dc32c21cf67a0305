"""A store indexed under an older search-parameter table is re-indexed once on open, from its stored JSON."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from gateway.search import parse_search
from gateway.store import SqliteStore
from gateway.store.reindex import index_fingerprint
from tests.store.sample_resources import lab

T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _source_matches(store: SqliteStore) -> list[str]:
    page = store.search(parse_search("Observation", [("_source", "urn:example:labs")]))
    return [entry.id for entry in page.entries]


def test_index_from_an_older_table_is_rebuilt_on_open(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    store = SqliteStore.open(path)
    observation = lab("o1")
    observation["meta"] = {"source": "urn:example:labs"}
    store.write_surface("labs", [observation], now=T0)
    assert _source_matches(store) == ["o1"]
    store.close()
    with sqlite3.connect(path) as conn:  # as a store written before `_source` existed would be
        conn.execute("DELETE FROM search_index WHERE param = '_source'")
        conn.execute("UPDATE search_index_state SET fingerprint = 'older-table'")
    reopened = SqliteStore.open(path)
    assert _source_matches(reopened) == ["o1"]
    reopened.close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT fingerprint FROM search_index_state").fetchone()[0] == index_fingerprint()


def test_a_current_index_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "store.db"
    SqliteStore.open(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute(
            "INSERT INTO search_index (resource_type, resource_id, param, token_code) VALUES ('X', 'y', 'p', 'kept')"
        )
    SqliteStore.open(path).close()
    with sqlite3.connect(path) as conn:
        assert conn.execute("SELECT COUNT(*) FROM search_index WHERE token_code = 'kept'").fetchone()[0] == 1
