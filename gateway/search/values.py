"""Value parsers, one per parameter type: the text of one OR-alternative -> a typed ``SearchValue``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation

from gateway.search.dates import parse_date_range
from gateway.search.definitions import SearchParameter, SearchParamType
from gateway.search.errors import InvalidSearchError, UnsupportedSearchError
from gateway.search.escaping import split_escaped, unescape
from gateway.search.references import normalize_reference
from gateway.search.request import (
    CompositeValue,
    DatePrefix,
    DateValue,
    MissingValue,
    NumberValue,
    OfTypeValue,
    QuantityValue,
    ReferenceValue,
    SearchValue,
    StringValue,
    TokenValue,
    UriValue,
)
from gateway.search.strings import normalize_string


def _prefixed(param: SearchParameter, text: str) -> tuple[DatePrefix, str]:
    if len(text) > 2 and text[:2].isalpha() and (text[2].isdigit() or text[2] in "-."):
        try:
            return DatePrefix(text[:2]), text[2:]
        except ValueError:
            raise UnsupportedSearchError(f"Unsupported prefix {text[:2]!r} on {param.name!r}") from None
    return DatePrefix.EQ, text


def token_value(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    if modifier == "text":
        return TokenValue(system=None, code=normalize_string(unescape(text)))
    parts = split_escaped(text, "|", maxsplit=1)
    if len(parts) == 1:
        return TokenValue(system=None, code=unescape(parts[0]))
    system, code = unescape(parts[0]), unescape(parts[1])
    if not system and not code:
        raise InvalidSearchError(f"Token value {text!r} for {param.name!r} has neither system nor code")
    return TokenValue(system=system, code=code or None)


def of_type_value(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    """``identifier:of-type=typeSystem|typeCode|value``: all three parts are required (R4)."""
    parts = [unescape(p) for p in split_escaped(text, "|", maxsplit=2)]
    if len(parts) != 3 or not all(parts):
        raise InvalidSearchError(f"{param.name}:of-type takes system|code|value, not {text!r}")
    return OfTypeValue(*parts)


def uri_value(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    """A URI, whole (``:above``/``:below`` compare it by path segments, in the store)."""
    return UriValue(unescape(text))


def date_value(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    prefix, text = _prefixed(param, text)
    # A '+' zone offset arrives as a space when the client did not percent-encode it.
    found = parse_date_range(text.replace(" ", "+"))
    if found is None:
        raise InvalidSearchError(f"Invalid date value {text!r} for {param.name!r}")
    return DateValue(prefix, found)


def number_value(param: SearchParameter, modifier: str | None, text: str) -> NumberValue:
    prefix, text = _prefixed(param, text)
    try:
        exact = Decimal(text)
    except InvalidOperation:
        raise InvalidSearchError(f"Invalid number {text!r} for {param.name!r}") from None
    if not exact.is_finite():
        raise InvalidSearchError(f"Invalid number {text!r} for {param.name!r}")
    # FHIR: the precision written is the precision meant; 100 means [99.5, 100.5).
    half = Decimal(5).scaleb(int(exact.as_tuple().exponent) - 1)
    return NumberValue(prefix, float(exact), float(exact - half), float(exact + half))


def quantity_value(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    parts = [unescape(p) for p in split_escaped(text, "|", maxsplit=2)]
    number = number_value(param, None, parts[0])
    system = parts[1] if len(parts) > 1 and parts[1] else None
    code = parts[2] if len(parts) > 2 and parts[2] else None
    return QuantityValue(number, system, code)


def string_value(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    return StringValue(unescape(text) if modifier == "exact" else normalize_string(unescape(text)))


def reference_value(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
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


def composite_value(param: SearchParameter, modifier: str | None, text: str) -> SearchValue:
    """``a$b``: each part parsed as its component's type (a ``$`` inside a part is escaped as ``\\$``)."""
    parts = split_escaped(text, "$")
    if len(parts) != len(param.components) or not all(parts):
        raise InvalidSearchError(f"{param.name} takes {len(param.components)} parts joined by $, not {text!r}")
    parsers = {SearchParamType.QUANTITY: quantity_value, SearchParamType.DATE: date_value}
    parsers |= {SearchParamType.TOKEN: token_value, SearchParamType.STRING: string_value}
    return CompositeValue(
        tuple(parsers[kind](param, None, part) for (kind, _), part in zip(param.components, parts, strict=True))
    )


def missing_value(param: SearchParameter, text: str) -> SearchValue:
    if text not in ("true", "false"):
        raise InvalidSearchError(f"{param.name}:missing takes true or false, not {text!r}")
    return MissingValue(text == "true")


VALUE_PARSERS: dict[SearchParamType, Callable[[SearchParameter, str | None, str], SearchValue]] = {
    SearchParamType.TOKEN: token_value,
    SearchParamType.DATE: date_value,
    SearchParamType.STRING: string_value,
    SearchParamType.REFERENCE: reference_value,
    SearchParamType.URI: uri_value,
    SearchParamType.NUMBER: number_value,
    SearchParamType.QUANTITY: quantity_value,
    SearchParamType.COMPOSITE: composite_value,
}

MODIFIERS: dict[SearchParamType, frozenset[str]] = {
    SearchParamType.STRING: frozenset({"exact", "contains", "missing"}),
    SearchParamType.TOKEN: frozenset({"not", "text", "missing", "of-type"}),
    SearchParamType.DATE: frozenset({"missing"}),
    SearchParamType.REFERENCE: frozenset({"missing", "identifier"}),
    SearchParamType.QUANTITY: frozenset({"missing"}),
    SearchParamType.NUMBER: frozenset({"missing"}),
    SearchParamType.URI: frozenset({"missing", "above", "below"}),
    SearchParamType.COMPOSITE: frozenset(),
}
"""Modifiers per type; a reference parameter also takes its target types (``subject:Patient``)."""

MODIFIER_PARSERS: dict[str, Callable[[SearchParameter, str | None, str], SearchValue]] = {
    "identifier": token_value,  # ``subject:identifier=system|value``: the reference's Identifier, a token
    "of-type": of_type_value,
}
"""Modifiers whose values parse as another type than the parameter's."""
