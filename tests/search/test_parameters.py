import pytest

from gateway.search import (
    ANY_RESOURCE,
    READ_ONLY_TYPES,
    SEARCH_PARAMETERS,
    SEARCHABLE_RESOURCE_TYPES,
    SERVED_RESOURCE_TYPES,
    SearchParamType,
    UnsupportedResourceTypeError,
    lookup_parameter,
    parameters_for,
    require_searchable,
    require_served,
)

# US Core 6.1.0 server search requirements (SHALL and SHOULD, alone and in combinations) plus the
# parameters the rest of fhirgate searches with.
REQUIRED = {
    "Patient": {"_id", "identifier", "name", "family", "given", "birthdate", "gender", "death-date"},
    "Observation": {"_id", "patient", "subject", "category", "code", "date", "status", "identifier"},
    "DiagnosticReport": {"_id", "patient", "subject", "category", "code", "date", "status", "identifier"},
    "MedicationRequest": {"_id", "patient", "status", "intent", "authoredon", "encounter", "medication"},
    "Medication": {"_id", "code"},
    "MedicationDispense": {"_id", "patient", "status"},
    "Coverage": {"_id", "patient", "beneficiary", "status"},
    "Organization": {"_id", "name", "identifier"},
    "Condition": {
        "patient",
        "category",
        "clinical-status",
        "code",
        "onset-date",
        "asserted-date",
        "recorded-date",
        "abatement-date",
        "encounter",
    },
    "DocumentReference": {"_id", "status", "patient", "category", "type", "date", "period"},
    "Encounter": {
        "_id",
        "class",
        "date",
        "identifier",
        "patient",
        "location",
        "status",
        "type",
        "discharge-disposition",
    },
    "AllergyIntolerance": {"patient", "clinical-status"},
    "Immunization": {"patient", "status", "date"},
    "Procedure": {"patient", "status", "date", "code"},
    "Provenance": {"target", "patient"},
    "RelatedPerson": {"patient", "name"},
    "CareTeam": {"patient", "status"},
    "Practitioner": {"name", "identifier"},
    "PractitionerRole": {"practitioner", "specialty"},
    "Communication": {"patient", "sent", "status"},
    "AuditEvent": {"date", "patient"},
    "Appointment": {"patient", "date", "status"},
    "Location": {"name", "address", "address-city", "address-state", "address-postalcode"},
    "Device": {"patient", "type"},
    "ServiceRequest": {"patient", "status", "category", "code", "authored"},
    "Task": {"patient", "status", "focus", "code"},
    "CarePlan": {"patient", "category", "status", "date"},
    "Goal": {"patient", "lifecycle-status", "target-date"},
}


def test_every_served_type_but_binary_is_searchable_with_its_us_core_parameters() -> None:
    assert set(SEARCHABLE_RESOURCE_TYPES) == set(SERVED_RESOURCE_TYPES) - set(READ_ONLY_TYPES)
    assert set(REQUIRED) <= set(SEARCHABLE_RESOURCE_TYPES)
    for resource_type in SEARCHABLE_RESOURCE_TYPES:
        names = {p.name for p in parameters_for(resource_type)}
        assert REQUIRED.get(resource_type, set()) | {"_id", "_lastUpdated"} <= names, resource_type


def test_names_are_unique_per_resource_type() -> None:
    for resource_type in SEARCHABLE_RESOURCE_TYPES:
        names = [p.name for p in parameters_for(resource_type)]
        assert len(names) == len(set(names))


def test_reference_parameters_declare_served_targets_and_others_do_not() -> None:
    known = set(SERVED_RESOURCE_TYPES) | {"Group"}
    for param in SEARCH_PARAMETERS:
        assert bool(param.targets) == (param.type is SearchParamType.REFERENCE), param.name
        assert set(param.targets) <= known, param


def test_binary_is_read_only_and_unknown_types_are_not_served() -> None:
    require_served("Binary")
    assert {p.name for p in parameters_for("Binary")} == {
        "_id",
        "_lastUpdated",
        "_tag",
        "_profile",
        "_security",
        "_source",
    }
    assert all(p.resource_type == ANY_RESOURCE for p in parameters_for("Binary"))
    with pytest.raises(UnsupportedResourceTypeError, match="read only"):
        require_searchable("Binary")
    with pytest.raises(UnsupportedResourceTypeError, match="not supported"):
        require_served("Spaceship")
    with pytest.raises(UnsupportedResourceTypeError):
        lookup_parameter("Binary", "_id")
