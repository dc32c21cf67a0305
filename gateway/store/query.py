"""SQL for a ``SearchRequest``: match conditions on the index tables only, sort keys, keyset paging.

Every condition is evaluated against ``search_index`` (alias ``si``); the JSON column is read only for
the rows of the returned page. SQL text is assembled only from the constant fragments below (hence the
``noqa: S608`` marks); every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from gateway.search import (
    DATE_MAX,
    DATE_MIN,
    DatePrefix,
    DateValue,
    ReferenceValue,
    SearchFilter,
    SearchParamType,
    SearchRequest,
    SearchValue,
    SortKey,
    StringValue,
    TokenValue,
    normalize_string,
)
from gateway.store.cursor import Cursor, SortValue

_STRING_MAX = "\U0010ffff"

# FHIR R4 date prefix semantics, comparing the search range [low, high) with each indexed range.
_DATE_CONDITIONS: dict[DatePrefix, tuple[str, tuple[str, ...]]] = {
    DatePrefix.EQ: ("(si.date_low >= ? AND si.date_high <= ?)", ("low", "high")),
    DatePrefix.NE: ("NOT (si.date_low >= ? AND si.date_high <= ?)", ("low", "high")),
    DatePrefix.GT: ("si.date_high > ?", ("high",)),
    DatePrefix.LT: ("si.date_low < ?", ("low",)),
    DatePrefix.GE: ("(si.date_high > ? OR (si.date_low >= ? AND si.date_high <= ?))", ("high", "low", "high")),
    DatePrefix.LE: ("(si.date_low < ? OR (si.date_low >= ? AND si.date_high <= ?))", ("low", "low", "high")),
    DatePrefix.SA: ("si.date_low >= ?", ("high",)),
    DatePrefix.EB: ("si.date_high <= ?", ("low",)),
}

# Sort key column per parameter type, and the value that puts resources without one last.
_SORT_COLUMNS: dict[SearchParamType, tuple[str, SortValue, SortValue]] = {
    SearchParamType.DATE: ("date_low", DATE_MAX + 1, DATE_MIN - 1),
    SearchParamType.TOKEN: ("token_code", _STRING_MAX, ""),
    SearchParamType.URI: ("token_code", _STRING_MAX, ""),
    SearchParamType.STRING: ("string_value", _STRING_MAX, ""),
    SearchParamType.REFERENCE: ("reference", _STRING_MAX, ""),
    SearchParamType.NUMBER: ("number", 1e308, -1e308),
    SearchParamType.QUANTITY: ("number", 1e308, -1e308),
}

Condition = tuple[str, list[Any]]


def _token(_: SearchFilter, value: TokenValue) -> Condition:
    if value.code is None:
        return "si.token_system = ?", [value.system]
    if value.system is None:
        return "si.token_code = ?", [value.code]
    if value.system == "":
        return "(si.token_code = ? AND si.token_system IS NULL)", [value.code]
    return "(si.token_code = ? AND si.token_system = ?)", [value.code, value.system]


def _date(_: SearchFilter, value: DateValue) -> Condition:
    sql, names = _DATE_CONDITIONS[value.prefix]
    bounds = {"low": value.range.low, "high": value.range.high}
    return sql, [bounds[name] for name in names]


def _string(search_filter: SearchFilter, value: StringValue) -> Condition:
    if search_filter.modifier == "exact":
        return "(si.string_value = ? AND si.string_exact = ?)", [normalize_string(value.text), value.text]
    if search_filter.modifier == "contains":
        pattern = value.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return "si.string_value LIKE ? ESCAPE '\\'", [f"%{pattern}%"]
    return "(si.string_value >= ? AND si.string_value < ?)", [value.text, value.text + _STRING_MAX]


def _reference(_: SearchFilter, value: ReferenceValue) -> Condition:
    marks = ", ".join("?" for _ in value.references)
    return f"si.reference IN ({marks})", list(value.references)


_CONDITIONS: dict[type, Callable[[SearchFilter, Any], Condition]] = {
    TokenValue: _token,
    DateValue: _date,
    StringValue: _string,
    ReferenceValue: _reference,
}


def _value_condition(search_filter: SearchFilter, value: SearchValue) -> Condition:
    return _CONDITIONS[type(value)](search_filter, value)


def match_clause(request: SearchRequest) -> Condition:
    """WHERE clause over ``resources r`` selecting every match of ``request`` (filters ANDed, values ORed)."""
    clauses, args = ["r.resource_type = ?"], [request.resource_type]
    for search_filter in request.filters:
        conditions = [_value_condition(search_filter, v) for v in search_filter.values]
        ored = " OR ".join(sql for sql, _ in conditions)
        clauses.append(
            "r.id IN (SELECT si.resource_id FROM search_index si"  # noqa: S608
            f" WHERE si.resource_type = ? AND si.param = ? AND ({ored}))"
        )
        args += [request.resource_type, search_filter.parameter.name]
        args += [arg for _, cond_args in conditions for arg in cond_args]
    return " AND ".join(clauses), args


def _sort_expression(sort: SortKey | None) -> Condition:
    if sort is None:
        return "NULL", []
    column, last_asc, last_desc = _SORT_COLUMNS[sort.parameter.type]
    aggregate = "MAX" if sort.descending else "MIN"
    return (
        f"COALESCE((SELECT {aggregate}(si.{column}) FROM search_index si WHERE si.resource_type ="  # noqa: S608
        " r.resource_type AND si.resource_id = r.id AND si.param = ?), ?)",
        [sort.parameter.name, last_desc if sort.descending else last_asc],
    )


@dataclass(frozen=True, slots=True)
class PageQuery:
    """SQL for one page: rows are ``(id, version_id, last_updated, json, sort_value)``."""

    sql: str
    args: list[Any]


def page_query(request: SearchRequest, after: Cursor | None, limit: int) -> PageQuery:
    """The page of up to ``limit`` matches that follows ``after`` in (sort value, id) order."""
    where, where_args = match_clause(request)
    sort_sql, sort_args = _sort_expression(request.sort)
    keyset, keyset_args, order = "1", list[Any](), "m.id ASC"
    sort = request.sort
    if sort is not None:
        order = f"m.sort_value {'DESC' if sort.descending else 'ASC'}, m.id ASC"
    if after is not None and sort is None:
        keyset, keyset_args = "m.id > ?", [after.last_id]
    elif after is not None and sort is not None:
        op = "<" if sort.descending else ">"
        keyset = f"(m.sort_value {op} ? OR (m.sort_value = ? AND m.id > ?))"
        keyset_args = [after.sort_value, after.sort_value, after.last_id]
    sql = (
        f"WITH m AS (SELECT r.id AS id, {sort_sql} AS sort_value FROM resources r WHERE {where})"  # noqa: S608
        " SELECT r.id, r.version_id, r.last_updated, r.json, m.sort_value"
        " FROM m JOIN resources r ON r.resource_type = ? AND r.id = m.id"
        f" WHERE {keyset} ORDER BY {order} LIMIT ?"
    )
    args = [*sort_args, *where_args, request.resource_type, *keyset_args, limit]
    return PageQuery(sql, args)


def count_query(request: SearchRequest) -> PageQuery:
    """SQL counting every match of ``request``."""
    where, args = match_clause(request)
    return PageQuery(f"SELECT COUNT(*) FROM resources r WHERE {where}", args)  # noqa: S608
