"""One search page inside a read snapshot: total, keyset page in either direction, neighbour cursors, includes."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from typing import Any

from gateway.search import SearchRequest, SummaryMode, TotalMode
from gateway.store.cursor import Cursor
from gateway.store.includes import resolve_includes
from gateway.store.planner import MatchEstimates, choose_driver, fetch_page
from gateway.store.query import count_query
from gateway.store.records import SearchPage, StoredResource
from gateway.store.relevance import relevance_key, relevance_page
from gateway.store.text_index import page_text_matches


def _boundary(fingerprint: str, row: Any, sort_count: int, *, forward: bool) -> str:
    return Cursor(fingerprint, tuple(row[4 : 4 + sort_count]), row[0], forward).encode()


def run_search(conn: sqlite3.Connection, request: SearchRequest, estimates: MatchEstimates | None = None) -> SearchPage:
    """Run ``request`` on ``conn`` (the caller holds a read transaction, so all parts see one snapshot).

    Without ``_sort``, a text search (``_content``/``_text``) is ordered best bm25 first.
    ``Bundle.total`` is exact when asked for (``_total=accurate``, ``_summary=count``, ``_count=0``) and
    when the whole result is this one page; otherwise it is left out, because counting a large result
    costs far more than the page itself (FHIR makes ``total`` optional for exactly this reason).
    ``estimates``: match counts kept from earlier searches for choosing the plan (None: counted afresh).
    """
    fingerprint = request.fingerprint()
    after = Cursor.decode(request.cursor, fingerprint=fingerprint) if request.cursor else None
    driver = choose_driver(conn, request, estimates) if request.filters else None
    total: int | None = None
    if request.total is TotalMode.ACCURATE or request.summary is SummaryMode.COUNT or request.count == 0:
        counted = count_query(request, driver, exists_only=driver is None)
        total = int(conn.execute(counted.sql, counted.args).fetchone()[0])
    if request.count == 0 or request.summary is SummaryMode.COUNT:
        return SearchPage([], total, None)
    relevance = relevance_key(request)
    if relevance is not None:
        rows = relevance_page(conn, request, relevance, after, request.count + 1)
    else:
        rows = fetch_page(conn, request, after, request.count + 1, driver)
    more = len(rows) > request.count
    rows = rows[: request.count]
    forward = after is None or after.forward
    if not forward:
        rows.reverse()
    if total is None and after is None and not more and request.total is not TotalMode.NONE:
        total = len(rows)
    sorts = len(request.sort) or (1 if relevance is not None else 0)
    next_cursor = previous_cursor = None
    if rows and (more or not forward):
        next_cursor = _boundary(fingerprint, rows[-1], sorts, forward=True)
    if rows and (after is not None if forward else more):
        previous_cursor = _boundary(fingerprint, rows[0], sorts, forward=False)
    entries = [StoredResource(request.resource_type, r[0], r[1], datetime.fromisoformat(r[2]), r[3]) for r in rows]
    included = resolve_includes(conn, entries, request.includes, request.revincludes)
    matches = page_text_matches(conn, request, [entry.id for entry in entries])
    return SearchPage(entries, total, next_cursor, previous_cursor, included, matches)
