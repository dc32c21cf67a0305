"""Batch reads of stored resources by ``(type, id)``: the shared step of includes and ``$everything``."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime

from gateway.store.records import StoredResource

_BATCH = 400  # stays well under SQLite's bound-parameter limit


def read_many(conn: sqlite3.Connection, keys: Iterable[tuple[str, str]]) -> list[StoredResource]:
    """The current versions of ``keys`` that exist, in the order given (duplicates dropped)."""
    wanted = list(dict.fromkeys(keys))
    by_type: dict[str, list[str]] = {}
    for resource_type, resource_id in wanted:
        by_type.setdefault(resource_type, []).append(resource_id)
    found: dict[tuple[str, str], StoredResource] = {}
    for resource_type, ids in by_type.items():
        for start in range(0, len(ids), _BATCH):
            chunk = ids[start : start + _BATCH]
            marks = ", ".join("?" for _ in chunk)
            rows = conn.execute(
                "SELECT id, version_id, last_updated, json FROM resources"  # noqa: S608
                f" WHERE resource_type = ? AND id IN ({marks})",
                [resource_type, *chunk],
            )
            for r in rows:
                found[(resource_type, r[0])] = StoredResource(
                    resource_type, r[0], r[1], datetime.fromisoformat(r[2]), r[3]
                )
    return [found[key] for key in wanted if key in found]
