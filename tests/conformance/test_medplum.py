"""The Medplum runner (validator 2): one Node process validates a batch and reports each resource's errors."""

from __future__ import annotations

from conformance.medplum import validate_with_medplum


def test_observation_without_status_is_reported_and_valid_ones_pass_in_input_order() -> None:
    valid = {"resourceType": "Observation", "status": "final", "code": {"text": "Sodium"}}
    no_status = {"resourceType": "Observation", "code": {"text": "Sodium"}}
    bad_date = {"resourceType": "Patient", "birthDate": "1959-13-45"}
    unknown_type = {"resourceType": "Bot", "name": "Medplum's own type, not FHIR R4"}

    results = validate_with_medplum([valid, no_status, bad_date, unknown_type, valid])

    assert len(results) == 5
    assert results[0] == [] and results[4] == []
    assert [(i.severity, i.expression, i.message) for i in results[1]] == [
        ("error", "Observation.status", "Missing required property")
    ]
    assert [i.expression for i in results[2]] == ["Patient.birthDate"]
    assert "Unknown data type: Bot" in str(results[3][0])


def test_an_empty_batch_needs_no_node_process() -> None:
    assert validate_with_medplum([]) == []
