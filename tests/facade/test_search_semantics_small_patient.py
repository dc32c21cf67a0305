"""FHIR search semantics per parameter type, through the facade, over the ``small`` sandbox patient.

The store is seeded as the sync seeds it (sandbox patient -> every surface's translators -> one write per
surface, each at its own time so ``_lastUpdated`` selects). Every row's expected ids come from
``search_oracle``, an independent reading of the spec over the stored resources; placeholders such as
``{pid}`` are values taken from that data.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from starlette.testclient import TestClient

from conformance.surfaces import translate_patient
from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from sandbox.patient import generate_patient
from tests.facade.search_oracle import elements, query_matches

TOKEN = "semantics-token"
T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
_EFFECTIVE = ("effectiveDateTime", "effectivePeriod")
_ID = ("token", ("id",))
_UPDATED = ("date", ("meta.lastUpdated",))

# Where each parameter the table uses looks, read from the FHIR R4 search parameter definitions.
PATHS: dict[str, dict[str, tuple[str, tuple[str, ...]]]] = {
    "Observation": {
        "code": ("token", ("code",)),
        "category": ("token", ("category",)),
        "status": ("token", ("status",)),
        "identifier": ("token", ("identifier",)),
        "date": ("date", _EFFECTIVE),
        "value-quantity": ("quantity", ("valueQuantity",)),
        "patient": ("reference", ("subject",)),
        "subject": ("reference", ("subject",)),
    },
    "DiagnosticReport": {
        "category": ("token", ("category",)),
        "code": ("token", ("code",)),
        "date": ("date", _EFFECTIVE),
        "issued": ("date", ("issued",)),
        "result": ("reference", ("result",)),
    },
    "DocumentReference": {"type": ("token", ("type",)), "date": ("date", ("date",))},
    "Encounter": {
        "class": ("token", ("class",)),
        "date": ("date", ("period",)),
        "location": ("reference", ("location.location",)),
    },
    "Patient": {
        "name": ("string", ("name",)),
        "family": ("string", ("name.family",)),
        "given": ("string", ("name.given",)),
        "address": ("string", ("address",)),
        "gender": ("token", ("gender",)),
        "identifier": ("token", ("identifier",)),
        "telecom": ("token", ("telecom",)),
        "birthdate": ("date", ("birthDate",)),
    },
    "Location": {
        "name": ("string", ("name", "alias")),
        "address-city": ("string", ("address.city",)),
        "address-postalcode": ("string", ("address.postalCode",)),
    },
    "Practitioner": {"name": ("string", ("name",))},
    "Procedure": {"date": ("date", ("performedDateTime", "performedPeriod")), "code": ("token", ("code",))},
    "MedicationRequest": {
        "authoredon": ("date", ("authoredOn",)),
        "status": ("token", ("status",)),
        "patient": ("reference", ("subject",)),
    },
    "MedicationDispense": {"prescription": ("reference", ("authorizingPrescription",))},
    "Medication": {"code": ("token", ("code",))},
    "Communication": {"sent": ("date", ("sent",))},
    "AuditEvent": {"date": ("date", ("recorded",))},
    "Condition": {"clinical-status": ("token", ("clinicalStatus",)), "recorded-date": ("date", ("recordedDate",))},
    "AllergyIntolerance": {"date": ("date", ("recordedDate",))},
}


@dataclass(frozen=True)
class Record:
    client: TestClient
    resources: dict[str, list[dict[str, Any]]]
    facts: dict[str, str]


def _first(resources: list[dict[str, Any]], path: str) -> str:
    return str(next(value for resource in resources for value in elements(resource, path)))


def _facts(by_type: dict[str, list[dict[str, Any]]]) -> dict[str, str]:
    """Values to search for, taken from the data (so the table follows the generator)."""
    patient = by_type["Patient"][0]
    quantity = next(o["valueQuantity"] for o in by_type["Observation"] if "system" in o.get("valueQuantity", {}))
    updated = sorted({p["meta"]["lastUpdated"] for p in by_type["Practitioner"]})  # two surfaces yield them
    return {
        "pid": patient["id"],
        "guid": next(i["value"] for i in patient["identifier"] if i.get("system", "").endswith(":guid")),
        "phone": next(t["value"] for t in patient["telecom"] if t["system"] == "phone"),
        "obs": _first(by_type["DiagnosticReport"], "result.reference"),
        "location": _first(by_type["Encounter"], "location.location.reference").split("/")[1],
        "mr": _first(by_type["MedicationDispense"], "authorizingPrescription.reference"),
        "ndc": _first(by_type["Medication"], "code.coding.code"),
        "value": str(quantity["value"]),
        "unit": quantity["code"],
        "obs_ids": ",".join(o["id"] for o in by_type["Observation"][:2]),
        "updated_last": updated[-1],
    }


@pytest.fixture(scope="module")
def record(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Record]:
    run = translate_patient(generate_patient(1, "small"))
    store = SqliteStore.open(Path(tmp_path_factory.mktemp("small")) / "store.sqlite3")
    for hour, surface in enumerate(run.units):
        store.write_surface(surface, run.resources(surface), now=T0 + timedelta(hours=hour))
    by_type: dict[str, list[dict[str, Any]]] = {}
    for key in sorted({(r["resourceType"], r["id"]) for r in run.resources()}):
        stored = store.read(*key)
        assert stored is not None
        by_type.setdefault(key[0], []).append(json.loads(stored.json_text))
    app = create_facade_app(store, FacadeSettings(token=TOKEN))
    with TestClient(app, base_url="http://127.0.0.1", headers={"Authorization": f"Bearer {TOKEN}"}) as client:
        yield Record(client, by_type, _facts(by_type))
    store.close()


def _check(record: Record, resource_type: str, query: str, *, may_be_empty: bool = False) -> None:
    query = query.format(**record.facts)
    paths = {"_id": _ID, "_lastUpdated": _UPDATED, **PATHS[resource_type]}
    expected = {r["id"] for r in record.resources[resource_type] if query_matches(r, paths, query)}
    encoded = "&".join(f"{k}={quote(v, safe=',|:')}" for k, _, v in (p.partition("=") for p in query.split("&")))
    response = record.client.get(f"/fhir/{resource_type}?{encoded}&_count=500")
    assert response.status_code == 200, response.text
    bundle = response.json()
    found = {e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"}
    assert found == expected, f"{resource_type}?{query}"
    assert may_be_empty or expected, f"{resource_type}?{query} selects nothing in the small patient: pick another value"
    assert not [link for link in bundle["link"] if link["relation"] == "next"]


# One table per parameter type; rows may match nothing only when listed in NOTHING.
TOKENS = [
    ("DiagnosticReport", "category=LAB"),
    ("DiagnosticReport", "category=http://terminology.hl7.org/CodeSystem/v2-0074|LAB"),
    ("DiagnosticReport", "category=http://terminology.hl7.org/CodeSystem/v2-0074|"),
    ("DiagnosticReport", "category=|LAB"),
    ("DiagnosticReport", "category:not=LAB"),
    ("DiagnosticReport", "code:text=basic"),
    ("DocumentReference", "type=http://loinc.org|11506-3"),
    ("DocumentReference", "type:not=http://loinc.org|11506-3"),
    ("Encounter", "class=AMB,VR"),
    ("Encounter", "class=http://terminology.hl7.org/CodeSystem/v3-ActCode|VR"),
    ("Encounter", "class=http://example.org/other|VR"),
    ("Observation", "status:not=final"),
    ("Observation", "code:text=ALB"),
    ("Observation", "code:text=zzz"),
    ("Observation", "category=laboratory&status=final"),
    ("Observation", "code=http://loinc.org|4548-4"),  # HbA1c, by the LOINC the lab map adds
    ("Observation", "code=http://loinc.org|2345-7,http://loinc.org|2160-0"),
    ("Patient", "identifier=urn:fhirgate:kaiser:nca:guid|{guid}"),
    ("Patient", "telecom={phone}"),
    ("Patient", "gender=female"),
    ("Medication", "code=http://hl7.org/fhir/sid/ndc|{ndc}"),
    ("Condition", "clinical-status=active"),
    ("Procedure", "code:text=removal"),
]
DATES = [
    ("Observation", "date=2024"),
    ("Observation", "date=2024-06"),
    ("Observation", "date=2024-06-20"),
    ("Observation", "date=ge2024-06-20"),
    ("Observation", "date=gt2024-06-20"),
    ("Observation", "date=le2024-06-20"),
    ("Observation", "date=lt2024-06-20"),
    ("Observation", "date=sa2024-06"),
    ("Observation", "date=eb2024-06"),
    ("Observation", "date=ne2024"),
    ("Observation", "date=ge2024-01-01&date=lt2025"),
    ("Observation", "date=lt2024,ge2025"),
    ("Observation", "date=2024-06-20T17:13:00Z"),
    ("Observation", "date=eq2024-06-20T10:13-07:00"),
    ("DiagnosticReport", "issued=ge2023-02-02"),
    ("Encounter", "date=ge2026"),
    ("Encounter", "date=gt2025-06"),
    ("Encounter", "date=lt2025"),
    ("Encounter", "date=sa2025"),
    ("Encounter", "date=eb2030"),
    ("Procedure", "date=2021"),
    ("Procedure", "date=le2021-11-27"),
    ("MedicationRequest", "authoredon=ge2026-01"),
    ("Patient", "birthdate=1959-05"),
    ("Patient", "birthdate=ne1959-05-04"),
    ("Communication", "sent=ge2026-10-14T02:12:00Z"),
    ("AuditEvent", "date=2026-10-15"),
    ("Condition", "recorded-date=eb2022"),
]
STRINGS = [
    ("Patient", "name=spec"),
    ("Patient", "name=SPÉC"),
    ("Patient", "name=pecimen"),
    ("Patient", "family=specimen"),
    ("Patient", "given=jo"),
    ("Patient", "given:exact=Jo"),
    ("Patient", "given:exact=jo"),
    ("Patient", "name:contains=ecim"),
    ("Patient", "address=oak"),
    ("Patient", "address:contains=placeholder"),
    ("Location", "name=bay,hill"),
    ("Location", "name:contains=DERMAT"),
    ("Location", "address-city=óakridge"),
    ("Location", "address-postalcode=945"),
    ("Practitioner", "name=alex"),
    ("Practitioner", "name=md"),
    ("Practitioner", "name:contains=mock"),
]
REFERENCES = [
    ("Observation", "patient={pid}"),
    ("Observation", "patient=Patient/{pid}"),
    ("Observation", "patient=nobody"),
    ("Observation", "subject:Patient={pid}"),
    ("Observation", "subject=http://127.0.0.1/fhir/Patient/{pid}"),
    ("DiagnosticReport", "result={obs}"),
    ("Encounter", "location=Location/{location}"),
    ("MedicationDispense", "prescription={mr}"),
]
QUANTITIES = [
    ("Observation", "value-quantity={value}"),
    ("Observation", "value-quantity=gt5"),
    ("Observation", "value-quantity=le1.0"),
    ("Observation", "value-quantity=ge10|http://unitsofmeasure.org|{unit}"),
    ("Observation", "value-quantity=lt100||{unit}"),
]
COMMON = [
    ("Observation", "_id={obs_ids}"),
    ("Observation", "_id={obs_ids}&status=final"),
    ("Practitioner", "_lastUpdated=ge{updated_last}"),
    ("Practitioner", "_lastUpdated=lt{updated_last}"),
    ("Observation", "_lastUpdated=le2026-01-06&category=laboratory"),
    ("Observation", "_lastUpdated=lt2026-01-05"),
    ("Encounter", "_lastUpdated=2026-01-05"),
    ("MedicationRequest", "status=active&authoredon=ge2025&patient={pid}"),
]
MISSING = [
    ("Observation", "value-quantity:missing=true"),
    ("Observation", "value-quantity:missing=false&status=final"),
    ("AllergyIntolerance", "date:missing=true"),
    ("Condition", "recorded-date:missing=false"),
    ("Encounter", "location:missing=false"),
    ("Observation", "code:missing=false"),
]
NOTHING = {
    "category=|LAB",
    "class=http://example.org/other|VR",
    "code:text=zzz",
    "date=eb2030",
    "birthdate=ne1959-05-04",
    "name=pecimen",
    "given:exact=jo",
    "name=md",
    "patient=nobody",
    "_lastUpdated=lt2026-01-05",
}
TABLES = {
    "token": TOKENS,
    "date": DATES,
    "string": STRINGS,
    "reference": REFERENCES,
    "quantity": QUANTITIES,
    "id-lastUpdated-and-or": COMMON,
    "missing": MISSING,
}


@pytest.mark.parametrize(
    ("resource_type", "query"),
    [pytest.param(t, q, id=f"{kind}:{t}?{q}") for kind, rows in TABLES.items() for t, q in rows],
)
def test_search_semantics(record: Record, resource_type: str, query: str) -> None:
    _check(record, resource_type, query, may_be_empty=query in NOTHING)
