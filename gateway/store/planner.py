"""Query planning the SQLite planner cannot do for us: which filter drives, and sort-driven top-K pages.

SQLite has no statistics about how many index rows a value matches, so the planner asks: each filter's
matches are counted up to ``ESTIMATE_CAP``; the rarest filter (when under the cap) drives the search.
When every filter is common, a sorted page instead walks the sort parameter's own index in order and
checks the filters per row, stopping once the page is full (matches are dense, so that is quick).
The counts are kept between searches (``MatchEstimates``): a plan only decides how fast an answer comes,
never what it is, so an estimate that is a little stale costs time at worst.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable
from typing import Any

from gateway.search import DatePrefix, DateValue, SearchFilter, SearchParamType, SearchRequest
from gateway.store.conditions import param_clause
from gateway.store.cursor import Cursor
from gateway.store.query import SORT_COLUMNS, PageQuery, filter_condition, filter_exists, keyset, page_query

ESTIMATE_CAP = 500
ESTIMATE_MAX_AGE_S = 30.0  # bounds how stale a count gets when another process writes the store
ESTIMATES_KEPT = 1024


class MatchEstimates:
    """Capped match counts by filter SQL and arguments, reused for ``max_age`` seconds or until ``clear``."""

    def __init__(self, *, max_age: float = ESTIMATE_MAX_AGE_S, monotonic: Callable[[], float] = time.monotonic) -> None:
        self._max_age = max_age
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._counts: dict[tuple[Any, ...], tuple[int, float]] = {}

    def count(self, conn: sqlite3.Connection, sql: str, args: list[Any]) -> int:
        key = (sql, *args)
        now = self._monotonic()
        with self._lock:
            kept = self._counts.get(key)
        if kept is not None and now - kept[1] < self._max_age:
            return kept[0]
        found = int(conn.execute(sql, args).fetchone()[0])
        with self._lock:
            if len(self._counts) >= ESTIMATES_KEPT:
                self._counts.clear()
            self._counts[key] = (found, now)
        return found

    def clear(self) -> None:
        """Forget every count (the store was written)."""
        with self._lock:
            self._counts.clear()


def choose_driver(
    conn: sqlite3.Connection, request: SearchRequest, estimates: MatchEstimates | None = None
) -> SearchFilter | None:
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
        bound = [request.resource_type, *names, *args, ESTIMATE_CAP]
        found = estimates.count(conn, sql, bound) if estimates else int(conn.execute(sql, bound).fetchone()[0])
        if found < best_count:
            best, best_count = search_filter, found
    return best


def _checkable_on_walked_row(search_filter: SearchFilter, sort_name: str) -> bool:
    """Whether a filter's date conditions can be tried on the sort walk's own row first (a date filter on
    the sort parameter itself, plain prefixes only: its SQL names nothing but ``si``'s date columns; not ``ap``,
    whose bounds are drawn from the clock at each build of the condition)."""
    return (
        search_filter.modifier is None
        and search_filter.parameter.type is SearchParamType.DATE
        and tuple(search_filter.parameter.index_names) == (sort_name,)
        and all(isinstance(value, DateValue) and value.prefix is not DatePrefix.AP for value in search_filter.values)
    )


def _sorted_by_index(request: SearchRequest, after: Cursor | None, limit: int) -> PageQuery:
    """Phase 1 of a sort-driven page: resources that have the sort value, in sort order, first row each."""
    (key,) = request.sort
    column, index, _, _ = SORT_COLUMNS[key.parameter.type]
    aggregate = "MAX" if key.descending else "MIN"
    clauses = ["d.resource_type = ?", "d.param = ?", f"d.{column} IS NOT NULL"]
    args: list[Any] = [request.resource_type, key.parameter.name]
    for search_filter in request.filters:
        sql, more = filter_exists(request, search_filter, "d.resource_id")
        if _checkable_on_walked_row(search_filter, key.parameter.name):
            # The walked row is one of the resource's rows of this parameter: when it matches, the
            # EXISTS lookup would too, so it is only needed for the rows that do not.
            ored, own = filter_condition(search_filter)
            sql, more = f"(({ored.replace('si.', 'd.')}) OR {sql})", [*own, *more]
        clauses.append(sql)
        args += more
    # Last: the per-row aggregate (first row of each resource) is the dearest check.
    clauses.append(
        f"d.{column} = (SELECT {aggregate}(x.{column}) FROM search_index x INDEXED BY search_index_resource"  # noqa: S608
        " WHERE x.resource_type = d.resource_type AND x.resource_id = d.resource_id AND x.param = d.param)"
    )
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
