"""``Patient/{id}/$everything``: the patient, every resource that references it (the compartment, paged in
``(type, id)`` order on the reference index), and, per page, the resources those reference.

Each compartment resource is sent once per traversal, as a ``match`` on its own page: a page's ``include``
entries are only resources outside the compartment (practitioners, organizations, medications, ...), which
have no page of their own and so come with every page that references them (the spec lets includes
repeat across pages; remembering what earlier pages sent would need server-side state per traversal).
``start``/``end`` (care dates) keep the compartment resources with a clinical date (any date parameter
of their type but ``_lastUpdated``) overlapping the window, and those with none.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Sequence
from datetime import datetime

from gateway.search import DateRange, InvalidSearchError
from gateway.store.cursor import Cursor
from gateway.store.records import SearchPage, StoredResource
from gateway.store.rows import read_many

_CLINICAL_DATE = (
    "SELECT 1 FROM search_index d INDEXED BY search_index_resource WHERE d.resource_type = si.resource_type"
    " AND d.resource_id = si.resource_id AND d.param != '_lastUpdated' AND d.date_low IS NOT NULL"
)


def _fingerprint(patient_id: str, since: datetime | None, types: Sequence[str], window: DateRange | None) -> str:
    span = f"{window.low}-{window.high}" if window else ""
    text = f"$everything|{patient_id}|{since.isoformat() if since else ''}|{','.join(sorted(types))}|{span}"
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _members_sql(
    reference: str, since: datetime | None, types: Sequence[str], window: DateRange | None
) -> tuple[list[str], list[object]]:
    """FROM/WHERE of the compartment members that pass ``_since``, ``_type`` and the care window."""
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
    if window is not None:
        sql.append(
            f"AND (NOT EXISTS ({_CLINICAL_DATE}) OR EXISTS ({_CLINICAL_DATE} AND d.date_low < ? AND d.date_high > ?))"
        )
        args += [window.high, window.low]
    return sql, args


def _compartment_page(
    conn: sqlite3.Connection,
    reference: str,
    filters: tuple[datetime | None, Sequence[str], DateRange | None],
    after: Cursor | None,
    limit: int,
) -> list[tuple[str, str]]:
    sql, args = _members_sql(reference, *filters)
    if after is not None:
        sql.append("AND (si.resource_type > ? OR (si.resource_type = ? AND si.resource_id > ?))")
        args += [after.sort_values[0], after.sort_values[0], after.last_id]
    sql.append("ORDER BY si.resource_type, si.resource_id LIMIT ?")
    args.append(limit)
    return [(r[0], r[1]) for r in conn.execute(" ".join(sql), args)]


def _members_among(
    conn: sqlite3.Connection,
    reference: str,
    filters: tuple[datetime | None, Sequence[str], DateRange | None],
    keys: Sequence[tuple[str, str]],
) -> set[tuple[str, str]]:
    """Which of ``keys`` are compartment members that the traversal sends as matches."""
    members: set[tuple[str, str]] = set()
    by_type: dict[str, list[str]] = {}
    for resource_type, resource_id in keys:
        by_type.setdefault(resource_type, []).append(resource_id)
    for resource_type, ids in by_type.items():
        sql, args = _members_sql(reference, *filters)
        sql.append(f"AND si.resource_type = ? AND si.resource_id IN ({', '.join('?' for _ in ids)})")
        members.update((r[0], r[1]) for r in conn.execute(" ".join(sql), [*args, resource_type, *ids]))
    return members


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
    return list(dict.fromkeys(found))


def everything_page(
    conn: sqlite3.Connection,
    patient_id: str,
    *,
    since: datetime | None,
    types: Sequence[str],
    count: int,
    cursor: str | None,
    window: DateRange | None = None,
) -> SearchPage:
    """One page of the patient's record; the caller holds a read transaction and checked the patient exists."""
    fingerprint = _fingerprint(patient_id, since, types, window)
    after = Cursor.decode(cursor, fingerprint=fingerprint) if cursor else None
    if after is not None and (len(after.sort_values) != 1 or not after.forward):
        raise InvalidSearchError("_cursor is malformed")
    patient: list[StoredResource] = []
    if after is None and (not types or "Patient" in types):
        patient = read_many(conn, [("Patient", patient_id)])
        patient = [p for p in patient if since is None or p.last_updated >= since]
    room = max(count - len(patient), 1)  # the patient takes the first page's first place
    reference, filters = f"Patient/{patient_id}", (since, types, window)
    keys = _compartment_page(conn, reference, filters, after, room + 1)
    more = len(keys) > room
    keys = keys[:room]
    entries = patient + read_many(conn, keys)
    on_page = {(e.resource_type, e.id) for e in entries}
    candidates = [k for k in _referenced(conn, entries, types) if k not in on_page]
    matched_elsewhere = _members_among(conn, reference, filters, candidates)
    included = read_many(conn, [k for k in candidates if k not in matched_elsewhere])
    next_cursor = None
    if more and keys:
        next_cursor = Cursor(fingerprint, (keys[-1][0],), keys[-1][1]).encode()
    return SearchPage(entries, None, next_cursor, None, included)
