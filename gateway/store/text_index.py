"""The full-text index (SQLite FTS5) behind ``_content``/``_text``: written with each resource, read per page.

``text_index`` holds one row per resource with text (``gateway.search.text_fields`` says which words), keyed
by the ``resources`` row's rowid, which an upsert keeps, so an update or delete is one keyed statement.
Each indexed resource also gets marker rows in ``search_index`` (param ``_content``, and ``_text`` when it
has a narrative), so text filters combine with the other filters, ``:missing`` and paging like any
parameter. Scores are FTS5's bm25 (lower is better; the Bundle carries its negation as ``search.score``).
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Sequence
from typing import Any

from gateway.search import SearchRequest
from gateway.search.text_fields import TEXT_FIELDS, resource_text
from gateway.search.text_query import TextValue
from gateway.store.records import TextMatch

__all__ = [
    "CREATE_TEXT_INDEX",
    "combined_match",
    "index_resource_text",
    "page_text_matches",
    "rebuild_text_index",
    "text_match_condition",
]

CREATE_TEXT_INDEX = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS text_index"
    " USING fts5(narrative, content, tokenize = 'unicode61 remove_diacritics 2')"
)
SNIPPET_TOKENS = 24
"""Tokens of context a snippet carries around the hit (FTS5 caps it at 64)."""
_MARK_OPEN, _MARK_CLOSE, _ELLIPSIS = "[", "]", "…"
_INSERT_MARKER = "INSERT INTO search_index (resource_type, resource_id, param) VALUES (?, ?, ?)"


def _rowid(conn: sqlite3.Connection, key: tuple[str, str]) -> int | None:
    row = conn.execute("SELECT rowid FROM resources WHERE resource_type = ? AND id = ?", key).fetchone()
    return None if row is None else int(row[0])


def index_resource_text(conn: sqlite3.Connection, key: tuple[str, str], resource: dict[str, Any]) -> None:
    """(Re)index the text of the stored resource ``key`` (after its ``resources`` row and index rows are
    written, inside the same transaction)."""
    if key[0] not in TEXT_FIELDS:
        return
    rowid = _rowid(conn, key)
    if rowid is None:
        return
    conn.execute("DELETE FROM text_index WHERE rowid = ?", (rowid,))
    conn.execute(
        "DELETE FROM search_index WHERE resource_type = ? AND resource_id = ? AND param IN ('_content', '_text')", key
    )
    text = resource_text(resource)
    if not text:
        return
    conn.execute(
        "INSERT INTO text_index (rowid, narrative, content) VALUES (?, ?, ?)", (rowid, text.narrative, text.content)
    )
    conn.execute(_INSERT_MARKER, (*key, "_content"))
    if text.narrative:
        conn.execute(_INSERT_MARKER, (*key, "_text"))


def rebuild_text_index(conn: sqlite3.Connection) -> int:
    """Index every stored resource of a type with text (the migration that creates the index); returns how many."""
    conn.execute("DELETE FROM text_index")
    conn.execute("DELETE FROM search_index WHERE param IN ('_content', '_text')")
    types = sorted(TEXT_FIELDS)
    marks = ", ".join("?" for _ in types)
    rows = conn.execute(
        f"SELECT resource_type, id, json FROM resources WHERE resource_type IN ({marks})",  # noqa: S608
        types,
    ).fetchall()
    for resource_type, resource_id, text in rows:
        index_resource_text(conn, (resource_type, resource_id), json.loads(text))
    return len(rows)


def text_match_condition(resource_type: str, value: TextValue) -> tuple[str, list[Any]]:
    """Condition on a ``search_index`` row (alias ``si``, already narrowed to ``resource_type`` and the text
    parameter's marker rows): its resource's text matches ``value``. The subquery is uncorrelated, so
    SQLite runs the FTS5 query once per search, not once per row."""
    return (
        # CROSS JOIN keeps the FTS5 hits as the outer loop (else SQLite scans every resource of the type)
        "si.resource_id IN (SELECT tr.id FROM text_index CROSS JOIN resources tr ON tr.rowid = text_index.rowid"
        " WHERE text_index MATCH ? AND tr.resource_type = ?)",
        [value.match, resource_type],
    )


def combined_match(request: SearchRequest) -> str | None:
    """One FTS5 expression for all of ``request``'s text filters: filters ANDed, a filter's values ORed."""
    clauses: list[str] = []
    for search_filter in request.filters:
        values = [v for v in search_filter.values if isinstance(v, TextValue)]
        if values and not search_filter.negated:
            clauses.append("(" + " OR ".join(f"({v.match})" for v in values) + ")")
    return " AND ".join(clauses) if clauses else None


def page_text_matches(conn: sqlite3.Connection, request: SearchRequest, ids: Sequence[str]) -> dict[str, TextMatch]:
    """Score and snippet of each of ``ids`` (one page of ``request``'s matches) for its text filters."""
    match = combined_match(request)
    if match is None or not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    rows = conn.execute(
        "SELECT tr.id, bm25(text_index), snippet(text_index, -1, ?, ?, ?, ?) FROM text_index"  # noqa: S608
        " CROSS JOIN resources tr ON tr.rowid = text_index.rowid"
        f" WHERE text_index MATCH ? AND tr.resource_type = ? AND tr.id IN ({marks})",
        [_MARK_OPEN, _MARK_CLOSE, _ELLIPSIS, SNIPPET_TOKENS, match, request.resource_type, *ids],
    ).fetchall()
    return {row[0]: TextMatch(float(row[1]), str(row[2])) for row in rows}
