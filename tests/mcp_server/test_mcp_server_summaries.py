"""One row per resource type: the summarizer table, cell by cell."""

from __future__ import annotations

from typing import Any

import pytest

from mcp_server.rows.search_page import render_row
from mcp_server.rows.summaries import SUMMARIZERS

CASES: list[tuple[dict[str, Any], str]] = [
    (
        {
            "resourceType": "MedicationDispense",
            "id": "d1",
            "status": "completed",
            "medicationReference": {"reference": "Medication/m1", "display": "Lisinopril 10 MG Tab"},
            "quantity": {"value": 30, "unit": "tablet"},
            "daysSupply": {"value": 30, "unit": "day"},
            "whenHandedOver": "2026-03-02",
        },
        "MedicationDispense/d1 | 2026-03-02 | Lisinopril 10 MG Tab | 30 tablet | 30 days supply | completed",
    ),
    (
        {
            "resourceType": "Immunization",
            "id": "i1",
            "status": "completed",
            "vaccineCode": {"text": "Influenza, seasonal"},
            "occurrenceDateTime": "2025-10-01",
        },
        "Immunization/i1 | 2025-10-01 | Influenza, seasonal | completed",
    ),
    (
        {
            "resourceType": "Observation",
            "id": "bp",
            "status": "final",
            "code": {"text": "Blood pressure"},
            "effectivePeriod": {"start": "2024-02-10T09:00:00Z"},
            "component": [
                {"code": {"text": "Systolic"}, "valueQuantity": {"value": 142, "unit": "mm[Hg]"}},
                {"code": {"text": "Diastolic"}, "valueQuantity": {"value": 91, "unit": "mm[Hg]"}},
            ],
            "interpretation": [{"text": "High"}],
        },
        "Observation/bp | 2024-02-10 | Blood pressure | Systolic 142 mm[Hg]; Diastolic 91 mm[Hg] (High) | final",
    ),
    (
        {
            "resourceType": "Observation",
            "id": "ua",
            "status": "final",
            "code": {"text": "Urine protein"},
            "issued": "2024-01-05T10:00:00Z",
            "valueString": "Negative",
            "referenceRange": [{"text": "Negative"}],
        },
        "Observation/ua | 2024-01-05 | Urine protein | Negative | ref Negative | final",
    ),
    (
        {
            "resourceType": "DiagnosticReport",
            "id": "cbc",
            "status": "final",
            "code": {"text": "CBC w/ diff | auto"},
            "effectiveDateTime": "2024-03-01",
            "result": [{"reference": "Observation/a"}, {"reference": "Observation/b"}],
            "conclusion": "Mild anemia.",
        },
        "DiagnosticReport/cbc | 2024-03-01 | CBC w/ diff / auto | 2 results | final",
    ),
    (
        {
            "resourceType": "MedicationRequest",
            "id": "m1",
            "status": "active",
            "intent": "order",
            "authoredOn": "2023-12-01",
            "medicationCodeableConcept": {"coding": [{"display": "lisinopril 10 MG Oral Tablet"}]},
            "dosageInstruction": [{"text": "Take 1 tablet by mouth\n   daily"}],
            "dispenseRequest": {"numberOfRepeatsAllowed": 3},
            "requester": {"reference": "Practitioner/pr1", "display": "ALEX SAMPLE MD"},
        },
        "MedicationRequest/m1 | 2023-12-01 | lisinopril 10 MG Oral Tablet | Take 1 tablet by mouth daily"
        " | refills 3 | ALEX SAMPLE MD | active",
    ),
    (
        {"resourceType": "Medication", "id": "med", "code": {"text": "Metformin 500 mg"}, "form": {"text": "tablet"}},
        "Medication/med | Metformin 500 mg | tablet",
    ),
    (
        {
            "resourceType": "Patient",
            "id": "p",
            "name": [
                {"use": "nickname", "given": ["D"]},
                {"use": "official", "given": ["Dana", "M"], "family": "Reyes"},
            ],
            "gender": "female",
            "birthDate": "1980-04-02",
        },
        "Patient/p | Dana M Reyes | female | born 1980-04-02",
    ),
    (
        {
            "resourceType": "Condition",
            "id": "c",
            "code": {"text": "Type 2 diabetes"},
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "verificationStatus": {"coding": [{"code": "confirmed"}]},
            "onsetDateTime": "2019",
        },
        "Condition/c | 2019 | Type 2 diabetes | active",
    ),
    (
        {
            "resourceType": "AllergyIntolerance",
            "id": "a",
            "code": {"text": "Penicillin"},
            "criticality": "high",
            "clinicalStatus": {"coding": [{"code": "active"}]},
            "reaction": [{"manifestation": [{"text": "Hives"}, {"text": "Wheezing"}], "description": "ER visit"}],
            "recordedDate": "2010-06-01",
        },
        "AllergyIntolerance/a | 2010-06-01 | Penicillin | Hives, Wheezing | criticality high | active",
    ),
    (
        {
            "resourceType": "Encounter",
            "id": "e",
            "status": "finished",
            "class": {"code": "AMB"},
            "period": {"start": "2024-03-01T08:00:00-08:00"},
            "location": [{"location": {"display": "Oakland Medical Center"}}],
            "reasonCode": [{"text": "Follow-up"}],
        },
        "Encounter/e | 2024-03-01 | AMB | Oakland Medical Center | Follow-up | finished",
    ),
    (
        {"resourceType": "Immunization", "id": "i", "status": "completed", "occurrenceDateTime": "2023-10-01"},
        "Immunization/i | 2023-10-01 | completed",
    ),
    (
        {"resourceType": "Procedure", "id": "x", "code": {"coding": [{"code": "80146002"}]}},
        "Procedure/x | 80146002",
    ),
]


@pytest.mark.parametrize(
    ("resource", "row"), CASES, ids=[case[0]["resourceType"] + "/" + case[0]["id"] for case in CASES]
)
def test_row(resource: dict[str, Any], row: str) -> None:
    assert render_row(resource)[0] == row


def test_the_table_covers_the_types_the_brief_names() -> None:
    assert set(SUMMARIZERS) == {
        "AllergyIntolerance",
        "Condition",
        "DiagnosticReport",
        "Encounter",
        "Medication",
        "MedicationRequest",
        "Observation",
        "Patient",
        "Appointment",
        "AuditEvent",
        "CareTeam",
        "Communication",
        "Coverage",
        "Device",
        "DocumentReference",
        "Immunization",
        "MedicationDispense",
        "Organization",
        "Practitioner",
        "Provenance",
        "RelatedPerson",
        "ServiceRequest",
    }


def test_prose_is_separated_from_the_row_and_clipped() -> None:
    long_note = "word " * 200
    resource = {
        "resourceType": "Observation",
        "id": "n",
        "code": {"text": "Comment"},
        "valueString": "Result discussed with patient; follow-up in 3 months with repeat panel.",
        "note": [{"text": long_note}],
    }
    row, prose = render_row(resource)
    assert row == "Observation/n | Comment | (text value, see record text)"
    assert prose[0].startswith("Observation/n note: word word")
    assert len(prose[0]) < 520
    assert prose[0].endswith("… [cut at 400 of 999 characters; all of it: fhir_get Observation/n]")
    assert prose[1].startswith("Observation/n value: Result discussed")
