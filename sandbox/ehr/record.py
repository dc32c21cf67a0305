"""The sandbox practice's FHIR record for the synthetic person: who, where, and who pays.

The same invented person as the sandbox kp.org (drawn from the same seed), seen by a small
primary-care practice. US Core-shaped: profiles in `meta.profile`, LOINC/SNOMED/RxNorm/CVX codes
from their public code systems, every resource validated before it is stored.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

from gateway.store import ResourceStore
from sandbox.ehr.clinical import clinical_resources
from sandbox.patient.person import Person, draw_person
from translators.validation import validated

__all__ = ["EHR_SURFACE", "EhrRecord", "build_record", "seed_store"]

EHR_SURFACE = "sandbox-ehr"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
MRN_SYSTEM = "urn:oid:2.16.840.1.113883.3.9999.1"  # an invented practice OID arc


class EhrRecord:
    """The practice's resources for one person, and the ids a test or the demo needs."""

    def __init__(self, person: Person, resources: list[dict[str, Any]]) -> None:
        self.person = person
        self.resources = resources
        self.patient_id = f"pt-{person.mrn}"
        self.practitioner_id = "pr-1001"

    def of_type(self, resource_type: str) -> list[dict[str, Any]]:
        return [r for r in self.resources if r["resourceType"] == resource_type]


def _meta(profile: str) -> dict[str, Any]:
    return {"profile": [US_CORE + profile], "source": f"urn:fhirgate:{EHR_SURFACE}"}


def build_record(seed: int = 1) -> EhrRecord:
    """The validated resources of the practice's record for the person of `seed`."""
    person = draw_person(random.Random(seed))
    patient_id, practitioner_id = f"pt-{person.mrn}", "pr-1001"
    patient = {
        "resourceType": "Patient",
        "id": patient_id,
        "meta": _meta("us-core-patient"),
        "identifier": [
            {
                "use": "usual",
                "type": {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/v2-0203", "code": "MR"}]},
                "system": MRN_SYSTEM,
                "value": f"E{person.mrn}",
            }
        ],
        "active": True,
        "name": [
            {
                "use": "official",
                "family": person.surname,
                "given": [person.first_name, person.middle_name],
            }
        ],
        "telecom": [
            {
                "system": "phone",
                "value": f"({person.home_phone.area}) {person.home_phone.exchange}-{person.home_phone.subscriber:04d}",
                "use": "home",
            }
        ],
        "gender": {"F": "female", "M": "male"}.get(person.gender, "unknown"),
        "birthDate": person.birth_date.isoformat(),
        "address": [{"line": ["100 Example Way"], "city": "Oakland", "state": "CA", "postalCode": "94612"}],
    }
    practitioner = {
        "resourceType": "Practitioner",
        "id": practitioner_id,
        "meta": _meta("us-core-practitioner"),
        "identifier": [{"system": "http://hl7.org/fhir/sid/us-npi", "value": "9999999991"}],
        "name": [{"family": "Placeholder", "given": ["Morgan"], "prefix": ["Dr."]}],
    }
    coverage = {
        "resourceType": "Coverage",
        "id": "cov-1",
        "meta": _meta("us-core-coverage"),
        "status": "active",
        "type": {"coding": [{"system": "urn:oid:2.16.840.1.113883.3.221.5", "code": "5", "display": "PRIVATE"}]},
        "subscriberId": f"SBX{person.mrn}",
        "beneficiary": {"reference": f"Patient/{patient_id}"},
        "relationship": {
            "coding": [{"system": "http://terminology.hl7.org/CodeSystem/subscriber-relationship", "code": "self"}]
        },
        "period": {"start": "2024-01-01"},
        "payor": [{"display": "Example Health Plan (synthetic)"}],
    }
    resources: list[dict[str, Any]] = [
        patient,
        practitioner,
        coverage,
        *clinical_resources(patient_id, practitioner_id),
    ]
    return EhrRecord(person, [validated(resource) for resource in resources])


def seed_store(store: ResourceStore, record: EhrRecord) -> None:
    """Write `record` into `store` as the EHR's one surface."""
    store.write_surface(EHR_SURFACE, record.resources, now=datetime.now(UTC))
