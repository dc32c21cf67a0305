from gateway.search import (
    ANY_RESOURCE,
    SEARCH_PARAMETERS,
    SEARCHABLE_RESOURCE_TYPES,
    SearchParamType,
    parameters_for,
)

REQUIRED = {
    "Patient": {"_id", "identifier", "name", "family", "given", "birthdate", "gender"},
    "Observation": {"_id", "patient", "subject", "category", "code", "date", "status", "identifier"},
    "DiagnosticReport": {"_id", "patient", "subject", "category", "code", "date", "status", "identifier"},
    "MedicationRequest": {"_id", "patient", "subject", "status", "intent", "authoredon", "identifier"},
    "Medication": {"_id", "code"},
    "MedicationDispense": {"_id", "patient", "status"},
    "Coverage": {"_id", "patient", "beneficiary", "status"},
    "Organization": {"_id", "name", "identifier"},
}


def test_table_covers_every_required_parameter_and_last_updated_everywhere() -> None:
    assert set(SEARCHABLE_RESOURCE_TYPES) == set(REQUIRED)
    for resource_type, names in REQUIRED.items():
        assert {p.name for p in parameters_for(resource_type)} == names | {"_lastUpdated"}


def test_names_are_unique_per_resource_type() -> None:
    for resource_type in SEARCHABLE_RESOURCE_TYPES:
        names = [p.name for p in parameters_for(resource_type)]
        assert len(names) == len(set(names))


def test_reference_parameters_declare_targets_and_others_do_not() -> None:
    for param in SEARCH_PARAMETERS:
        assert bool(param.targets) == (param.type is SearchParamType.REFERENCE), param.name


def test_types_outside_the_table_get_only_the_common_parameters() -> None:
    assert {p.name for p in parameters_for("Provenance")} == {"_id", "_lastUpdated"}
    assert all(p.resource_type == ANY_RESOURCE for p in parameters_for("Provenance"))
