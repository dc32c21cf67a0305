"""Small hand-written valid FHIR R4 resources for store and facade tests."""

from __future__ import annotations

from typing import Any

LOINC = "http://loinc.org"
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"


def patient(patient_id: str = "p1", family: str = "Müller", given: tuple[str, ...] = ("Ana",)) -> dict[str, Any]:
    return {
        "resourceType": "Patient",
        "id": patient_id,
        "identifier": [{"system": "urn:fhirgate:kaiser:mrn", "value": f"MRN-{patient_id}"}],
        "name": [{"family": family, "given": list(given)}],
        "gender": "female",
        "birthDate": "1980-02-03",
    }


def lab(
    obs_id: str,
    *,
    effective: str | dict[str, str] = "2024-03-01T10:00:00Z",
    code: str = "2345-7",
    system: str | None = LOINC,
    category: str = "laboratory",
    patient_id: str = "p1",
) -> dict[str, Any]:
    coding: dict[str, str] = {"code": code} if system is None else {"system": system, "code": code}
    resource: dict[str, Any] = {
        "resourceType": "Observation",
        "id": obs_id,
        "status": "final",
        "category": [{"coding": [{"system": OBS_CATEGORY, "code": category}]}],
        "code": {"coding": [coding], "text": "Glucose"},
        "subject": {"reference": f"Patient/{patient_id}"},
    }
    if isinstance(effective, dict):
        resource["effectivePeriod"] = effective
    else:
        resource["effectiveDateTime"] = effective
    return resource


def medication_request(request_id: str, *, patient_id: str = "p1", status: str = "active") -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": request_id,
        "status": status,
        "intent": "order",
        "medicationCodeableConcept": {
            "coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "860975"}],
            "text": "metformin 500 MG Oral Tablet",
        },
        "subject": {"reference": f"Patient/{patient_id}"},
        "authoredOn": "2024-02-10",
    }
