"""Facade search features beyond the basics: POST _search, search-system, includes, paging back, result controls."""

from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from tests.facade.conftest import AUTH, BASE, T0, TOKEN
from tests.store.sample_resources import lab, medication_request, patient
from translators.fhir_json import fhir_decimal


@pytest.fixture
def seeded(store: SqliteStore) -> SqliteStore:
    store.write_surface("profile", [patient(), patient("p2", "Smith")], now=T0)
    labs = [lab(f"o{i:02d}", effective=f"2024-02-{i + 1:02d}T08:00:00Z") for i in range(12)]
    store.write_surface("labs", labs, now=T0)
    meds = [medication_request("m1"), medication_request("m2", status="stopped")]
    meds[0]["medicationReference"] = {"reference": "Medication/med1"}
    medication = {"resourceType": "Medication", "id": "med1", "code": {"coding": [{"code": "860975"}]}}
    provenance = {
        "resourceType": "Provenance",
        "id": "prov1",
        "target": [{"reference": "MedicationRequest/m1"}],
        "recorded": "2024-05-01T12:00:00Z",
        "agent": [{"who": {"reference": "Organization/kp"}}],
    }
    organization = {"resourceType": "Organization", "id": "kp", "name": "Kaiser Permanente"}
    store.write_surface("meds", [*meds, medication, provenance, organization], now=T0)
    return store


def _get(client: TestClient, url: str, headers: dict[str, str] = AUTH) -> dict[str, Any]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def _ids(bundle: dict[str, Any], mode: str = "match") -> list[str]:
    return [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == mode]


def _links(bundle: dict[str, Any]) -> dict[str, str]:
    return {link["relation"]: link["url"] for link in bundle["link"]}


def test_post_search_with_a_form_body_equals_get(client: TestClient, seeded: SqliteStore) -> None:
    response = client.post(
        "/fhir/Observation/_search?_count=5", headers=AUTH, data={"patient": "p1", "date": "ge2024-02-10"}
    )
    assert response.status_code == 200
    bundle = response.json()
    assert bundle["total"] == 3 and _ids(bundle) == ["o09", "o10", "o11"]
    assert _links(bundle)["self"] == f"{BASE}/fhir/Observation?date=ge2024-02-10&patient=p1&_count=5"
    wrong = client.post(
        "/fhir/Observation/_search", headers={**AUTH, "Content-Type": "application/json"}, content=b"{}"
    )
    assert wrong.status_code == 400 and wrong.json()["issue"][0]["code"] == "invalid"


def test_next_and_previous_links_walk_both_ways(client: TestClient, seeded: SqliteStore) -> None:
    url = "/fhir/Observation?_count=5&_sort=-date"
    first = _get(client, url)
    assert "previous" not in _links(first)
    second = _get(client, _links(first)["next"])
    third = _get(client, _links(second)["next"])
    assert "next" not in _links(third)
    assert _ids(first) + _ids(second) + _ids(third) == [f"o{i:02d}" for i in reversed(range(12))]
    back = _get(client, _links(third)["previous"])
    assert _ids(back) == _ids(second)
    back_again = _get(client, _links(back)["previous"])
    assert _ids(back_again) == _ids(first) and "previous" not in _links(back_again)
    assert _ids(_get(client, _links(back_again)["next"])) == _ids(second)


def test_include_and_revinclude(client: TestClient, seeded: SqliteStore) -> None:
    bundle = _get(
        client, "/fhir/MedicationRequest?_id=m1&_include=MedicationRequest:medication&_revinclude=Provenance:target"
    )
    assert _ids(bundle) == ["m1"]
    assert sorted(_ids(bundle, "include")) == ["med1", "prov1"]
    iterate = _get(
        client,
        "/fhir/MedicationRequest?_id=m1&_revinclude=Provenance:target&_include:iterate=Provenance:agent",
    )
    assert sorted(_ids(iterate, "include")) == ["kp", "prov1"]
    subject = _get(client, "/fhir/Observation?_id=o01&_include=Observation:subject:Patient")
    assert _ids(subject, "include") == ["p1"]
    assert "_include=Observation%3Asubject%3APatient" in _links(subject)["self"]


def test_include_wildcard_takes_every_reference(client: TestClient, seeded: SqliteStore) -> None:
    for wildcard in ("*", "MedicationRequest:*"):
        bundle = _get(client, f"/fhir/MedicationRequest?_id=m1&_include={wildcard}")
        assert _ids(bundle) == ["m1"] and sorted(_ids(bundle, "include")) == ["med1", "p1"]
    only = _get(client, "/fhir/MedicationRequest?_id=m1&_include=MedicationRequest:*:Medication")
    assert _ids(only, "include") == ["med1"]
    reverse = _get(client, "/fhir/MedicationRequest?_id=m1&_revinclude=Provenance:*")
    assert _ids(reverse, "include") == ["prov1"]


def test_summary_count_total_none_and_elements(client: TestClient, seeded: SqliteStore) -> None:
    counted = _get(client, "/fhir/Observation?_summary=count")
    assert counted["total"] == 12 and "entry" not in counted
    no_total = _get(client, "/fhir/Observation?_total=none&_count=2")
    assert "total" not in no_total and len(_ids(no_total)) == 2
    trimmed = _get(client, "/fhir/Observation?_elements=status&_count=1")
    (resource,) = [e["resource"] for e in trimmed["entry"]]
    assert set(resource) == {"resourceType", "id", "meta", "status", "code"}  # code is mandatory


def test_search_system_pages_through_every_type(client: TestClient, seeded: SqliteStore) -> None:
    url: str | None = "/fhir?_type=Patient,MedicationRequest,Observation&_count=5&_total=accurate"
    seen: list[str] = []
    totals = set()
    while url is not None:
        bundle = _get(client, url)
        totals.add(bundle["total"])
        seen += [
            f"{e['resource']['resourceType']}/{e['resource']['id']}"
            for e in bundle["entry"]
            if e["search"]["mode"] == "match"
        ]
        url = _links(bundle).get("next")
    assert totals == {16}
    assert len(seen) == 16 and len(set(seen)) == 16
    assert seen[:3] == ["Patient/p1", "Patient/p2", "MedicationRequest/m1"]
    one_page = _get(client, "/fhir?_type=Patient,MedicationRequest")
    assert one_page["total"] == 4 and "next" not in _links(one_page)
    filtered = _get(client, "/fhir?_type=Observation,MedicationRequest&patient=p1&_lastUpdated=ge2024&_total=accurate")
    assert filtered["total"] == 14
    for bad in (
        "/fhir",
        "/fhir?_type=Spaceship",
        "/fhir?_type=Patient,Observation&_sort=_id",
        "/fhir?_type=Patient&_cursor=bad",
    ):
        response = client.get(bad, headers=AUTH)
        assert response.status_code in (400, 404), bad
        assert response.json()["resourceType"] == "OperationOutcome"


def test_never_synced_surfaces_are_reported_not_silently_empty(store: SqliteStore) -> None:
    surfaces = {"labs": ("Observation", "DiagnosticReport"), "meds": ("MedicationRequest",)}
    app = create_facade_app(store, FacadeSettings(token=TOKEN, surface_types=surfaces))
    store.write_surface("meds", [medication_request("m1")], now=T0)
    store.record_surface_failure("labs", "portal down", now=T0)
    with TestClient(app, base_url=BASE) as client:
        observations = _get(client, "/fhir/Observation")
        assert observations["total"] == 0
        (outcome,) = [e["resource"] for e in observations["entry"] if e["search"]["mode"] == "outcome"]
        assert (
            "never synced" in outcome["issue"][0]["diagnostics"] and "portal down" in outcome["issue"][0]["diagnostics"]
        )
        assert "entry" not in _get(client, "/fhir/Condition")  # no surface yields it: plainly empty
        assert all(e["search"]["mode"] == "match" for e in _get(client, "/fhir/MedicationRequest")["entry"])


def test_everything_returns_the_compartment_paged_and_streamed(client: TestClient, seeded: SqliteStore) -> None:
    url: str | None = "/fhir/Patient/p1/$everything?_count=5"
    matches: list[str] = []
    includes: set[str] = set()
    while url is not None:
        response = client.get(url, headers=AUTH)
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/fhir+json; charset=utf-8"
        bundle = response.json()
        matches += [
            f"{e['resource']['resourceType']}/{e['resource']['id']}"
            for e in bundle["entry"]
            if e["search"]["mode"] == "match"
        ]
        includes |= {
            f"{e['resource']['resourceType']}/{e['resource']['id']}"
            for e in bundle["entry"]
            if e["search"]["mode"] == "include"
        }
        url = _links(bundle).get("next")
        if url is not None:
            assert "_cursor" in parse_qs(urlsplit(url).query)
    assert matches[0] == "Patient/p1"
    first_page = _get(client, "/fhir/Patient/p1/$everything?_count=5")
    assert len(_ids(first_page)) == 5
    assert sorted(matches) == sorted(
        ["Patient/p1", "MedicationRequest/m1", "MedicationRequest/m2"] + [f"Observation/o{i:02d}" for i in range(12)]
    )
    assert "Medication/med1" in includes
    only = _get(client, "/fhir/Patient/p1/$everything?_type=MedicationRequest")
    assert sorted(_ids(only)) == ["m1", "m2"]
    since = _get(client, "/fhir/Patient/p1/$everything?_since=2030-01-01T00:00:00Z")
    assert _ids(since) == []
    assert client.get("/fhir/Patient/nobody/$everything", headers=AUTH).status_code == 404
    for bad in ("_since=2024", "_type=Spaceship", "_count=x", "colour=red", "_cursor=zz"):
        response = client.get(f"/fhir/Patient/p1/$everything?{bad}", headers=AUTH)
        assert response.status_code in (400, 404), bad


def test_elements_keeps_a_decimal_as_written(client: TestClient, store: SqliteStore) -> None:
    observation = lab("dec1", effective="2024-02-01T08:00:00Z")
    observation["valueQuantity"] = {"value": fhir_decimal(Decimal("1.50")), "unit": "mg/dL"}
    store.write_surface("labs", [observation], now=T0)
    for url in ("/fhir/Observation?_id=dec1", "/fhir/Observation?_id=dec1&_elements=value", "/fhir/Observation/dec1"):
        response = client.get(url, headers=AUTH)
        assert response.status_code == 200 and '"value":1.50,' in response.text, url
