"""``Patient/{id}/$everything``: the patient, every resource that references it (the compartment, paged in
``(type, id)`` order on the reference index), and, per page, the resources those reference."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from gateway.search import InvalidSearchError
from gateway.store.cursor import Cursor
from gateway.store.records import SearchPage, StoredResource
from gateway.store.rows import read_many


def _fingerprint(patient_id: str, since: datetime | None, types: Sequence[str]) -> str:
    text = f"$everything|{patient_id}|{since.isoformat() if since else ''}|{','.join(sorted(types))}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _compartment_page(
    conn: sqlite3.Connection,
    reference: str,
    since: datetime | None,
    types: Sequence[str],
    after: Cursor | None,
    limit: int,
) -> list[tuple[str, str]]:
    sql = ["SELECT DISTINCT si.resource_type, si.resource_id FROM search_index si"]
    args: list[object] = []
    if since is not None:
        sql.append("JOIN resources r ON r.resource_type = si.resource_type AND r.id = si.resource_id")
        sql.append("AND r.last_updated >= ?")
        args.append(since.isoformat())
    sql.append("WHERE si.reference = ? AND si.reference IS NOT NULL AND NOT (si.resource_type = 'Patient')")
    args.append(reference)
    if types:
        sql.append(f"AND si.resource_type IN ({', '.join('?' for _ in types)})")
        args += list(types)
    if after is not None:
        sql.append("AND (si.resource_type > ? OR (si.resource_type = ? AND si.resource_id > ?))")
        args += [after.sort_values[0], after.sort_values[0], after.last_id]
    sql.append("ORDER BY si.resource_type, si.resource_id LIMIT ?")
    args.append(limit)
    return [(r[0], r[1]) for r in conn.execute(" ".join(sql), args)]


def _referenced(
    conn: sqlite3.Connection, page: Sequence[StoredResource], types: Sequence[str]
) -> list[tuple[str, str]]:
    by_type: dict[str, list[str]] = {}
    for stored in page:
        by_type.setdefault(stored.resource_type, []).append(stored.id)
    found: list[tuple[str, str]] = []
    for resource_type, ids in by_type.items():
        marks = ", ".join("?" for _ in ids)
        # Without the hint SQLite walks the whole reverse-reference index (search_index_target).
        rows = conn.execute(
            "SELECT DISTINCT reference FROM search_index INDEXED BY search_index_resource"  # noqa: S608
            f" WHERE resource_type = ? AND resource_id IN ({marks}) AND reference IS NOT NULL",
            [resource_type, *ids],
        )
        for (reference,) in rows:
            target_type, _, target_id = reference.partition("/")
            if target_type != "Patient" and (not types or target_type in types):
                found.append((target_type, target_id))
    return found


def everything_page(
    conn: sqlite3.Connection,
    patient_id: str,
    *,
    since: datetime | None,
    types: Sequence[str],
    count: int,
    cursor: str | None,
) -> SearchPage:
    """One page of the patient's record; the caller holds a read transaction and checked the patient exists."""
    fingerprint = _fingerprint(patient_id, since, types)
    after = Cursor.decode(cursor, fingerprint=fingerprint) if cursor else None
    if after is not None and (len(after.sort_values) != 1 or not after.forward):
        raise InvalidSearchError("_cursor is malformed")
    patient: list[StoredResource] = []
    if after is None and (not types or "Patient" in types):
        patient = read_many(conn, [("Patient", patient_id)])
        patient = [p for p in patient if since is None or p.last_updated >= since]
    room = max(count - len(patient), 1)  # the patient takes the first page's first place
    keys = _compartment_page(conn, f"Patient/{patient_id}", since, types, after, room + 1)
    more = len(keys) > room
    keys = keys[:room]
    entries = patient + read_many(conn, keys)
    on_page = {(e.resource_type, e.id) for e in entries}
    included = read_many(conn, [k for k in _referenced(conn, entries, types) if k not in on_page])
    next_cursor = None
    if more and keys:
        next_cursor = Cursor(fingerprint, (keys[-1][0],), keys[-1][1]).encode()
    return SearchPage(entries, None, next_cursor, None, included)
