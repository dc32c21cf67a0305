"""gateway.search — the FHIR search spec as data: parameter table, value extraction, query parsing.

Imports nothing else of ours; ``gateway.store`` indexes and queries with it, ``gateway.facade`` parses
requests and builds the CapabilityStatement from it.
"""

from gateway.search.dates import DATE_MAX, DATE_MIN, DateRange, parse_date_range, period_range
from gateway.search.errors import (
    FhirError,
    InvalidSearchError,
    UnsupportedResourceTypeError,
    UnsupportedSearchError,
)
from gateway.search.extraction import IndexRow, extract_index_rows
from gateway.search.parameters import (
    ANY_RESOURCE,
    READ_ONLY_TYPES,
    SEARCH_PARAMETERS,
    SEARCHABLE_RESOURCE_TYPES,
    SERVED_RESOURCE_TYPES,
    SearchParameter,
    SearchParamType,
    lookup_parameter,
    parameters_for,
    require_searchable,
    require_served,
)
from gateway.search.parsing import parse_search
from gateway.search.request import (
    DEFAULT_COUNT,
    MAX_COUNT,
    DatePrefix,
    DateValue,
    IncludeSpec,
    MissingValue,
    NumberValue,
    QuantityValue,
    ReferenceValue,
    SearchFilter,
    SearchRequest,
    SearchValue,
    SortKey,
    StringValue,
    SummaryMode,
    TokenValue,
    TotalMode,
)
from gateway.search.strings import normalize_string

__all__ = [
    "ANY_RESOURCE",
    "DATE_MAX",
    "DATE_MIN",
    "DEFAULT_COUNT",
    "MAX_COUNT",
    "READ_ONLY_TYPES",
    "SEARCHABLE_RESOURCE_TYPES",
    "SEARCH_PARAMETERS",
    "SERVED_RESOURCE_TYPES",
    "DatePrefix",
    "DateRange",
    "DateValue",
    "FhirError",
    "IncludeSpec",
    "IndexRow",
    "InvalidSearchError",
    "MissingValue",
    "NumberValue",
    "QuantityValue",
    "ReferenceValue",
    "SearchFilter",
    "SearchParamType",
    "SearchParameter",
    "SearchRequest",
    "SearchValue",
    "SortKey",
    "StringValue",
    "SummaryMode",
    "TokenValue",
    "TotalMode",
    "UnsupportedResourceTypeError",
    "UnsupportedSearchError",
    "extract_index_rows",
    "lookup_parameter",
    "normalize_string",
    "parameters_for",
    "parse_date_range",
    "parse_search",
    "period_range",
    "require_searchable",
    "require_served",
]
