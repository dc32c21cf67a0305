"""Result-control parameters: ``_count``, ``_sort``, ``_include``/``_revinclude``, ``_summary``, ``_elements``,
``_total``; each parsed on its own, errors from the one tree."""

from __future__ import annotations

import re

from gateway.search.definitions import SearchParamType
from gateway.search.errors import InvalidSearchError, UnsupportedSearchError
from gateway.search.parameters import SEARCHABLE_RESOURCE_TYPES, lookup_parameter, parameters_for
from gateway.search.request import MAX_COUNT, IncludeSpec, SortKey, SummaryMode, TotalMode

_ELEMENT = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def parse_count(raw: str) -> int:
    try:
        count = int(raw)
    except ValueError:
        raise InvalidSearchError(f"_count must be a non-negative integer, not {raw!r}") from None
    if count < 0:
        raise InvalidSearchError(f"_count must be a non-negative integer, not {raw!r}")
    return min(count, MAX_COUNT)


def parse_sort(resource_type: str, raw: str) -> tuple[SortKey, ...]:
    keys: list[SortKey] = []
    for text in (k.strip() for k in raw.split(",")):
        if not text:
            continue
        descending = text.startswith("-")
        keys.append(SortKey(lookup_parameter(resource_type, text.removeprefix("-")), descending))
    if len({k.parameter.name for k in keys}) != len(keys):
        raise InvalidSearchError(f"_sort names a parameter twice: {raw!r}")
    for key in keys:
        if key.parameter.type is SearchParamType.COMPOSITE:
            raise UnsupportedSearchError(f"_sort by the composite parameter {key.parameter.name!r} is not supported")
    return tuple(keys)


def parse_include(key: str, raw: str) -> tuple[IncludeSpec, ...]:
    """``Source:param[:Target]``, or ``Source:*[:Target]`` for every reference parameter of ``Source`` (that
    can point at ``Target``); ``key`` is ``_include``/``_revinclude`` with an optional ``:iterate``."""
    _, _, modifier = key.partition(":")
    if modifier not in ("", "iterate", "recurse"):
        raise UnsupportedSearchError(f"Unsupported modifier {modifier!r} on {key.partition(':')[0]}")
    parts = raw.split(":")
    if raw == "*" or len(parts) not in (2, 3):
        raise UnsupportedSearchError(f"{key} must be Type:parameter[:Target], not {raw!r}")
    if parts[0] not in SEARCHABLE_RESOURCE_TYPES:
        raise UnsupportedSearchError(f"{key}: resource type {parts[0]!r} is not supported")
    target = parts[2] if len(parts) == 3 else None
    if parts[1] == "*":
        params = [p for p in parameters_for(parts[0]) if p.type is SearchParamType.REFERENCE]
    else:
        params = [lookup_parameter(parts[0], parts[1])]
        if params[0].type is not SearchParamType.REFERENCE:
            raise InvalidSearchError(f"{key}: {parts[0]}:{parts[1]} is not a reference parameter")
    params = [p for p in params if target is None or target in p.targets]
    if not params:
        raise InvalidSearchError(f"{key}: {target!r} is not a target of {parts[0]}:{parts[1]}")
    return tuple(IncludeSpec(parts[0], param, target, iterate=bool(modifier)) for param in params)


def parse_summary(raw: str) -> SummaryMode | None:
    if raw == "false":
        return None
    try:
        return SummaryMode(raw)
    except ValueError:
        raise InvalidSearchError(f"_summary must be true, false, count, data or text, not {raw!r}") from None


def parse_elements(raw: str) -> tuple[str, ...]:
    names = tuple(dict.fromkeys(n.strip() for n in raw.split(",") if n.strip()))
    for name in names:
        if not _ELEMENT.fullmatch(name):
            raise InvalidSearchError(f"_elements takes top-level element names, not {name!r}")
    return names


def parse_total(raw: str) -> TotalMode:
    try:
        return TotalMode(raw)
    except ValueError:
        raise InvalidSearchError(f"_total must be none, estimate or accurate, not {raw!r}") from None
