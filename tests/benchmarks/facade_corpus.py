"""A synthetic patient record of any size for the facade benchmark (invented data, fixed seed)."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

PATIENT_ID = "bench-p1"
LOINC = "http://loinc.org"
CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
LAB_CODES = [f"{1000 + i}-{i % 10}" for i in range(60)]
VITAL_CODES = ["8867-4", "8480-6", "8462-4", "29463-7", "8310-5", "9279-1"]
START = datetime(2010, 1, 1, tzinfo=UTC)


def _when(rng: random.Random) -> str:
    moment = START + timedelta(minutes=rng.randrange(15 * 365 * 24 * 60))
    return moment.strftime("%Y-%m-%dT%H:%M:00Z")


def _observation(rng: random.Random, index: int, encounters: int) -> dict[str, Any]:
    vital = index % 3 == 0
    code = rng.choice(VITAL_CODES if vital else LAB_CODES)
    return {
        "resourceType": "Observation",
        "id": f"obs-{index}",
        "status": "final",
        "category": [{"coding": [{"system": CATEGORY, "code": "vital-signs" if vital else "laboratory"}]}],
        "code": {"coding": [{"system": LOINC, "code": code}], "text": f"Synthetic test {code}"},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "encounter": {"reference": f"Encounter/enc-{rng.randrange(encounters)}"},
        "effectiveDateTime": _when(rng),
        "valueQuantity": {
            "value": round(rng.uniform(1, 200), 1),
            "unit": "mg/dL",
            "system": "http://unitsofmeasure.org",
            "code": "mg/dL",
        },
    }


def _medication(index: int) -> dict[str, Any]:
    code = str(800000 + index)
    return {
        "resourceType": "Medication",
        "id": f"med-{index}",
        "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": code}]},
    }


def _medication_request(rng: random.Random, index: int, medications: int) -> dict[str, Any]:
    return {
        "resourceType": "MedicationRequest",
        "id": f"mr-{index}",
        "status": rng.choice(["active", "completed", "stopped"]),
        "intent": "order",
        "medicationReference": {"reference": f"Medication/med-{rng.randrange(medications)}"},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "authoredOn": _when(rng)[:10],
    }


def _encounter(rng: random.Random, index: int) -> dict[str, Any]:
    start = _when(rng)
    return {
        "resourceType": "Encounter",
        "id": f"enc-{index}",
        "status": "finished",
        "class": {"system": "http://terminology.hl7.org/CodeSystem/v3-ActCode", "code": "AMB"},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "period": {"start": start, "end": start},
    }


def _report(rng: random.Random, index: int, observations: int) -> dict[str, Any]:
    return {
        "resourceType": "DiagnosticReport",
        "id": f"dr-{index}",
        "status": "final",
        "category": [{"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0074", "code": "LAB"}]}],
        "code": {"coding": [{"system": LOINC, "code": rng.choice(LAB_CODES)}]},
        "subject": {"reference": f"Patient/{PATIENT_ID}"},
        "effectiveDateTime": _when(rng),
        "result": [{"reference": f"Observation/obs-{rng.randrange(observations)}"} for _ in range(3)],
    }


def surfaces(total: int, *, seed: int = 7) -> Iterator[tuple[str, list[dict[str, Any]]]]:
    """``(surface, resources)`` batches adding up to ``total`` resources (plus the patient)."""
    rng = random.Random(seed)
    medications, requests, encounters, reports = 300, total // 25, total // 25, total // 12
    observations = total - medications - requests - encounters - reports
    patient = {
        "resourceType": "Patient",
        "id": PATIENT_ID,
        "name": [{"family": "Benchmark", "given": ["Synthetic"]}],
        "gender": "unknown",
        "birthDate": "1970-01-01",
    }
    yield "profile", [patient]
    yield "medications", [_medication(i) for i in range(medications)]
    yield "medications", [_medication_request(rng, i, medications) for i in range(requests)]
    yield "encounters", [_encounter(rng, i) for i in range(encounters)]
    yield "test-results", [_report(rng, i, observations) for i in range(reports)]
    for start in range(0, observations, 5000):
        yield "test-results", [_observation(rng, i, encounters) for i in range(start, min(start + 5000, observations))]
