"""Facade behaviour check: resources go through a real SQLite store and the real facade and come back equal."""

from __future__ import annotations

from conformance.facade_check import check_facade, same_resource
from translators.fhir_json import FhirDecimal

_PATIENT = {
    "resourceType": "Patient",
    "id": "p1",
    "meta": {"source": "urn:fhirgate:kaiser:profile"},
    "name": [{"family": "Sample"}],
    "gender": "female",
}
_OBSERVATION = {
    "resourceType": "Observation",
    "id": "o1",
    "status": "final",
    "code": {"text": "Sodium"},
    "subject": {"reference": "Patient/p1"},
}


def test_served_resources_equal_the_stored_ones_and_facade_resources_are_collected() -> None:
    findings = check_facade({"profile": [_PATIENT], "test-results": [_OBSERVATION]})

    assert findings.mismatches == []
    assert findings.served == 2
    kinds = {resource["resourceType"] for _, resource in findings.generated}
    assert kinds == {"CapabilityStatement", "Bundle", "OperationOutcome"}
    outcomes = [request for request, r in findings.generated if r["resourceType"] == "OperationOutcome"]
    assert any("no-such-id" in request for request in outcomes)


def test_decimals_come_back_with_their_precision() -> None:
    observation = {**_OBSERVATION, "valueQuantity": {"value": FhirDecimal("1.50"), "unit": "mg/dL"}}

    findings = check_facade({"test-results": [observation]})

    assert findings.mismatches == []
    assert findings.served == 1 and findings.read == 1


def test_a_decimal_served_without_its_precision_is_a_mismatch() -> None:
    observation = {**_OBSERVATION, "valueQuantity": {"value": FhirDecimal("1.50"), "unit": "mg/dL"}}
    # What a float-only pipeline stores: the same value, one significant digit short.
    generated = {**_OBSERVATION, "valueQuantity": {"value": FhirDecimal("1.500"), "unit": "mg/dL"}}

    assert not same_resource(observation, generated) and same_resource(observation, dict(observation))
