"""The US Core rule table: a resource missing a required element or breaking an invariant fails its rule."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from conformance.us_core_check import claimed_profiles, us_core_errors
from conformance.us_core_rules import PROFILES, RULES

_SD = "http://hl7.org/fhir/us/core/StructureDefinition/"


def _patient() -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": "p1",
        "meta": {"profile": [_SD + "us-core-patient"]},
        "identifier": [{"system": "urn:example:mrn", "value": "123"}],
        "name": [{"family": "Sample", "given": ["Pat"]}],
        "gender": "female",
        "birthDate": "1970-01-01",
    }


def _lab_observation() -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": "o1",
        "meta": {"profile": [_SD + "us-core-observation-lab|6.1.0"]},
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}
        ],
        "code": {"coding": [{"system": "http://loinc.org", "code": "2951-2"}], "text": "Sodium"},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2026-01-11T07:22:00-08:00",
        "valueQuantity": {"value": 142, "unit": "mmol/L", "system": "http://unitsofmeasure.org", "code": "mmol/L"},
    }


def test_conformant_resources_pass() -> None:
    assert us_core_errors(_patient()) == []
    assert us_core_errors(_lab_observation()) == []


@pytest.mark.parametrize("element", ["identifier", "name", "gender"])
def test_patient_missing_a_mandatory_element_fails_with_its_citation(element: str) -> None:
    patient = _patient()
    del patient[element]
    errors = us_core_errors(patient)
    assert errors == [f"required {element}: us-core-patient: {element} min 1 (US_CORE.md, Mandatory)"]


def test_lab_observation_without_a_loinc_coding_fails_the_lab_code_rule() -> None:
    observation = _lab_observation()
    observation["code"] = {"text": "Sodium"}
    assert [e for e in us_core_errors(observation) if "Observation.code" in e and "LOINC" in e]


def test_identifier_without_system_fails_the_nested_rule() -> None:
    patient = _patient()
    patient["identifier"] = [{"value": "123"}]
    assert any("identifier.system 1..1" in error for error in us_core_errors(patient))


def test_name_with_neither_family_nor_given_breaks_us_core_6() -> None:
    patient = _patient()
    patient["name"] = [{"text": "Pat Sample"}]
    assert any("us-core-6" in error for error in us_core_errors(patient))


def test_lab_observation_without_laboratory_category_fails_the_slice_pattern() -> None:
    observation = _lab_observation()
    observation["category"] = [{"text": "Lab"}]
    assert any("category.coding" in error and "laboratory" in error for error in us_core_errors(observation))


def test_lab_observation_without_value_or_data_absent_reason_breaks_us_core_2() -> None:
    observation = _lab_observation()
    del observation["valueQuantity"]
    assert any("us-core-2" in error for error in us_core_errors(observation))
    observation["dataAbsentReason"] = {"text": "not reported"}
    assert not any("us-core-2" in error for error in us_core_errors(observation))


def test_non_ucum_quantity_breaks_us_core_3() -> None:
    observation = _lab_observation()
    observation["valueQuantity"]["system"] = "urn:example:units"
    assert any("us-core-3" in error for error in us_core_errors(observation))


def test_order_without_requester_breaks_us_core_21() -> None:
    request = {
        "resourceType": "MedicationRequest",
        "meta": {"profile": [_SD + "us-core-medicationrequest"]},
        "status": "active",
        "intent": "order",
        "medicationCodeableConcept": {"text": "LISINOPRIL 10 MG TAB"},
        "subject": {"reference": "Patient/p1"},
        "authoredOn": "2025-09-29",
        "dosageInstruction": [{"text": "Take 1 tablet daily"}],
    }
    assert [e for e in us_core_errors(request) if "us-core-21" in e]
    with_requester = copy.deepcopy(request) | {"requester": {"display": "CASEY MOCKWELL NP"}}
    assert us_core_errors(with_requester) == []


def test_final_lab_report_without_issued_breaks_us_core_9() -> None:
    report = {
        "resourceType": "DiagnosticReport",
        "meta": {"profile": [_SD + "us-core-diagnosticreport-lab"]},
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB"}]}],
        "code": {"text": "BMP"},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2026-01-11",
    }
    assert [e for e in us_core_errors(report) if "us-core-9" in e]
    assert us_core_errors(report | {"issued": "2026-01-12T15:33:00Z"}) == []


def test_claiming_a_profile_without_rules_is_an_error_not_a_pass() -> None:
    patient = _patient()
    patient["meta"]["profile"] = [_SD + "us-core-smokingstatus"]
    assert us_core_errors(patient) == [
        f"claims {_SD}us-core-smokingstatus, for which the suite has no US Core 6.1.0 rules"
    ]


def test_non_us_core_profiles_are_ignored() -> None:
    patient = {"resourceType": "Patient", "meta": {"profile": ["http://example.org/StructureDefinition/x"]}}
    assert claimed_profiles(patient) == []
    assert us_core_errors(patient) == []


def test_every_rule_cites_its_profile_and_every_profile_is_a_us_core_canonical() -> None:
    assert all(rule.citation.startswith(rule.profile + ":") for rule in RULES)
    assert all(url == _SD + name for name, url in PROFILES.items())
    assert len(PROFILES) >= 20
