"""Query planning the SQLite planner cannot do for us: which filter drives, and sort-driven top-K pages.

SQLite has no statistics about how many index rows a value matches, so the planner asks: each filter's
matches are counted up to ``ESTIMATE_CAP``; the rarest filter (when under the cap) drives the search.
When every filter is common, a sorted page instead walks the sort parameter's own index in order and
checks the filters per row, stopping once the page is full (matches are dense, so that is quick).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from gateway.search import SearchFilter, SearchRequest
from gateway.store.conditions import param_clause
from gateway.store.cursor import Cursor
from gateway.store.query import SORT_COLUMNS, PageQuery, filter_condition, filter_exists, keyset, page_query

ESTIMATE_CAP = 500


def choose_driver(conn: sqlite3.Connection, request: SearchRequest) -> SearchFilter | None:
    """The filter with the fewest matching index rows, if it has fewer than ``ESTIMATE_CAP``; else None."""
    best: SearchFilter | None = None
    best_count = ESTIMATE_CAP
    for search_filter in request.filters:
        if search_filter.negated:
            continue
        ored, args = filter_condition(search_filter)
        param_sql, names = param_clause(search_filter.parameter)
        sql = (
            "SELECT COUNT(*) FROM (SELECT 1 FROM search_index si"  # noqa: S608
            f" WHERE si.resource_type = ? AND {param_sql} AND ({ored}) LIMIT ?)"
        )
        found = int(conn.execute(sql, [request.resource_type, *names, *args, ESTIMATE_CAP]).fetchone()[0])
        if found < best_count:
            best, best_count = search_filter, found
    return best


def _sorted_by_index(request: SearchRequest, after: Cursor | None, limit: int) -> PageQuery:
    """Phase 1 of a sort-driven page: resources that have the sort value, in sort order, first row each."""
    (key,) = request.sort
    column, index, _, _ = SORT_COLUMNS[key.parameter.type]
    aggregate = "MAX" if key.descending else "MIN"
    clauses = [
        "d.resource_type = ?",
        "d.param = ?",
        f"d.{column} IS NOT NULL",
        f"d.{column} = (SELECT {aggregate}(x.{column}) FROM search_index x INDEXED BY search_index_resource"  # noqa: S608
        " WHERE x.resource_type = d.resource_type AND x.resource_id = d.resource_id AND x.param = d.param)",
    ]
    args: list[Any] = [request.resource_type, key.parameter.name]
    for search_filter in request.filters:
        sql, more = filter_exists(request, search_filter, "d.resource_id")
        clauses.append(sql)
        args += more
    if after is not None:
        sql, more = keyset(request.sort, after, [f"d.{column}"], "d.resource_id")
        clauses.append(sql)
        args += more
    direction = "DESC" if key.descending else "ASC"
    sql = (
        "SELECT r.id, r.version_id, r.last_updated, r.json, p.s0 FROM"  # noqa: S608
        f" (SELECT d.resource_id AS id, d.{column} AS s0 FROM search_index d INDEXED BY {index}"
        f" WHERE {' AND '.join(clauses)} ORDER BY d.{column} {direction}, d.resource_id ASC LIMIT ?) p"
        f" JOIN resources r ON r.resource_type = ? AND r.id = p.id ORDER BY p.s0 {direction}, p.id ASC"
    )
    return PageQuery(sql, [*args, limit, request.resource_type])


def _missing_sort_value(request: SearchRequest, after: Cursor | None, limit: int) -> PageQuery:
    """Phase 2 of a sort-driven page: matches without the sort value (they sort last), in id order."""
    (key,) = request.sort
    column, _, last_asc, last_desc = SORT_COLUMNS[key.parameter.type]
    sentinel = last_desc if key.descending else last_asc
    # A row without the sort column (e.g. a text-only code's token row) is no sort value either.
    clauses = [
        "r.resource_type = ?",
        "NOT EXISTS (SELECT 1 FROM search_index x INDEXED BY search_index_resource"  # noqa: S608
        " WHERE x.resource_type = r.resource_type AND x.resource_id = r.id AND x.param = ?"
        f" AND x.{column} IS NOT NULL)",
    ]
    args: list[Any] = [request.resource_type, key.parameter.name]
    for search_filter in request.filters:
        sql, more = filter_exists(request, search_filter, "r.id")
        clauses.append(sql)
        args += more
    if after is not None and after.sort_values == (sentinel,):
        clauses.append("r.id > ?")
        args.append(after.last_id)
    sql = (
        "SELECT r.id, r.version_id, r.last_updated, r.json, ? FROM resources r"  # noqa: S608
        f" WHERE {' AND '.join(clauses)} ORDER BY r.id LIMIT ?"
    )
    return PageQuery(sql, [sentinel, *args, limit])


def fetch_page(
    conn: sqlite3.Connection, request: SearchRequest, after: Cursor | None, limit: int, driver: SearchFilter | None
) -> list[Any]:
    """Up to ``limit`` rows of the page after ``after``, by the cheapest plan that gives the exact order.

    ``driver`` is ``choose_driver``'s answer: with one, its few matches are listed and sorted; without,
    a single-key forward page walks the sort index, anything else scans candidates in id order.
    """
    forward = after is None or after.forward
    if driver is not None or len(request.sort) != 1 or not forward:
        built = page_query(request, after, limit, driver, exists_only=driver is None)
        return conn.execute(built.sql, built.args).fetchall()
    (key,) = request.sort
    _, _, last_asc, last_desc = SORT_COLUMNS[key.parameter.type]
    in_missing_zone = after is not None and after.sort_values == ((last_desc if key.descending else last_asc),)
    rows: list[Any] = []
    if not in_missing_zone:
        built = _sorted_by_index(request, after, limit)
        rows = conn.execute(built.sql, built.args).fetchall()
    if len(rows) < limit:
        built = _missing_sort_value(request, after, limit - len(rows))
        rows += conn.execute(built.sql, built.args).fetchall()
    return rows
