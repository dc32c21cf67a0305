import json
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from starlette.testclient import TestClient

from gateway.store import SqliteStore
from tests.facade.conftest import AUTH, BASE, T0
from tests.store.sample_resources import lab, medication_request, patient


@pytest.fixture
def seeded(store: SqliteStore) -> SqliteStore:
    store.write_surface("profile", [patient()], now=T0)
    labs = [lab(f"o{i:02d}", effective=f"2024-02-{i + 1:02d}T08:00:00Z") for i in range(23)]
    store.write_surface("labs", [*labs, lab("old", effective="2023-06-01")], now=T0)
    store.write_surface("meds", [medication_request("m1"), medication_request("m2", status="stopped")], now=T0)
    return store


def _get(client: TestClient, url: str, headers: dict[str, str] = AUTH) -> dict[str, Any]:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/fhir+json; charset=utf-8"
    return response.json()  # type: ignore[no-any-return]


def test_searchset_bundle_shape(client: TestClient, seeded: SqliteStore) -> None:
    bundle = _get(client, "/fhir/MedicationRequest?patient=p1&status=active")
    assert (bundle["resourceType"], bundle["type"], bundle["total"]) == ("Bundle", "searchset", 1)
    assert bundle["link"] == [
        {"relation": "self", "url": f"{BASE}/fhir/MedicationRequest?patient=p1&status=active&_count=50"}
    ]
    (entry,) = bundle["entry"]
    assert entry["fullUrl"] == f"{BASE}/fhir/MedicationRequest/m1"
    assert entry["search"] == {"mode": "match"}
    stored = seeded.read("MedicationRequest", "m1")
    assert stored is not None and entry["resource"] == json.loads(stored.json_text)


def test_an_empty_result_has_no_entry_array(client: TestClient, seeded: SqliteStore) -> None:
    bundle = _get(client, "/fhir/Observation?code=nothing")
    assert bundle["total"] == 0 and "entry" not in bundle


def test_following_next_links_returns_every_match_once(client: TestClient, seeded: SqliteStore) -> None:
    url: str | None = (
        "/fhir/Observation?patient=Patient/p1&category=laboratory&date=ge2024-01-01&_count=5&_total=accurate"
    )
    seen: list[str] = []
    pages = 0
    while url is not None:
        bundle = _get(client, url)
        pages += 1
        assert bundle["total"] == 23
        seen += [e["resource"]["id"] for e in bundle["entry"] if e["search"]["mode"] == "match"]
        links = {link["relation"]: link["url"] for link in bundle["link"]}
        url = links.get("next")
        if url is not None:
            assert url.startswith(f"{BASE}/fhir/Observation?") and "_cursor" in parse_qs(urlsplit(url).query)
    assert pages == 5
    assert sorted(seen) == [f"o{i:02d}" for i in range(23)] and len(seen) == 23


def test_unknown_parameter_is_400_naming_it(client: TestClient, seeded: SqliteStore) -> None:
    response = client.get("/fhir/Observation?colour=red", headers=AUTH)
    assert response.status_code == 400
    issue = response.json()["issue"][0]
    assert issue["code"] == "not-supported" and "colour" in issue["diagnostics"]


def test_prefer_lenient_ignores_unknown_parameters_with_a_warning(client: TestClient, seeded: SqliteStore) -> None:
    bundle = _get(client, "/fhir/MedicationRequest?colour=red&status=active", {**AUTH, "Prefer": "handling=lenient"})
    assert bundle["total"] == 1
    (outcome,) = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert "colour" in outcome["resource"]["issue"][0]["diagnostics"]
    assert "colour" not in bundle["link"][0]["url"]


@pytest.mark.parametrize("query", ["date=notadate", "_count=abc", "_cursor=garbage", "patient=Group/1"])
def test_bad_values_are_400_invalid(client: TestClient, seeded: SqliteStore, query: str) -> None:
    response = client.get(f"/fhir/Observation?{query}", headers=AUTH)
    assert response.status_code == 400
    assert response.json()["issue"][0]["code"] == "invalid"


def test_a_partial_surface_adds_a_warning_outcome_entry(client: TestClient, store: SqliteStore) -> None:
    store.write_surface("labs", [lab("o1")], problems=["result 77 skipped: no code"], now=T0)
    store.write_surface("meds", [medication_request("m1")], now=T0)
    bundle = _get(client, "/fhir/Observation")
    assert bundle["total"] == 1
    outcomes = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert len(outcomes) == 1
    issue = outcomes[0]["resource"]["issue"][0]
    assert (issue["severity"], issue["code"]) == ("warning", "incomplete")
    assert "labs" in issue["diagnostics"] and "result 77 skipped" in issue["diagnostics"]
    meds = _get(client, "/fhir/MedicationRequest")
    assert all(e["search"]["mode"] == "match" for e in meds["entry"])


def test_a_failed_sync_is_reported_as_stale_data(client: TestClient, store: SqliteStore) -> None:
    store.write_surface("meds", [medication_request("m1")], now=T0)
    store.record_surface_failure("meds", "HTTP 503 from portal", now=T0 + timedelta(hours=1))
    bundle = _get(client, "/fhir/MedicationRequest")
    (outcome,) = [e for e in bundle["entry"] if e["search"]["mode"] == "outcome"]
    assert "HTTP 503" in outcome["resource"]["issue"][0]["diagnostics"]
