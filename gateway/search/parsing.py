"""Query parsing: ``(name, value)`` pairs -> a typed ``SearchRequest``, dispatching on the parameter's type."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from gateway.search.dates import parse_date_range
from gateway.search.errors import InvalidSearchError, UnsupportedSearchError
from gateway.search.escaping import split_escaped, unescape
from gateway.search.parameters import SearchParameter, SearchParamType, lookup_parameter, require_searchable
from gateway.search.references import normalize_reference
from gateway.search.request import (
    DEFAULT_COUNT,
    MAX_COUNT,
    DatePrefix,
    DateValue,
    ReferenceValue,
    SearchFilter,
    SearchRequest,
    SearchValue,
    SortKey,
    StringValue,
    TokenValue,
)
from gateway.search.strings import normalize_string

_MODIFIERS: dict[SearchParamType, frozenset[str]] = {
    SearchParamType.STRING: frozenset({"exact", "contains"}),
}
_JSON_FORMATS = frozenset({"json", "application/json", "application/fhir+json"})


def _token(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    parts = split_escaped(text, "|", maxsplit=1)
    if len(parts) == 1:
        return TokenValue(system=None, code=unescape(parts[0]))
    system, code = unescape(parts[0]), unescape(parts[1])
    if not system and not code:
        raise InvalidSearchError(f"Token value {text!r} for {param.name!r} has neither system nor code")
    return TokenValue(system=system, code=code or None)


def _date(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    prefix = DatePrefix.EQ
    if text[:2].isalpha() and text[2:3].isdigit():
        try:
            prefix = DatePrefix(text[:2])
        except ValueError:
            raise UnsupportedSearchError(f"Unsupported prefix {text[:2]!r} on {param.name!r}") from None
        text = text[2:]
    # A '+' zone offset arrives as a space when the client did not percent-encode it.
    found = parse_date_range(text.replace(" ", "+"))
    if found is None:
        raise InvalidSearchError(f"Invalid date value {text!r} for {param.name!r}")
    return DateValue(prefix, found)


def _string(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    return StringValue(unescape(text) if modifier == "exact" else normalize_string(unescape(text)))


def _reference(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    text = unescape(text)
    parsed = normalize_reference(text)
    if parsed is not None:
        if parsed[0] not in param.targets or (modifier is not None and parsed[0] != modifier):
            raise InvalidSearchError(f"Reference {text!r} is not a valid target of {param.name!r}")
        return ReferenceValue((f"{parsed[0]}/{parsed[1]}",))
    if not text or "/" in text:
        raise InvalidSearchError(f"Invalid reference value {text!r} for {param.name!r}")
    types = (modifier,) if modifier is not None else param.targets
    return ReferenceValue(tuple(f"{t}/{text}" for t in types))


def _unsupported(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    raise UnsupportedSearchError(f"Searching {param.type} parameters ({param.name!r}) is not implemented")


_VALUE_PARSERS: dict[SearchParamType, Callable[[SearchParameter, str | None, str], SearchValue]] = {
    SearchParamType.TOKEN: _token,
    SearchParamType.DATE: _date,
    SearchParamType.STRING: _string,
    SearchParamType.REFERENCE: _reference,
    SearchParamType.URI: _token,
    SearchParamType.NUMBER: _unsupported,
    SearchParamType.QUANTITY: _unsupported,
}


def _check_modifier(param: SearchParameter, modifier: str | None) -> None:
    if modifier is None:
        return
    allowed = _MODIFIERS.get(param.type, frozenset())
    if param.type is SearchParamType.REFERENCE:
        allowed = frozenset(param.targets)
    if modifier not in allowed:
        raise UnsupportedSearchError(f"Unsupported modifier {modifier!r} on search parameter {param.name!r}")


def _parse_filter(resource_type: str, key: str, raw: str) -> SearchFilter | None:
    name, _, modifier = key.partition(":")
    param = lookup_parameter(resource_type, name)
    _check_modifier(param, modifier or None)
    texts = [t for t in split_escaped(raw, ",") if t]
    if not texts:
        return None  # FHIR: a parameter without a value is ignored
    parse = _VALUE_PARSERS[param.type]
    values = tuple(parse(param, modifier or None, t) for t in texts)
    return SearchFilter(param, modifier or None, values, raw)


def _parse_count(raw: str) -> int:
    try:
        count = int(raw)
    except ValueError:
        raise InvalidSearchError(f"_count must be a non-negative integer, not {raw!r}") from None
    if count < 0:
        raise InvalidSearchError(f"_count must be a non-negative integer, not {raw!r}")
    return min(count, MAX_COUNT)


def _parse_sort(resource_type: str, raw: str) -> SortKey:
    keys = [k for k in raw.split(",") if k]
    if len(keys) != 1:
        raise UnsupportedSearchError(f"_sort supports exactly one parameter, got {raw!r}")
    descending = keys[0].startswith("-")
    return SortKey(lookup_parameter(resource_type, keys[0].removeprefix("-")), descending)


def parse_search(resource_type: str, params: Sequence[tuple[str, str]], *, lenient: bool = False) -> SearchRequest:
    """Parse FHIR search parameters for ``resource_type`` (repeated parameter = AND, comma = OR).

    Raises ``UnsupportedResourceTypeError``, ``UnsupportedSearchError`` (unknown parameter, modifier,
    prefix; ignored instead when ``lenient``) or ``InvalidSearchError`` (a malformed value).
    """
    require_searchable(resource_type)
    filters: list[SearchFilter] = []
    ignored: list[str] = []
    count, cursor, sort = DEFAULT_COUNT, None, None
    for key, raw in params:
        if key == "_count":
            count = _parse_count(raw)
        elif key == "_cursor":
            cursor = raw or None
        elif key == "_sort":
            sort = _parse_sort(resource_type, raw) if raw else None
        elif key == "_format" and raw in _JSON_FORMATS:
            continue
        else:
            try:
                parsed = _parse_filter(resource_type, key, raw)
            except UnsupportedSearchError:
                if not lenient:
                    raise
                ignored.append(key)
                continue
            if parsed is not None:
                filters.append(parsed)
    return SearchRequest(resource_type, tuple(filters), count, cursor, sort, tuple(ignored))
