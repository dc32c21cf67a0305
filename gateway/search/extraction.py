"""Value extraction: one resource's FHIR JSON -> the typed index rows its search parameters produce."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from gateway.search.dates import DateRange, parse_date_range, period_range
from gateway.search.parameters import SearchParameter, SearchParamType, parameters_for
from gateway.search.paths import evaluate_path
from gateway.search.references import normalize_reference
from gateway.search.strings import normalize_string

EXTRACTION_VERSION = 2
"""Bump when the rows a value yields change (stores rebuild their index once: ``gateway.store.reindex``)."""

_NAME_PARTS = ("text", "family", "given", "prefix", "suffix")
_ADDRESS_PARTS = ("text", "line", "city", "district", "state", "postalCode", "country")


@dataclass(frozen=True, slots=True)
class IndexRow:
    """One searchable value of one parameter; only the columns of the parameter's type are set."""

    param: str
    token_system: str | None = None
    token_code: str | None = None
    string_value: str | None = None
    string_exact: str | None = None
    date_low: int | None = None
    date_high: int | None = None
    reference: str | None = None
    number: float | None = None


def _token_text(param: SearchParameter, text: Any) -> Iterator[IndexRow]:
    # ``:text`` rows carry no code, so plain token conditions (which compare codes) never see them.
    if isinstance(text, str) and text.strip():
        yield IndexRow(param.name, string_value=normalize_string(text))


def _tokens(param: SearchParameter, node: Any) -> Iterator[IndexRow]:
    if isinstance(node, bool):
        yield IndexRow(param.name, token_code="true" if node else "false")
    elif isinstance(node, str):
        yield IndexRow(param.name, token_code=node)
    elif isinstance(node, dict):
        if "coding" in node or "text" in node:  # CodeableConcept: codings are tokens, text is for :text
            for coding in node.get("coding") or ():
                yield from _tokens(param, coding)
            yield from _token_text(param, node.get("text"))
        elif isinstance(node.get("code"), str):  # Coding
            yield IndexRow(param.name, token_system=node.get("system"), token_code=node["code"])
            yield from _token_text(param, node.get("display"))
        elif isinstance(node.get("value"), str):  # Identifier / ContactPoint
            yield IndexRow(param.name, token_system=node.get("system"), token_code=node["value"])
            yield from _token_text(param, (node.get("type") or {}).get("text"))
            yield from _of_type(param, node)
        elif isinstance(node.get("display"), str):  # a Coding with only a display: text, no code
            yield from _token_text(param, node["display"])


def _of_type(param: SearchParameter, identifier: dict[str, Any]) -> Iterator[IndexRow]:
    # ``:of-type`` rows: only ``string_exact`` is set, so no token, ``:text`` or sort condition sees them
    for coding in (identifier.get("type") or {}).get("coding") or ():
        if isinstance(coding, dict) and isinstance(coding.get("system"), str) and isinstance(coding.get("code"), str):
            yield IndexRow(param.name, string_exact=of_type_key(coding["system"], coding["code"], identifier["value"]))


def of_type_key(type_system: str, type_code: str, value: str) -> str:
    """The indexed form of an Identifier's (type coding, value) for ``:of-type``."""
    return f"{type_system}|{type_code}|{value}"


def _string_parts(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        keys = _NAME_PARTS if ("family" in node or "given" in node) else _ADDRESS_PARTS
        for key in keys:
            value = node.get(key)
            for part in value if isinstance(value, list) else [value]:
                if isinstance(part, str):
                    yield part


def _strings(param: SearchParameter, node: Any) -> Iterator[IndexRow]:
    for text in _string_parts(node):
        yield IndexRow(param.name, string_value=normalize_string(text), string_exact=text)


def _timing_range(node: dict[str, Any]) -> DateRange | None:
    """A Timing is searched by its bounds: ``repeat.boundsPeriod``, else the span of its ``event`` times."""
    bounds = (node.get("repeat") or {}).get("boundsPeriod")
    if isinstance(bounds, dict):
        return period_range(bounds.get("start"), bounds.get("end"))
    events = [found for e in node.get("event") or () if isinstance(e, str) and (found := parse_date_range(e))]
    if not events:
        return None
    return DateRange(min(e.low for e in events), max(e.high for e in events))


def _dates(param: SearchParameter, node: Any) -> Iterator[IndexRow]:
    if isinstance(node, str):
        found = parse_date_range(node)
    elif isinstance(node, dict) and ("repeat" in node or "event" in node):
        found = _timing_range(node)
    elif isinstance(node, dict):
        found = period_range(node.get("start"), node.get("end"))
    else:
        found = None
    if found is not None:
        yield IndexRow(param.name, date_low=found.low, date_high=found.high)


def _references(param: SearchParameter, node: Any) -> Iterator[IndexRow]:
    if not isinstance(node, dict):
        return
    identifier = node.get("identifier")
    if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
        # a logical reference: a value for ``:missing``, searchable with ``:identifier``, never a Type/id
        yield IndexRow(param.name, token_system=identifier.get("system"), token_code=identifier["value"])
    reference = node.get("reference")
    if not isinstance(reference, str):
        return
    parsed = normalize_reference(reference)
    if parsed is not None and (not param.targets or parsed[0] in param.targets):
        yield IndexRow(param.name, reference=f"{parsed[0]}/{parsed[1]}")


def _numbers(param: SearchParameter, node: Any) -> Iterator[IndexRow]:
    if isinstance(node, int | float) and not isinstance(node, bool):
        yield IndexRow(param.name, number=float(node))


def _quantities(param: SearchParameter, node: Any) -> Iterator[IndexRow]:
    if isinstance(node, dict) and isinstance(node.get("value"), int | float):
        number = float(node["value"])
        code, unit = node.get("code"), node.get("unit")
        yield IndexRow(param.name, token_system=node.get("system"), token_code=code or unit, number=number)
        if code and isinstance(unit, str) and unit != code:
            # R4: ``N||u`` matches Quantity.code or Quantity.unit; a system-less row for the unit string
            yield IndexRow(param.name, token_code=unit, number=number)


def _uris(param: SearchParameter, node: Any) -> Iterator[IndexRow]:
    if isinstance(node, str):
        yield IndexRow(param.name, token_code=node)


_EXTRACTORS: dict[SearchParamType, Callable[[SearchParameter, Any], Iterator[IndexRow]]] = {
    SearchParamType.TOKEN: _tokens,
    SearchParamType.STRING: _strings,
    SearchParamType.DATE: _dates,
    SearchParamType.REFERENCE: _references,
    SearchParamType.NUMBER: _numbers,
    SearchParamType.QUANTITY: _quantities,
    SearchParamType.URI: _uris,
}


def _second_part(kind: SearchParamType, row: IndexRow) -> dict[str, Any] | None:
    """A composite's value part in the columns its own conditions read (the code part has the token columns)."""
    if kind in (SearchParamType.QUANTITY, SearchParamType.TOKEN):  # unit or value coding: system, code
        if row.token_code is None:
            return None
        return {"string_value": row.token_system, "string_exact": row.token_code, "number": row.number}
    if kind is SearchParamType.STRING:
        return {"string_value": row.string_value, "string_exact": row.string_exact}
    if kind is SearchParamType.DATE:
        return {"date_low": row.date_low, "date_high": row.date_high}
    return None


def _composites(param: SearchParameter, resource: dict[str, Any]) -> Iterator[IndexRow]:
    """One row per (code coding, value) pair found in the same element: the parts stay correlated."""
    (first_kind, first_path), (second_kind, second_path) = param.components
    roots = [n for alt in param.paths.split("|") for n in ([resource] if not alt else evaluate_path(resource, alt))]
    for root in roots:
        if not isinstance(root, dict):
            continue
        codes = [r for node in evaluate_path(root, first_path) for r in _EXTRACTORS[first_kind](param, node)]
        values = [r for node in evaluate_path(root, second_path) for r in _EXTRACTORS[second_kind](param, node)]
        seconds = [part for part in (_second_part(second_kind, v) for v in values) if part is not None]
        for code in (c for c in codes if c.token_code is not None):
            for second in seconds:
                yield IndexRow(param.name, token_system=code.token_system, token_code=code.token_code, **second)


def extract_index_rows(resource: dict[str, Any]) -> list[IndexRow]:
    """Every index row of ``resource`` for the parameters of its type (duplicates removed, order kept)."""
    rows: dict[IndexRow, None] = {}
    for param in parameters_for(str(resource.get("resourceType", ""))):
        if param.type is SearchParamType.COMPOSITE:
            rows.update(dict.fromkeys(_composites(param, resource)))
            continue
        extract = _EXTRACTORS[param.type]
        for node in evaluate_path(resource, param.paths):
            rows.update(dict.fromkeys(extract(param, node)))
    return list(rows)
