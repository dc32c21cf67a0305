"""SQL for a ``SearchRequest``: match conditions on the index tables only, sort keys, keyset paging.

Every condition is evaluated against ``search_index`` (alias ``si``); the JSON column is read only for
the rows of the returned page. One filter may be the *driver* (its matches, few, are listed first and
the rest checked per candidate with ``EXISTS``); ``gateway.store.planner`` picks it. SQL text is
assembled only from constant fragments (hence the ``noqa: S608`` marks); every value is bound.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.search import (
    DATE_MAX,
    DATE_MIN,
    InvalidSearchError,
    SearchFilter,
    SearchParamType,
    SearchRequest,
    SortKey,
)
from gateway.store.conditions import STRING_MAX, Condition, param_clause, value_condition
from gateway.store.cursor import Cursor, SortValue

# Sort key column per parameter type, its index, and the values that put resources without one last.
SORT_COLUMNS: dict[SearchParamType, tuple[str, str, SortValue, SortValue]] = {
    SearchParamType.DATE: ("date_low", "search_index_date", DATE_MAX + 1, DATE_MIN - 1),
    SearchParamType.TOKEN: ("token_code", "search_index_token", STRING_MAX, ""),
    SearchParamType.URI: ("token_code", "search_index_token", STRING_MAX, ""),
    SearchParamType.STRING: ("string_value", "search_index_string", STRING_MAX, ""),
    SearchParamType.REFERENCE: ("reference", "search_index_reference", STRING_MAX, ""),
    SearchParamType.NUMBER: ("number", "search_index_number", 1e308, -1e308),
    SearchParamType.QUANTITY: ("number", "search_index_number", 1e308, -1e308),
}


def filter_condition(search_filter: SearchFilter) -> Condition:
    """``(ored conditions over si, args)`` of one filter, without its resource type and parameter."""
    conditions = [value_condition(search_filter, v) for v in search_filter.values]
    return " OR ".join(sql for sql, _ in conditions), [arg for _, args in conditions for arg in args]


def filter_exists(request: SearchRequest, search_filter: SearchFilter, id_expr: str) -> Condition:
    """``[NOT] EXISTS`` over the index rows of the resource ``id_expr`` names (a per-candidate lookup)."""
    ored, args = filter_condition(search_filter)
    negate = "NOT " if search_filter.negated else ""
    param_sql, names = param_clause(search_filter.parameter)
    return (
        f"{negate}EXISTS (SELECT 1 FROM search_index si INDEXED BY search_index_resource"  # noqa: S608
        f" WHERE si.resource_type = ? AND si.resource_id = {id_expr} AND {param_sql} AND ({ored}))",
        [request.resource_type, *names, *args],
    )


def match_clause(
    request: SearchRequest, driver: SearchFilter | None = None, id_expr: str = "r.id", *, exists_only: bool = False
) -> Condition:
    """WHERE clause selecting every match of ``request`` (filters ANDed, values ORed) for resources ``r``.

    By default every filter is an ``IN`` list; with a driver only the driver is, the others are per-row
    ``EXISTS`` lookups; with ``exists_only`` all are (for scanning dense matches in id order).
    """
    clauses, args = ["r.resource_type = ?"], [request.resource_type]
    for search_filter in request.filters:
        if exists_only or (driver is not None and search_filter is not driver):
            sql, more = filter_exists(request, search_filter, id_expr)
            clauses.append(sql)
            args += more
            continue
        ored, more = filter_condition(search_filter)
        negate = "NOT " if search_filter.negated else ""
        param_sql, names = param_clause(search_filter.parameter)
        clauses.append(
            f"{id_expr} {negate}IN (SELECT si.resource_id FROM search_index si"  # noqa: S608
            f" WHERE si.resource_type = ? AND {param_sql} AND ({ored}))"
        )
        args += [request.resource_type, *names, *more]
    return " AND ".join(clauses), args


def sort_expression(sort: SortKey, id_expr: str = "r.id") -> Condition:
    column, _, last_asc, last_desc = SORT_COLUMNS[sort.parameter.type]
    aggregate = "MAX" if sort.descending else "MIN"
    return (
        f"COALESCE((SELECT {aggregate}(si.{column}) FROM search_index si INDEXED BY search_index_resource"  # noqa: S608
        f" WHERE si.resource_type = r.resource_type AND si.resource_id = {id_expr} AND si.param = ?), ?)",
        [sort.parameter.name, last_desc if sort.descending else last_asc],
    )


def keyset(sort: tuple[SortKey, ...], after: Cursor, columns: list[str], id_column: str) -> Condition:
    """Rows strictly beyond ``after`` in the page direction: lexicographic over (sort keys..., id)."""
    if len(after.sort_values) != len(sort):
        raise InvalidSearchError("_cursor is malformed")
    alternatives: list[str] = []
    args: list[Any] = []
    for i, key in enumerate(sort):
        upward = key.descending != after.forward
        equal = [f"{columns[j]} = ?" for j in range(i)]
        alternatives.append("(" + " AND ".join([*equal, f"{columns[i]} {'>' if upward else '<'} ?"]) + ")")
        args += [*after.sort_values[:i], after.sort_values[i]]
    equal = [f"{column} = ?" for column in columns[: len(sort)]]
    alternatives.append("(" + " AND ".join([*equal, f"{id_column} {'>' if after.forward else '<'} ?"]) + ")")
    args += [*after.sort_values, after.last_id]
    return "(" + " OR ".join(alternatives) + ")", args


@dataclass(frozen=True, slots=True)
class PageQuery:
    """SQL for one page: rows are ``(id, version_id, last_updated, json, s0, s1, ...)``."""

    sql: str
    args: list[Any]


def page_query(
    request: SearchRequest,
    after: Cursor | None,
    limit: int,
    driver: SearchFilter | None = None,
    *,
    exists_only: bool = False,
) -> PageQuery:
    """Up to ``limit`` matches beyond ``after`` (forward: ascending page order; backward: reversed)."""
    where, where_args = match_clause(request, driver, exists_only=exists_only)
    forward = after is None or after.forward
    sort_parts = [sort_expression(key) for key in request.sort]
    columns = "".join(f", {sql} AS s{i}" for i, (sql, _) in enumerate(sort_parts))
    sort_args = [arg for _, args in sort_parts for arg in args]
    order = [f"m.s{i} {'DESC' if key.descending == forward else 'ASC'}" for i, key in enumerate(request.sort)]
    order.append(f"m.id {'ASC' if forward else 'DESC'}")
    names = [f"m.s{i}" for i in range(len(request.sort))]
    where_page, page_args = keyset(request.sort, after, names, "m.id") if after is not None else ("1", [])
    selected = "".join(f", m.s{i}" for i in range(len(request.sort)))
    sql = (
        f"WITH m AS (SELECT r.id AS id{columns} FROM resources r WHERE {where})"  # noqa: S608
        f" SELECT r.id, r.version_id, r.last_updated, r.json{selected}"
        " FROM m JOIN resources r ON r.resource_type = ? AND r.id = m.id"
        f" WHERE {where_page} ORDER BY {', '.join(order)} LIMIT ?"
    )
    return PageQuery(sql, [*sort_args, *where_args, request.resource_type, *page_args, limit])


def count_query(request: SearchRequest, driver: SearchFilter | None = None, *, exists_only: bool = False) -> PageQuery:
    """SQL counting every match of ``request``."""
    where, args = match_clause(request, driver, exists_only=exists_only)
    return PageQuery(f"SELECT COUNT(*) FROM resources r WHERE {where}", args)  # noqa: S608
