"""The search-parameter table: THE single source for indexing, query parsing and the CapabilityStatement.

Rows live in per-domain modules (``table_clinical``, ``table_care``, ``table_directory``); this module joins
them with the parameters FHIR defines on every resource and answers lookups.
"""

from __future__ import annotations

from collections.abc import Mapping

from gateway.search.definitions import (
    ANY_RESOURCE,
    READ_ONLY_TYPES,
    SERVED_RESOURCE_TYPES,
    SearchParameter,
    SearchParamType,
    param,
)
from gateway.search.errors import UnsupportedResourceTypeError, UnsupportedSearchError
from gateway.search.table_care import CARE_PARAMETERS
from gateway.search.table_clinical import CLINICAL_PARAMETERS
from gateway.search.table_directory import DIRECTORY_PARAMETERS

__all__ = [
    "ANY_RESOURCE",
    "READ_ONLY_TYPES",
    "SEARCHABLE_RESOURCE_TYPES",
    "SEARCH_PARAMETERS",
    "SERVED_RESOURCE_TYPES",
    "SearchParamType",
    "SearchParameter",
    "lookup_parameter",
    "parameters_for",
    "require_searchable",
    "require_served",
]

_COMMON_PARAMETERS = (
    param(ANY_RESOURCE, "_id", SearchParamType.TOKEN, "id", "Logical id of the resource"),
    param(
        ANY_RESOURCE, "_lastUpdated", SearchParamType.DATE, "meta.lastUpdated", "When the resource last changed here"
    ),
    param(ANY_RESOURCE, "_tag", SearchParamType.TOKEN, "meta.tag", "Tags applied to the resource"),
    param(ANY_RESOURCE, "_profile", SearchParamType.URI, "meta.profile", "Profiles the resource claims"),
    param(ANY_RESOURCE, "_security", SearchParamType.TOKEN, "meta.security", "Security labels of the resource"),
    param(ANY_RESOURCE, "_source", SearchParamType.URI, "meta.source", "Where the resource came from (the surface)"),
)

SEARCH_PARAMETERS: tuple[SearchParameter, ...] = (
    *_COMMON_PARAMETERS,
    *CLINICAL_PARAMETERS,
    *CARE_PARAMETERS,
    *DIRECTORY_PARAMETERS,
)


def _build_index() -> Mapping[str, Mapping[str, SearchParameter]]:
    common = {p.name: p for p in _COMMON_PARAMETERS}
    by_type: dict[str, dict[str, SearchParameter]] = {}
    for row in SEARCH_PARAMETERS:
        if row.resource_type != ANY_RESOURCE:
            by_type.setdefault(row.resource_type, dict(common))[row.name] = row
    return by_type


_BY_TYPE = _build_index()

SEARCHABLE_RESOURCE_TYPES: tuple[str, ...] = tuple(sorted(_BY_TYPE))
"""Resource types the facade serves with read and search-type."""


def parameters_for(resource_type: str) -> tuple[SearchParameter, ...]:
    """Every parameter that applies to ``resource_type``: common ones first, then type-specific, in table order.

    Types outside the table (e.g. Binary) still get the common ``Resource`` parameters, so the store
    indexes ``_id``/``_lastUpdated`` for every resource it holds.
    """
    specific = _BY_TYPE.get(resource_type)
    if specific is None:
        return _COMMON_PARAMETERS
    return tuple(specific.values())


def require_served(resource_type: str) -> None:
    """Raise ``UnsupportedResourceTypeError`` unless the facade reads ``resource_type``."""
    if resource_type not in SERVED_RESOURCE_TYPES:
        raise UnsupportedResourceTypeError(f"Resource type {resource_type!r} is not supported by this server")


def require_searchable(resource_type: str) -> None:
    """Raise ``UnsupportedResourceTypeError`` unless the facade searches ``resource_type``."""
    if resource_type not in _BY_TYPE:
        require_served(resource_type)
        raise UnsupportedResourceTypeError(f"Resource type {resource_type!r} supports read only, not search")


def lookup_parameter(resource_type: str, name: str) -> SearchParameter:
    """The parameter ``name`` on ``resource_type``; ``UnsupportedSearchError`` naming it when unknown."""
    require_searchable(resource_type)
    found = _BY_TYPE[resource_type].get(name)
    if found is None:
        raise UnsupportedSearchError(f"Unknown search parameter {name!r} for resource type {resource_type}")
    return found
