"""What one search parameter is: its FHIR type, the resource type it applies to, and where its values live."""

from __future__ import annotations

import enum
from dataclasses import dataclass

ANY_RESOURCE = "Resource"
"""Pseudo resource type for parameters FHIR defines on ``Resource`` (``_id``, ``_lastUpdated``)."""

SERVED_RESOURCE_TYPES: tuple[str, ...] = (
    "AllergyIntolerance",
    "Appointment",
    "AuditEvent",
    "Binary",
    "CarePlan",
    "CareTeam",
    "Communication",
    "Condition",
    "Coverage",
    "Device",
    "DiagnosticReport",
    "DocumentReference",
    "Encounter",
    "Goal",
    "Immunization",
    "Location",
    "Medication",
    "MedicationDispense",
    "MedicationRequest",
    "Observation",
    "Organization",
    "Patient",
    "Practitioner",
    "PractitionerRole",
    "Procedure",
    "Provenance",
    "RelatedPerson",
    "ServiceRequest",
    "Task",
)
"""Every resource type the facade serves (read); all but ``READ_ONLY_TYPES`` are searchable too."""

READ_ONLY_TYPES: tuple[str, ...] = ("Binary",)
"""Types served by read/vread only: they have no search parameters (FHIR defines none useful for Binary)."""


class SearchParamType(enum.StrEnum):
    """FHIR search parameter types (the subset fhirgate indexes)."""

    TOKEN = "token"
    DATE = "date"
    STRING = "string"
    REFERENCE = "reference"
    QUANTITY = "quantity"
    NUMBER = "number"
    URI = "uri"
    COMPOSITE = "composite"


@dataclass(frozen=True, slots=True)
class SearchParameter:
    """One supported search parameter.

    ``paths`` is a tiny path language over FHIR JSON: ``.`` steps into an element (arrays are flattened
    at every step), ``|`` unions alternatives, e.g. ``"effectiveDateTime|effectivePeriod"``, and the step
    ``extension(name)`` keeps the extensions whose url ends in ``/name``.
    For reference parameters, only references to one of ``targets`` are indexed.
    A composite parameter's ``paths`` names the elements each tuple lives in (``""``: the resource itself,
    ``component``: each Observation.component) and ``components`` the (type, path) of each part within it.
    """

    name: str
    type: SearchParamType
    resource_type: str
    description: str
    paths: str
    targets: tuple[str, ...] = ()
    components: tuple[tuple[SearchParamType, str], ...] = ()


def param(
    resource_type: str, name: str, type_: SearchParamType, paths: str, description: str, *targets: str
) -> SearchParameter:
    """Shorthand the table modules use for one row."""
    return SearchParameter(name, type_, resource_type, description, paths, tuple(targets))


def composite(
    resource_type: str, name: str, roots: str, description: str, *components: tuple[SearchParamType, str]
) -> SearchParameter:
    """Shorthand for one composite row: ``roots`` holds the tuples, ``components`` their parts."""
    return SearchParameter(name, SearchParamType.COMPOSITE, resource_type, description, roots, (), components)


ANY_TARGET: tuple[str, ...] = SERVED_RESOURCE_TYPES
"""Targets of references FHIR types as ``Reference(Any)`` (e.g. ``Provenance.target``): Binary included,
since a Provenance may well be about a result document's bytes."""
SUBJECT_TARGETS = ("Patient", "Group", "Device", "Location")
PERFORMER_TARGETS = ("Practitioner", "PractitionerRole", "Organization", "Patient", "RelatedPerson", "Device")
STATUS = "Status of the resource (exact code)"
IDENTIFIER = "A business identifier (system|value)"
