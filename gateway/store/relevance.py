"""Relevance order for text searches without ``_sort``: best bm25 first, keyset-paged on ``(bm25, id)``.

FHIR leaves the order of a search without ``_sort`` to the server; for ``_content``/``_text`` the useful
one is relevance. The FTS5 hits (with their bm25, lower is better) are listed once, the other filters are
checked per hit, and pages continue after the last ``(bm25, id)`` like any sorted search.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from gateway.search import SearchRequest, SortKey
from gateway.search.text_query import TextValue
from gateway.store.cursor import Cursor
from gateway.store.query import keyset, match_clause
from gateway.store.text_index import combined_match

__all__ = ["relevance_key", "relevance_page"]


def relevance_key(request: SearchRequest) -> SortKey | None:
    """The text filter that orders ``request`` by relevance, when it has one and no ``_sort``."""
    if request.sort:
        return None
    for search_filter in request.filters:
        if not search_filter.negated and any(isinstance(v, TextValue) for v in search_filter.values):
            return SortKey(search_filter.parameter)
    return None


def relevance_page(
    conn: sqlite3.Connection, request: SearchRequest, key: SortKey, after: Cursor | None, limit: int
) -> list[Any]:
    """Up to ``limit`` rows ``(id, version_id, last_updated, json, bm25)`` beyond ``after``, best first
    (backward pages in reverse, as ``fetch_page`` gives them)."""
    match = combined_match(request)
    where, where_args = match_clause(request, None, "r.id", exists_only=True)
    forward = after is None or after.forward
    direction = "ASC" if forward else "DESC"
    page_where, page_args = keyset((key,), after, ["h.s0"], "h.id") if after is not None else ("1", [])
    sql = (
        "WITH h AS (SELECT tr.id AS id, bm25(text_index) AS s0 FROM text_index"  # noqa: S608
        " CROSS JOIN resources tr ON tr.rowid = text_index.rowid WHERE text_index MATCH ? AND tr.resource_type = ?)"
        " SELECT r.id, r.version_id, r.last_updated, r.json, h.s0 FROM h"
        " CROSS JOIN resources r ON r.id = h.id"
        f" WHERE {where} AND {page_where} ORDER BY h.s0 {direction}, h.id {direction} LIMIT ?"
    )
    return conn.execute(sql, [match, request.resource_type, *where_args, *page_args, limit]).fetchall()
