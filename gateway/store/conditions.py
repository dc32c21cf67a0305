"""SQL conditions over one ``search_index`` row (alias ``si``) for each kind of search value.

Values are always bound parameters; the SQL text comes only from the constant fragments here.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from gateway.search import (
    ChainValue,
    CompositeValue,
    DatePrefix,
    DateValue,
    HasValue,
    MissingValue,
    NumberValue,
    OfTypeValue,
    QuantityValue,
    ReferenceValue,
    SearchFilter,
    SearchValue,
    StringValue,
    TokenValue,
    UriValue,
    normalize_string,
)
from gateway.search.dates import to_epoch_micros
from gateway.search.extraction import of_type_key

STRING_MAX = "\U0010ffff"

Condition = tuple[str, list[Any]]

# FHIR R4 prefix semantics, comparing the search range [low, high) with each indexed range.
# The leading bound of eq/ge/le adds nothing (indexed ranges are never empty) but lets SQLite seek an
# index on one end of the range instead of scanning every date of the parameter; the IS NOT NULL terms
# (true of every row of the parameter) let it use the partial value indexes.
_DATE_CONDITIONS: dict[DatePrefix, tuple[str, tuple[str, ...]]] = {
    DatePrefix.EQ: ("(si.date_low >= ? AND si.date_low < ? AND si.date_high <= ?)", ("low", "high", "high")),
    DatePrefix.NE: ("(si.date_low IS NOT NULL AND NOT (si.date_low >= ? AND si.date_high <= ?))", ("low", "high")),
    DatePrefix.GT: ("si.date_high > ?", ("high",)),
    DatePrefix.LT: ("si.date_low < ?", ("low",)),
    DatePrefix.GE: (
        "(si.date_high > ? AND (si.date_high > ? OR (si.date_low >= ? AND si.date_high <= ?)))",
        ("low", "high", "low", "high"),
    ),
    DatePrefix.LE: (
        "(si.date_low < ? AND (si.date_low < ? OR (si.date_low >= ? AND si.date_high <= ?)))",
        ("high", "low", "low", "high"),
    ),
    DatePrefix.SA: ("si.date_low >= ?", ("high",)),
    DatePrefix.EB: ("si.date_high <= ?", ("low",)),
    DatePrefix.AP: ("(si.date_low < ? AND si.date_high > ?)", ("high", "low")),
}

# Numbers are points; the search value is the range its precision implies.
_NUMBER_CONDITIONS: dict[DatePrefix, tuple[str, tuple[str, ...]]] = {
    DatePrefix.EQ: ("(si.number >= ? AND si.number < ?)", ("low", "high")),
    DatePrefix.NE: ("(si.number IS NOT NULL AND NOT (si.number >= ? AND si.number < ?))", ("low", "high")),
    DatePrefix.GT: ("si.number > ?", ("value",)),
    DatePrefix.LT: ("si.number < ?", ("value",)),
    DatePrefix.GE: ("si.number >= ?", ("value",)),
    DatePrefix.LE: ("si.number <= ?", ("value",)),
    DatePrefix.SA: ("si.number >= ?", ("high",)),  # R4: above the search value's whole range, no overlap
    DatePrefix.EB: ("si.number < ?", ("low",)),
    DatePrefix.AP: ("(si.number >= ? AND si.number <= ?)", ("ap_low", "ap_high")),
}


def _token(search_filter: SearchFilter, value: TokenValue) -> Condition:
    if search_filter.modifier == "text":
        text = value.code or ""
        return "(si.token_code IS NULL AND si.string_value >= ? AND si.string_value < ?)", [text, text + STRING_MAX]
    if value.code is None:
        return "si.token_system = ?", [value.system]
    if value.system is None:
        return "si.token_code = ?", [value.code]
    if value.system == "":
        return "(si.token_code = ? AND si.token_system IS NULL)", [value.code]
    return "(si.token_code = ? AND si.token_system = ?)", [value.code, value.system]


def _approximate(low: int, high: int, now: int) -> tuple[int, int]:
    # FHIR leaves "approximately" to the server: we widen by 10% of the distance to now (at least a day).
    gap = max(abs(now - (low + high) // 2) // 10, 86_400_000_000)
    return low - gap, high + gap


def _date(_: SearchFilter, value: DateValue) -> Condition:
    low, high = value.range.low, value.range.high
    if value.prefix is DatePrefix.AP:
        low, high = _approximate(low, high, to_epoch_micros(datetime.now(UTC)))
    sql, names = _DATE_CONDITIONS[value.prefix]
    bounds = {"low": low, "high": high}
    return sql, [bounds[name] for name in names]


def _number(_: SearchFilter, value: NumberValue) -> Condition:
    spread = abs(value.value) / 10
    bounds = {
        "low": value.low,
        "high": value.high,
        "value": value.value,
        "ap_low": value.value - spread,
        "ap_high": value.value + spread,
    }
    sql, names = _NUMBER_CONDITIONS[value.prefix]
    return sql, [bounds[name] for name in names]


def _quantity(search_filter: SearchFilter, value: QuantityValue) -> Condition:
    sql, args = _number(search_filter, value.number)
    if value.system is not None:
        sql, args = f"{sql} AND si.token_system = ?", [*args, value.system]
    if value.code is not None:
        sql, args = f"{sql} AND si.token_code = ?", [*args, value.code]
    return f"({sql})", args


def _string(search_filter: SearchFilter, value: StringValue) -> Condition:
    if search_filter.modifier == "exact":
        return "(si.string_value = ? AND si.string_exact = ?)", [normalize_string(value.text), value.text]
    if search_filter.modifier == "contains":
        pattern = value.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return "(si.string_value IS NOT NULL AND si.string_value LIKE ? ESCAPE '\\')", [f"%{pattern}%"]
    return "(si.string_value >= ? AND si.string_value < ?)", [value.text, value.text + STRING_MAX]


def _reference(_: SearchFilter, value: ReferenceValue) -> Condition:
    marks = ", ".join("?" for _ in value.references)
    return f"si.reference IN ({marks})", list(value.references)


def _uri(search_filter: SearchFilter, value: UriValue) -> Condition:
    if search_filter.modifier == "below":  # the value itself or anything under it, by path segment
        stem = value.uri.rstrip("/")
        return "(si.token_code = ? OR (si.token_code >= ? AND si.token_code < ?))", [
            stem,
            stem + "/",
            stem + "/" + STRING_MAX,
        ]
    if search_filter.modifier == "above":  # the value itself or any ancestor path of it
        ancestors = _uri_ancestors(value.uri)
        return f"si.token_code IN ({', '.join('?' for _ in ancestors)})", list(ancestors)
    return "(si.token_code = ? AND si.token_system IS NULL)", [value.uri]


def _uri_ancestors(uri: str) -> list[str]:
    scheme, sep, rest = uri.partition("://")
    segments = (rest if sep else scheme).rstrip("/").split("/")
    prefix = scheme + sep if sep else ""
    return [prefix + "/".join(segments[:n]) for n in range(len(segments), 0, -1)]


def _of_type(_: SearchFilter, value: OfTypeValue) -> Condition:
    return "(si.token_code IS NULL AND si.string_exact = ?)", [
        of_type_key(value.type_system, value.type_code, value.value)
    ]


def _ored(search_filter: SearchFilter) -> Condition:
    conditions = [value_condition(search_filter, v) for v in search_filter.values]
    return " OR ".join(f"({sql})" for sql, _ in conditions), [arg for _, args in conditions for arg in args]


def _chain(_: SearchFilter, value: ChainValue) -> Condition:
    # The inner query aliases its own rows ``si`` too: SQL resolves the name to the innermost table.
    inner, args = _ored(value.inner)
    marks = ", ".join("?" for _ in value.target_types)
    return (
        "si.reference IN (SELECT si.resource_type || '/' || si.resource_id FROM search_index si"  # noqa: S608
        f" WHERE si.resource_type IN ({marks}) AND si.param = ? AND ({inner}))",
        [*value.target_types, value.inner.parameter.name, *args],
    )


def _has(_: SearchFilter, value: HasValue) -> Condition:
    inner, args = _ored(value.inner)
    prefix = value.target_type + "/"
    return (
        "si.token_code IN (SELECT substr(si.reference, ?) FROM search_index si"  # noqa: S608
        " WHERE si.resource_type = ? AND si.param = ? AND si.reference >= ? AND si.reference < ?"
        " AND si.resource_id IN (SELECT si.resource_id FROM search_index si"
        f" WHERE si.resource_type = ? AND si.param = ? AND ({inner})))",
        [
            len(prefix) + 1,
            value.source_type,
            value.reference,
            prefix,
            prefix + STRING_MAX,
            value.source_type,
            value.inner.parameter.name,
            *args,
        ],
    )


def _composite_part(search_filter: SearchFilter, part: SearchValue) -> Condition:
    """A value part of a composite, on the columns ``extraction._second_part`` fills."""
    if isinstance(part, QuantityValue):
        sql, args = _number(search_filter, part.number)
        if part.system is not None:
            sql, args = f"{sql} AND si.string_value = ?", [*args, part.system]
        if part.code is not None:
            sql, args = f"{sql} AND si.string_exact = ?", [*args, part.code]
        return f"({sql})", args
    if isinstance(part, TokenValue):
        clauses: list[str] = []
        args = []
        if part.code is not None:
            clauses.append("si.string_exact = ?")
            args.append(part.code)
        if part.system == "":
            clauses.append("si.string_value IS NULL")
        elif part.system is not None:
            clauses.append("si.string_value = ?")
            args.append(part.system)
        return "(" + " AND ".join(clauses) + ")", args
    if isinstance(part, StringValue):
        return _string(search_filter, part)
    return value_condition(search_filter, part)  # a date part reads the date columns as a date does


def _composite(search_filter: SearchFilter, value: CompositeValue) -> Condition:
    first, second = value.parts
    if not isinstance(first, TokenValue):
        raise TypeError("composite parameters start with a token part")
    code_sql, code_args = _token(search_filter, first)
    part_sql, part_args = _composite_part(search_filter, second)
    # The code part is the selective one: unary + keeps SQLite from seeking a value index instead.
    part_sql = part_sql.replace("si.", "+si.")
    return f"({code_sql} AND {part_sql})", [*code_args, *part_args]


def _present(_: SearchFilter, __: MissingValue) -> Condition:
    # any row of the parameter; ``:missing=true`` is the negation, applied by the caller (``SearchFilter.negated``)
    return "1", []


_CONDITIONS: dict[type, Callable[[SearchFilter, Any], Condition]] = {
    TokenValue: _token,
    DateValue: _date,
    StringValue: _string,
    ReferenceValue: _reference,
    NumberValue: _number,
    QuantityValue: _quantity,
    MissingValue: _present,
    UriValue: _uri,
    OfTypeValue: _of_type,
    ChainValue: _chain,
    HasValue: _has,
    CompositeValue: _composite,
}


def value_condition(search_filter: SearchFilter, value: SearchValue) -> Condition:
    """The condition one indexed row must meet to match ``value`` (one OR-alternative of the filter)."""
    return _CONDITIONS[type(value)](search_filter, value)
