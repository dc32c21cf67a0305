"""The sandbox practice's record: US Core-shaped, validated, for the same person as the sandbox kp.org."""

from __future__ import annotations

from collections import Counter

from sandbox.ehr import build_record
from sandbox.patient import generate_patient
from translators.validation import validated


def test_record_has_every_us_core_type_the_issue_names_and_all_validate() -> None:
    record = build_record(seed=1)
    types = Counter(r["resourceType"] for r in record.resources)
    for wanted in (
        "Patient",
        "Encounter",
        "Coverage",
        "Practitioner",
        "Observation",
        "Condition",
        "MedicationRequest",
        "DocumentReference",
        "AllergyIntolerance",
        "Immunization",
        "CarePlan",
    ):
        assert types[wanted] >= 1, wanted
    for resource in record.resources:
        assert validated(resource) == resource
        assert resource["meta"]["profile"][0].startswith("http://hl7.org/fhir/us/core/StructureDefinition/")


def test_observations_come_in_vital_signs_and_laboratory_with_loinc_codes() -> None:
    observations = build_record(seed=1).of_type("Observation")
    categories = Counter(o["category"][0]["coding"][0]["code"] for o in observations)
    assert categories == {"vital-signs": 3, "laboratory": 3}
    assert all(o["code"]["coding"][0]["system"] == "http://loinc.org" for o in observations)


def test_the_person_is_the_sandbox_portals_person() -> None:
    record = build_record(seed=4)
    patient = record.of_type("Patient")[0]
    assert patient["id"] == record.patient_id
    assert f"{patient['name'][0]['given'][0]}.{patient['name'][0]['family']}".lower() == generate_patient(4).username
