"""The R4 search features strict clients use (issue 16), over real HTTP (uvicorn on 127.0.0.1, httpx2): chains,
``_has``, composites, meta parameters, URI and identifier modifiers, the Patient compartment, ``$everything``
care dates and single sending, ``_include=X:*``, and ``fhirVersion`` negotiation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest

from fhirgate.serving import free_port, serve_in_thread
from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from tests.facade.conftest import T0
from tests.store.sample_resources import lab, patient

TOKEN = "spec-features-token-0123456789"
LOINC = "http://loinc.org"
UCUM = "http://unitsofmeasure.org"
US_CORE = "http://hl7.org/fhir/us/core/StructureDefinition/"
V2_0203 = "http://terminology.hl7.org/CodeSystem/v2-0203"


def _labs() -> list[dict[str, Any]]:
    glucose = lab("glu", effective="2023-05-01T08:00:00Z")
    glucose["valueQuantity"] = {"value": 110, "unit": "mg/dL", "system": UCUM, "code": "mg/dL"}
    glucose["meta"] = {
        "profile": [US_CORE + "us-core-observation-lab"],
        "source": "urn:fhirgate:kaiser:test-results",
        "tag": [{"system": "urn:example:tags", "code": "reviewed"}],
        "security": [{"system": "http://terminology.hl7.org/CodeSystem/v3-Confidentiality", "code": "N"}],
    }
    low = lab("glu-low", effective="2025-05-01T08:00:00Z")
    low["valueQuantity"] = {"value": 80, "unit": "mg/dL", "system": UCUM, "code": "mg/dL"}
    urine = lab("ket", code="49779-2", effective="2025-06-01T08:00:00Z")
    urine["valueString"] = "Negative"
    pressure = lab("bp", code="85354-9", effective="2025-07-01T08:00:00Z")
    pressure["component"] = [
        {"code": {"coding": [{"system": LOINC, "code": "8480-6"}]}, "valueQuantity": {"value": 150, "unit": "mm[Hg]"}},
        {"code": {"coding": [{"system": LOINC, "code": "8462-4"}]}, "valueQuantity": {"value": 70, "unit": "mm[Hg]"}},
    ]
    other = lab("other-patient", patient_id="p2")
    return [glucose, low, urine, pressure, other]


def _directory() -> list[dict[str, Any]]:
    ana = patient()
    ana["identifier"].append({"type": {"coding": [{"system": V2_0203, "code": "MR"}]}, "value": "MR-9"})
    ana["meta"] = {"source": "urn:fhirgate:kaiser:profile"}
    spouse = {"resourceType": "RelatedPerson", "id": "spouse", "patient": {"reference": "Patient/p1"}}
    coverage = {
        "resourceType": "Coverage",
        "id": "cov",
        "status": "active",
        "beneficiary": {"reference": "Patient/p1"},
        "policyHolder": {"reference": "RelatedPerson/spouse"},
        "payor": [{"reference": "Organization/kp"}],
    }
    organization = {"resourceType": "Organization", "id": "kp", "name": "Kaiser Permanente"}
    encounter = {
        "resourceType": "Encounter",
        "id": "enc",
        "status": "finished",
        "class": {"code": "AMB"},
        "subject": {"reference": "Patient/p1"},
        "serviceProvider": {"reference": "Organization/kp"},
        "period": {"start": "2024-03-01T09:00:00Z", "end": "2024-03-01T10:00:00Z"},
    }
    return [ana, patient("p2", "Smith"), spouse, coverage, organization, encounter]


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx2.Client]:
    store = SqliteStore.open(Path(tmp_path_factory.mktemp("features")) / "store.db")
    store.write_surface("everything", [*_directory(), *_labs()], now=T0)
    port = free_port()
    with (
        serve_in_thread(create_facade_app(store, FacadeSettings(token=TOKEN, port=port)), port=port) as server,
        httpx2.Client(base_url=f"{server.base_url}/fhir", headers={"Authorization": f"Bearer {TOKEN}"}) as client,
    ):
        yield client
    store.close()


def _ids(response: httpx2.Response, mode: str = "match") -> list[str]:
    assert response.status_code == 200, response.text
    return sorted(e["resource"]["id"] for e in response.json().get("entry", []) if e["search"]["mode"] == mode)


def _search(http: httpx2.Client, path: str, **params: str) -> list[str]:
    return _ids(http.get(path, params=params))


def test_chained_parameters_one_level(http: httpx2.Client) -> None:
    assert _search(http, "/Observation", **{"subject:Patient.name": "smith"}) == ["other-patient"]
    assert _search(http, "/Observation", **{"patient.family": "Müller", "code": "49779-2"}) == ["ket"]
    assert _search(http, "/Observation", **{"patient.identifier": "MRN-p2"}) == ["other-patient"]
    assert _search(http, "/Coverage", **{"policy-holder:RelatedPerson.patient": "p1"}) == ["cov"]
    self_link = http.get("/Observation", params={"patient.family": "smith"}).json()["link"][0]["url"]
    assert "patient.family=smith" in self_link
    assert http.get("/Observation", params={"patient.organization.name": "x"}).status_code == 400  # two levels
    assert http.get("/Observation", params={"patient.nothing": "x"}).status_code == 400


def test_reverse_chaining_has(http: httpx2.Client) -> None:
    assert _search(http, "/Patient", **{"_has:Observation:patient:code": "49779-2"}) == ["p1"]
    assert _search(http, "/Patient", **{"_has:Observation:patient:code": "2345-7,nothing"}) == ["p1", "p2"]
    assert _search(http, "/Patient", **{"_has:Coverage:beneficiary:status": "cancelled"}) == []
    assert _search(http, "/Organization", **{"_has:Encounter:service-provider:class": "AMB"}) == ["kp"]
    assert http.get("/Patient", params={"_has:Observation:code:code": "x"}).status_code == 400  # not a reference


def test_composite_parameters_keep_code_and_value_together(http: httpx2.Client) -> None:
    assert _search(http, "/Observation", **{"code-value-quantity": f"{LOINC}|2345-7$gt100"}) == ["glu"]
    assert _search(http, "/Observation", **{"code-value-quantity": f"2345-7$lt100|{UCUM}|mg/dL"}) == ["glu-low"]
    assert _search(http, "/Observation", **{"code-value-string": "49779-2$neg"}) == ["ket"]
    assert _search(http, "/Observation", **{"component-code-value-quantity": "8480-6$gt140"}) == ["bp"]
    assert _search(http, "/Observation", **{"component-code-value-quantity": "8462-4$gt140"}) == []  # not crossed
    assert _search(http, "/Observation", **{"combo-code-value-quantity": "2345-7$gt100,8480-6$gt140"}) == ["bp", "glu"]
    assert http.get("/Observation", params={"code-value-quantity": "2345-7"}).status_code == 400
    assert http.get("/Observation", params={"_sort": "code-value-quantity"}).status_code == 400


def test_meta_parameters_and_uri_modifiers(http: httpx2.Client) -> None:
    assert _search(http, "/Observation", _tag="urn:example:tags|reviewed") == ["glu"]
    assert _search(http, "/Observation", _security="N") == ["glu"]
    assert _search(http, "/Observation", _profile=US_CORE + "us-core-observation-lab") == ["glu"]
    assert _search(http, "/Observation", **{"_profile:below": US_CORE.rstrip("/")}) == ["glu"]
    assert _search(http, "/Observation", **{"_profile:below": US_CORE + "us-core-obs"}) == []  # by path segment
    assert _search(http, "/Observation", **{"_profile:above": US_CORE + "us-core-observation-lab/x"}) == ["glu"]
    assert _search(http, "/Patient", _source="urn:fhirgate:kaiser:profile") == ["p1"]
    assert _search(http, "/Patient", **{"_source:missing": "true"}) == ["p2"]


def test_identifier_of_type(http: httpx2.Client) -> None:
    assert _search(http, "/Patient", **{"identifier:of-type": f"{V2_0203}|MR|MR-9"}) == ["p1"]
    assert _search(http, "/Patient", **{"identifier:of-type": f"{V2_0203}|MR|MRN-p1"}) == []
    assert http.get("/Patient", params={"identifier:of-type": "MR-9"}).status_code == 400


def test_patient_compartment_search(http: httpx2.Client) -> None:
    assert _search(http, "/Patient/p1/Observation", code="2345-7") == ["glu", "glu-low"]
    assert _search(http, "/Patient/p2/Observation") == ["other-patient"]
    assert _search(http, "/Patient/p1/Patient") == ["p1"]
    assert http.get("/Patient/p1/Organization").status_code == 400


def test_everything_care_dates_and_each_compartment_resource_once(http: httpx2.Client) -> None:
    dated = _search(http, "/Patient/p1/$everything", start="2025-01-01", end="2025-06-30")
    assert dated == ["cov", "glu-low", "ket", "p1", "spouse"]  # undated compartment resources stay
    seen: list[tuple[str, str]] = []
    url: str | None = "/Patient/p1/$everything?_count=2"
    while url:
        bundle = http.get(url).json()
        for entry in bundle.get("entry", []):
            if entry["search"]["mode"] == "match":
                seen.append((entry["resource"]["resourceType"], entry["resource"]["id"]))
            elif entry["search"]["mode"] == "include":  # included: only what has no page of its own
                assert entry["resource"]["resourceType"] in ("Organization",), entry["resource"]["id"]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    assert len(seen) == len(set(seen)) and ("RelatedPerson", "spouse") in seen


def test_include_star_covers_every_reference_parameter(http: httpx2.Client) -> None:
    bundle = http.get("/Coverage", params={"_include": "Coverage:*"})
    assert _ids(bundle, "include") == ["kp", "p1", "spouse"]  # payor, beneficiary, policy-holder


def test_another_fhir_version_is_not_acceptable(http: httpx2.Client) -> None:
    refused = http.get("/Patient", headers={"Accept": "application/fhir+json; fhirVersion=3.0"})
    assert refused.status_code == 406 and "4.0" in refused.json()["issue"][0]["diagnostics"]
    assert http.get("/Patient", headers={"Accept": "application/fhir+json; fhirVersion=4.0"}).status_code == 200
    mixed = "application/fhir+json; fhirVersion=3.0, application/fhir+json; fhirVersion=4.0"
    assert http.get("/Patient", headers={"Accept": mixed}).status_code == 200
