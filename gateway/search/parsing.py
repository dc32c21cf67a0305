"""Query parsing: ``(name, value)`` pairs -> a typed ``SearchRequest`` (filters and result controls)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from gateway.search.chains import parse_chain, parse_has
from gateway.search.controls import (
    parse_count,
    parse_elements,
    parse_include,
    parse_sort,
    parse_summary,
    parse_total,
)
from gateway.search.definitions import SearchParameter, SearchParamType
from gateway.search.errors import InvalidSearchError, UnsupportedSearchError
from gateway.search.escaping import split_escaped
from gateway.search.parameters import lookup_parameter, require_searchable
from gateway.search.request import (
    DEFAULT_COUNT,
    IncludeSpec,
    SearchFilter,
    SearchRequest,
    SortKey,
    SummaryMode,
    TotalMode,
)
from gateway.search.values import MODIFIER_PARSERS, MODIFIERS, VALUE_PARSERS, missing_value

FACADE_PARAMETERS = frozenset({"_format", "_pretty"})
"""Parameters about the response format; the facade validates them, the search ignores them."""


def _check_modifier(param: SearchParameter, modifier: str | None) -> None:
    if modifier is None:
        return
    allowed = MODIFIERS.get(param.type, frozenset())
    if param.type is SearchParamType.REFERENCE:
        allowed |= frozenset(param.targets)
    if modifier not in allowed:
        raise UnsupportedSearchError(f"Unsupported modifier {modifier!r} on search parameter {param.name!r}")


# Input bounds (DESIGN.md §8): beyond these SQLite's expression tree overflows or one search runs for
# minutes (100 date parameters of 100 values each: ~2 min); no real query comes near them.
MAX_VALUES_PER_PARAMETER = 100
MAX_PARAMETERS = 100
MAX_VALUES_PER_SEARCH = 1000


def _parse_filter(resource_type: str, key: str, raw: str) -> SearchFilter | None:
    if key.startswith("_has:"):
        return parse_has(resource_type, key, raw, _parse_filter)
    if "." in key:
        return parse_chain(resource_type, key, raw, _parse_filter)
    name, _, modifier = key.partition(":")
    param = lookup_parameter(resource_type, name)
    _check_modifier(param, modifier or None)
    texts = [t for t in split_escaped(raw, ",") if t]
    if len(texts) > MAX_VALUES_PER_PARAMETER:
        raise InvalidSearchError(f"{name} has {len(texts)} values; at most {MAX_VALUES_PER_PARAMETER} are served")
    if not texts:
        return None  # FHIR: a parameter without a value is ignored
    if modifier == "missing":
        values = tuple(dict.fromkeys(missing_value(param, t) for t in texts))
        if len(values) > 1:
            return None  # missing or not: every resource matches, as if the parameter were absent
        return SearchFilter(param, modifier, values, raw)
    parse = MODIFIER_PARSERS.get(modifier) or VALUE_PARSERS[param.type]
    values = tuple(parse(param, modifier or None, t) for t in texts)
    return SearchFilter(param, modifier or None, values, raw)


@dataclass
class _Builder:
    resource_type: str
    lenient: bool
    filters: list[SearchFilter] = field(default_factory=list)
    ignored: list[str] = field(default_factory=list)
    includes: list[IncludeSpec] = field(default_factory=list)
    revincludes: list[IncludeSpec] = field(default_factory=list)
    count: int = DEFAULT_COUNT
    cursor: str | None = None
    sort: tuple[SortKey, ...] = ()
    summary: SummaryMode | None = None
    elements: tuple[str, ...] = ()
    total: TotalMode = TotalMode.ESTIMATE

    def add(self, key: str, raw: str) -> None:
        base = key.partition(":")[0]
        if key == "_count":
            self.count = parse_count(raw)
        elif key == "_cursor":
            self.cursor = raw or None
        elif key == "_sort":
            self.sort = parse_sort(self.resource_type, raw)
        elif base == "_include":
            self.includes += self._include(key, raw)
        elif base == "_revinclude":
            self.revincludes += self._revinclude(key, raw)
        elif key == "_summary":
            self.summary = parse_summary(raw)
        elif key == "_elements":
            self.elements = parse_elements(raw)
        elif key == "_total":
            self.total = parse_total(raw)
        elif key == "_totalMethod":  # Aidbox's spelling, sent by fhirpy's count(); "count" means accurate
            self.total = parse_total("accurate" if raw == "count" else raw)
        elif key not in FACADE_PARAMETERS:
            self._filter(key, raw)

    def _include(self, key: str, raw: str) -> tuple[IncludeSpec, ...]:
        specs = parse_include(key, f"{self.resource_type}:*" if raw == "*" else raw)  # `*`: every reference
        if specs and not specs[0].iterate and specs[0].source_type != self.resource_type:
            raise InvalidSearchError(f"_include={raw} does not start at {self.resource_type}")
        return specs

    def _revinclude(self, key: str, raw: str) -> tuple[IncludeSpec, ...]:
        specs = parse_include(key, raw)
        # a wildcard keeps the parameters that can point here; a named one must
        pointing = tuple(s for s in specs if s.iterate or self.resource_type in (s.target_type or s.parameter.targets))
        if not pointing:
            raise InvalidSearchError(f"_revinclude={raw} cannot point at {self.resource_type}")
        return pointing

    def _filter(self, key: str, raw: str) -> None:
        try:
            parsed = _parse_filter(self.resource_type, key, raw)
        except UnsupportedSearchError:
            if not self.lenient:
                raise
            self.ignored.append(key)
            return
        if parsed is not None:
            self.filters.append(parsed)

    def build(self) -> SearchRequest:
        return SearchRequest(
            self.resource_type,
            tuple(self.filters),
            self.count,
            self.cursor,
            self.sort,
            tuple(self.ignored),
            tuple(self.includes),
            tuple(self.revincludes),
            self.summary,
            self.elements,
            self.total,
        )


def parse_search(resource_type: str, params: Sequence[tuple[str, str]], *, lenient: bool = False) -> SearchRequest:
    """Parse FHIR search parameters for ``resource_type`` (repeated parameter = AND, comma = OR).

    Raises ``UnsupportedResourceTypeError``, ``UnsupportedSearchError`` (unknown parameter, modifier,
    prefix; ignored instead when ``lenient``) or ``InvalidSearchError`` (a malformed value).
    """
    require_searchable(resource_type)
    if len(params) > MAX_PARAMETERS:
        raise InvalidSearchError(f"{len(params)} search parameters; at most {MAX_PARAMETERS} are served")
    builder = _Builder(resource_type, lenient)
    for key, raw in params:
        builder.add(key, raw)
    values = sum(len(f.values) for f in builder.filters)
    if values > MAX_VALUES_PER_SEARCH:
        raise InvalidSearchError(f"{values} search values in all; at most {MAX_VALUES_PER_SEARCH} are served")
    return builder.build()
