"""The practice record's clinical resources: visits, vitals, labs, problems, medications, notes,
allergies, immunizations and the care plan. Codes are real public codes (LOINC, SNOMED CT,
RxNorm, CVX); values, dates and people are invented."""

from __future__ import annotations

import base64
from typing import Any

__all__ = ["clinical_resources"]

US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
LOINC, SNOMED, RXNORM, CVX = (
    "http://loinc.org",
    "http://snomed.info/sct",
    "http://www.nlm.nih.gov/research/umls/rxnorm",
    "http://hl7.org/fhir/sid/cvx",
)
OBS_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
COND_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
UCUM = "http://unitsofmeasure.org"
SOURCE = "urn:fhirgate:sandbox-ehr"
V3 = "http://terminology.hl7.org/CodeSystem"

# (id, LOINC, display, category, value, UCUM unit, date)
_MAR, _SEP = "2026-03-12T09:45:00-08:00", "2026-09-03T10:30:00-07:00"
_OBSERVATIONS = (
    ("obs-wt-1", "29463-7", "Body weight", "vital-signs", 72.4, "kg", "2026-03-12T09:20:00-08:00"),
    ("obs-hr-1", "8867-4", "Heart rate", "vital-signs", 68, "/min", "2026-03-12T09:20:00-08:00"),
    ("obs-wt-2", "29463-7", "Body weight", "vital-signs", 71.8, "kg", "2026-09-03T10:05:00-07:00"),
    (
        "obs-a1c-1",
        "4548-4",
        "Hemoglobin A1c/Hemoglobin.total in Blood",
        "laboratory",
        5.9,
        "%",
        "2026-03-12T09:45:00-08:00",
    ),
    (
        "obs-glu-1",
        "2345-7",
        "Glucose [Mass/volume] in Serum or Plasma",
        "laboratory",
        104,
        "mg/dL",
        "2026-03-12T09:45:00-08:00",
    ),
    (
        "obs-ldl-1",
        "13457-7",
        "Cholesterol in LDL [Mass/volume] in Serum or Plasma by calculation",
        "laboratory",
        118,
        "mg/dL",
        "2026-09-03T10:30:00-07:00",
    ),
)
_VITAL_PROFILES = {"29463-7": "us-core-body-weight", "8867-4": "us-core-heart-rate"}


def _meta(profile: str) -> dict[str, Any]:
    return {"profile": [US_CORE + profile], "source": SOURCE}


def _concept(system: str, code: str, display: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": display}], "text": display}


def _encounters(patient: dict[str, str], practitioner: dict[str, str]) -> list[dict[str, Any]]:
    visits = (
        ("enc-1", "2026-03-12T09:00:00-08:00", "2026-03-12T09:50:00-08:00"),
        ("enc-2", "2026-09-03T09:45:00-07:00", "2026-09-03T10:40:00-07:00"),
    )
    return [
        {
            "resourceType": "Encounter",
            "id": encounter_id,
            "meta": _meta("us-core-encounter"),
            "status": "finished",
            "class": {
                "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
                "code": "AMB",
                "display": "ambulatory",
            },
            "type": [_concept(SNOMED, "185349003", "Encounter for check up")],
            "subject": patient,
            "participant": [{"individual": practitioner}],
            "period": {"start": start, "end": end},
        }
        for encounter_id, start, end in visits
    ]


def _observations(patient: dict[str, str]) -> list[dict[str, Any]]:
    resources = []
    for obs_id, code, display, category, value, unit, when in _OBSERVATIONS:
        profile = _VITAL_PROFILES.get(code, "us-core-observation-lab")
        resources.append(
            {
                "resourceType": "Observation",
                "id": obs_id,
                "meta": _meta(profile),
                "status": "final",
                "category": [_concept(OBS_CATEGORY, category, category.replace("-", " ").title())],
                "code": _concept(LOINC, code, display),
                "subject": patient,
                "encounter": {"reference": "Encounter/enc-1" if when.startswith("2026-03") else "Encounter/enc-2"},
                "effectiveDateTime": when,
                "valueQuantity": {"value": value, "unit": unit, "system": UCUM, "code": unit},
            }
        )
    return resources


def _conditions(patient: dict[str, str]) -> list[dict[str, Any]]:
    rows = (
        ("cond-1", "problem-list-item", "38341003", "Hypertensive disorder", "2021-05-02"),
        ("cond-2", "encounter-diagnosis", "714628002", "Prediabetes", "2026-03-12"),
    )
    return [
        {
            "resourceType": "Condition",
            "id": cond_id,
            "meta": _meta(
                "us-core-condition-problems-health-concerns"
                if category == "problem-list-item"
                else "us-core-condition-encounter-diagnosis"
            ),
            "clinicalStatus": _concept("http://terminology.hl7.org/CodeSystem/condition-clinical", "active", "Active"),
            "verificationStatus": _concept(
                "http://terminology.hl7.org/CodeSystem/condition-ver-status", "confirmed", "Confirmed"
            ),
            "category": [_concept(COND_CATEGORY, category, category.replace("-", " ").title())],
            "code": _concept(SNOMED, code, display),
            "subject": patient,
            "onsetDateTime": onset,
            "recordedDate": onset,
        }
        for cond_id, category, code, display, onset in rows
    ]


def clinical_resources(patient_id: str, practitioner_id: str) -> list[dict[str, Any]]:
    """Every clinical resource of the practice's record for `patient_id`."""
    patient = {"reference": f"Patient/{patient_id}"}
    practitioner = {"reference": f"Practitioner/{practitioner_id}", "display": "Dr. Morgan Placeholder"}
    note = "Follow-up visit. Blood pressure controlled on lisinopril. Continue diet and exercise for prediabetes."
    return [
        *_encounters(patient, practitioner),
        *_observations(patient),
        *_conditions(patient),
        {
            "resourceType": "MedicationRequest",
            "id": "medrx-1",
            "meta": _meta("us-core-medicationrequest"),
            "status": "active",
            "intent": "order",
            "medicationCodeableConcept": _concept(RXNORM, "314076", "lisinopril 10 MG Oral Tablet"),
            "subject": patient,
            "authoredOn": "2026-03-12",
            "requester": practitioner,
            "dosageInstruction": [{"text": "Take 1 tablet by mouth once daily"}],
        },
        {
            "resourceType": "DocumentReference",
            "id": "doc-1",
            "meta": _meta("us-core-documentreference"),
            "status": "current",
            "type": _concept(LOINC, "11506-3", "Progress note"),
            "category": [
                _concept(
                    "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category",
                    "clinical-note",
                    "Clinical Note",
                )
            ],
            "subject": patient,
            "date": "2026-09-03T10:40:00-07:00",
            "author": [practitioner],
            "content": [
                {"attachment": {"contentType": "text/plain", "data": base64.b64encode(note.encode()).decode()}}
            ],
            "context": {"encounter": [{"reference": "Encounter/enc-2"}]},
        },
        {
            "resourceType": "AllergyIntolerance",
            "id": "allergy-1",
            "meta": _meta("us-core-allergyintolerance"),
            "clinicalStatus": _concept(
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical", "active", "Active"
            ),
            "verificationStatus": _concept(
                "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification", "confirmed", "Confirmed"
            ),
            "code": _concept(RXNORM, "7980", "Penicillin G"),
            "patient": patient,
            "reaction": [{"manifestation": [_concept(SNOMED, "271807003", "Eruption of skin")]}],
        },
        {
            "resourceType": "Immunization",
            "id": "imm-1",
            "meta": _meta("us-core-immunization"),
            "status": "completed",
            "vaccineCode": _concept(CVX, "140", "Influenza, seasonal, injectable, preservative free"),
            "patient": patient,
            "occurrenceDateTime": "2025-10-14",
            "primarySource": True,
        },
        {
            "resourceType": "CarePlan",
            "id": "careplan-1",
            "meta": _meta("us-core-careplan"),
            "text": {
                "status": "generated",
                "div": '<div xmlns="http://www.w3.org/1999/xhtml">Diet, exercise, recheck A1c in 6 months.</div>',
            },
            "status": "active",
            "intent": "plan",
            "category": [
                _concept(
                    "http://hl7.org/fhir/us/core/CodeSystem/careplan-category",
                    "assess-plan",
                    "Assessment and Plan of Treatment",
                )
            ],
            "subject": patient,
        },
    ]
