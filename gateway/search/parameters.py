"""The search-parameter table: THE single source for indexing, query parsing and the CapabilityStatement."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from gateway.search.errors import UnsupportedResourceTypeError, UnsupportedSearchError

ANY_RESOURCE = "Resource"
"""Pseudo resource type for parameters FHIR defines on ``Resource`` (``_id``, ``_lastUpdated``)."""


class SearchParamType(enum.StrEnum):
    """FHIR search parameter types (the subset fhirgate indexes)."""

    TOKEN = "token"
    DATE = "date"
    STRING = "string"
    REFERENCE = "reference"
    QUANTITY = "quantity"
    NUMBER = "number"
    URI = "uri"


@dataclass(frozen=True, slots=True)
class SearchParameter:
    """One supported search parameter.

    ``paths`` is a tiny path language over FHIR JSON: ``.`` steps into an element (arrays are flattened
    at every step) and ``|`` unions alternatives, e.g. ``"effectiveDateTime|effectivePeriod"``.
    For reference parameters, only references to one of ``targets`` are indexed.
    """

    name: str
    type: SearchParamType
    resource_type: str
    description: str
    paths: str
    targets: tuple[str, ...] = ()


_T = SearchParamType
_SUBJECT_TARGETS = ("Patient", "Group", "Device", "Location")
_STATUS = "Status of the resource (exact code)"


def _p(
    resource_type: str, name: str, type_: SearchParamType, paths: str, description: str, *targets: str
) -> SearchParameter:
    return SearchParameter(name, type_, resource_type, description, paths, tuple(targets))


SEARCH_PARAMETERS: tuple[SearchParameter, ...] = (
    _p(ANY_RESOURCE, "_id", _T.TOKEN, "id", "Logical id of the resource"),
    _p(ANY_RESOURCE, "_lastUpdated", _T.DATE, "meta.lastUpdated", "When the resource last changed in fhirgate"),
    # Patient
    _p("Patient", "identifier", _T.TOKEN, "identifier", "A patient identifier (system|value)"),
    _p("Patient", "name", _T.STRING, "name", "Any part of a name: family, given, prefix, suffix or text"),
    _p("Patient", "family", _T.STRING, "name.family", "A portion of the family name"),
    _p("Patient", "given", _T.STRING, "name.given", "A portion of a given name"),
    _p("Patient", "birthdate", _T.DATE, "birthDate", "The patient's date of birth"),
    _p("Patient", "gender", _T.TOKEN, "gender", "Administrative gender"),
    # Observation
    _p("Observation", "patient", _T.REFERENCE, "subject", "The patient the observation is about", "Patient"),
    _p("Observation", "subject", _T.REFERENCE, "subject", "The subject of the observation", *_SUBJECT_TARGETS),
    _p("Observation", "category", _T.TOKEN, "category", "Classification of the observation"),
    _p("Observation", "code", _T.TOKEN, "code", "The code of the observation (e.g. LOINC)"),
    _p(
        "Observation",
        "date",
        _T.DATE,
        "effectiveDateTime|effectivePeriod|effectiveInstant",
        "Clinically relevant time or period of the observation",
    ),
    _p("Observation", "status", _T.TOKEN, "status", _STATUS),
    _p("Observation", "identifier", _T.TOKEN, "identifier", "A business identifier (system|value)"),
    # DiagnosticReport
    _p("DiagnosticReport", "patient", _T.REFERENCE, "subject", "The patient the report is about", "Patient"),
    _p("DiagnosticReport", "subject", _T.REFERENCE, "subject", "The subject of the report", *_SUBJECT_TARGETS),
    _p("DiagnosticReport", "category", _T.TOKEN, "category", "Service category of the report"),
    _p("DiagnosticReport", "code", _T.TOKEN, "code", "The code of the report"),
    _p(
        "DiagnosticReport",
        "date",
        _T.DATE,
        "effectiveDateTime|effectivePeriod",
        "Clinically relevant time of the report",
    ),
    _p("DiagnosticReport", "status", _T.TOKEN, "status", _STATUS),
    _p("DiagnosticReport", "identifier", _T.TOKEN, "identifier", "A business identifier (system|value)"),
    # MedicationRequest
    _p("MedicationRequest", "patient", _T.REFERENCE, "subject", "The patient the request is for", "Patient"),
    _p("MedicationRequest", "subject", _T.REFERENCE, "subject", "The subject of the request", "Patient", "Group"),
    _p("MedicationRequest", "status", _T.TOKEN, "status", _STATUS),
    _p("MedicationRequest", "intent", _T.TOKEN, "intent", "Kind of request (order, plan, ...)"),
    _p("MedicationRequest", "authoredon", _T.DATE, "authoredOn", "When the prescription was written"),
    _p("MedicationRequest", "identifier", _T.TOKEN, "identifier", "A business identifier (system|value)"),
    # Medication
    _p("Medication", "code", _T.TOKEN, "code", "The medication code (e.g. RxNorm)"),
    # MedicationDispense
    _p("MedicationDispense", "patient", _T.REFERENCE, "subject", "The patient dispensed to", "Patient"),
    _p("MedicationDispense", "status", _T.TOKEN, "status", _STATUS),
    # Coverage
    _p("Coverage", "patient", _T.REFERENCE, "beneficiary", "The covered patient", "Patient"),
    _p("Coverage", "beneficiary", _T.REFERENCE, "beneficiary", "The covered party", "Patient"),
    _p("Coverage", "status", _T.TOKEN, "status", _STATUS),
    # Organization
    _p("Organization", "name", _T.STRING, "name|alias", "A portion of the organization's name or alias"),
    _p("Organization", "identifier", _T.TOKEN, "identifier", "An organization identifier (system|value)"),
)


def _build_index() -> Mapping[str, Mapping[str, SearchParameter]]:
    common = {p.name: p for p in SEARCH_PARAMETERS if p.resource_type == ANY_RESOURCE}
    by_type: dict[str, dict[str, SearchParameter]] = {}
    for param in SEARCH_PARAMETERS:
        if param.resource_type != ANY_RESOURCE:
            by_type.setdefault(param.resource_type, dict(common))[param.name] = param
    return by_type


_BY_TYPE = _build_index()
_COMMON = tuple(p for p in SEARCH_PARAMETERS if p.resource_type == ANY_RESOURCE)

SEARCHABLE_RESOURCE_TYPES: tuple[str, ...] = tuple(sorted(_BY_TYPE))
"""Resource types the facade serves (read + search-type)."""


def parameters_for(resource_type: str) -> tuple[SearchParameter, ...]:
    """Every parameter that applies to ``resource_type``: common ones first, then type-specific, in table order.

    Types outside the table (e.g. Provenance) still get the common ``Resource`` parameters, so the store
    indexes ``_id``/``_lastUpdated`` for every resource it holds.
    """
    specific = _BY_TYPE.get(resource_type)
    if specific is None:
        return _COMMON
    return tuple(specific.values())


def require_searchable(resource_type: str) -> None:
    """Raise ``UnsupportedResourceTypeError`` unless the facade serves ``resource_type``."""
    if resource_type not in _BY_TYPE:
        raise UnsupportedResourceTypeError(f"Resource type {resource_type!r} is not supported by this server")


def lookup_parameter(resource_type: str, name: str) -> SearchParameter:
    """The parameter ``name`` on ``resource_type``; ``UnsupportedSearchError`` naming it when unknown."""
    require_searchable(resource_type)
    param = _BY_TYPE[resource_type].get(name)
    if param is None:
        raise UnsupportedSearchError(f"Unknown search parameter {name!r} for resource type {resource_type}")
    return param
