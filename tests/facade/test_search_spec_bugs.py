"""The five search bugs a differential run against an independent R4 matcher found (issue 16), each a named
test over real HTTP (uvicorn on 127.0.0.1, httpx2)."""

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

TOKEN = "spec-bugs-token-0123456789"
UCUM = "http://unitsofmeasure.org"


def _binary() -> dict[str, Any]:
    return {"resourceType": "Binary", "id": "pdf1", "contentType": "application/pdf", "data": "JVBERi0="}


def _provenance() -> dict[str, Any]:
    return {
        "resourceType": "Provenance",
        "id": "prov-bin",
        "target": [{"reference": "Binary/pdf1"}, {"reference": "Observation/wbc"}],
        "recorded": "2024-05-01T12:00:00Z",
        "agent": [{"who": {"reference": "Organization/kp"}}],
    }


def _observations() -> list[dict[str, Any]]:
    wbc = lab("wbc", code="26464-8")
    wbc["valueQuantity"] = {"value": 6.1, "unit": "K/uL", "system": UCUM, "code": "10*3/uL"}
    glucose = lab("glu")
    glucose["valueQuantity"] = {"value": 6.1, "unit": "mmol/L", "system": UCUM, "code": "mmol/L"}
    return [wbc, glucose]


def _orders() -> list[dict[str, Any]]:
    def order(order_id: str, occurrence: dict[str, Any]) -> dict[str, Any]:
        return {
            "resourceType": "ServiceRequest",
            "id": order_id,
            "status": "active",
            "intent": "order",
            "subject": {"reference": "Patient/p1"},
            **occurrence,
        }

    window = {"start": "2025-03-01", "end": "2025-09-30"}
    return [
        order("standing", {"occurrenceTiming": {"repeat": {"boundsPeriod": window, "count": 6}}}),
        order("once", {"occurrencePeriod": {"start": "2024-01-10", "end": "2024-02-10"}}),
        order("events", {"occurrenceTiming": {"event": ["2026-04-01T09:00:00Z", "2026-05-01T09:00:00Z"]}}),
        order("undated", {}),
    ]


def _messages() -> list[dict[str, Any]]:
    logical = {"identifier": {"system": "urn:fhirgate:kaiser:nca:message-user", "value": "U-77"}, "display": "Dr X"}
    return [
        {
            "resourceType": "Communication",
            "id": "msg-in",
            "status": "completed",
            "subject": {"reference": "Patient/p1"},
            "sender": logical,
            "recipient": [{"reference": "Patient/p1"}],
        },
        {
            "resourceType": "Communication",
            "id": "msg-bare",
            "status": "completed",
            "subject": {"reference": "Patient/p1"},
        },
    ]


@pytest.fixture(scope="module")
def http(tmp_path_factory: pytest.TempPathFactory) -> Iterator[httpx2.Client]:
    store = SqliteStore.open(Path(tmp_path_factory.mktemp("bugs")) / "store.db")
    organization = {"resourceType": "Organization", "id": "kp", "name": "Kaiser Permanente"}
    resources = [patient(), _binary(), _provenance(), organization, *_observations(), *_orders(), *_messages()]
    store.write_surface("everything", resources, now=T0)
    port = free_port()
    with (
        serve_in_thread(create_facade_app(store, FacadeSettings(token=TOKEN, port=port)), port=port) as server,
        httpx2.Client(base_url=f"{server.base_url}/fhir", headers={"Authorization": f"Bearer {TOKEN}"}) as client,
    ):
        yield client
    store.close()


def _ids(response: httpx2.Response, mode: str = "match") -> list[str]:
    assert response.status_code == 200, response.text
    return [e["resource"]["id"] for e in response.json().get("entry", []) if e["search"]["mode"] == mode]


def test_post_patient_everything_is_the_operation_not_405(http: httpx2.Client) -> None:
    got = _ids(http.get("/Patient/p1/$everything"))
    assert "p1" in got and "wbc" in got
    assert sorted(_ids(http.post("/Patient/p1/$everything"))) == sorted(got)
    form = http.post("/Patient/p1/$everything", data={"_type": "Observation"})
    assert sorted(_ids(form)) == ["glu", "wbc"]
    parameters = {"resourceType": "Parameters", "parameter": [{"name": "_type", "valueString": "ServiceRequest"}]}
    posted = http.post("/Patient/p1/$everything", json=parameters, headers={"Content-Type": "application/fhir+json"})
    assert sorted(_ids(posted)) == ["events", "once", "standing", "undated"]
    deep = http.post("/Patient/p1/$everything", content=b"[" * 100_000, headers={"Content-Type": "application/json"})
    assert deep.status_code == 400 and deep.json()["issue"][0]["code"] == "invalid"
    unknown = http.post("/Patient/p1/$everything", data={"color": "red"})
    assert unknown.status_code == 400


def test_binary_is_a_valid_provenance_target_and_included(http: httpx2.Client) -> None:
    assert _ids(http.get("/Provenance", params={"target": "Binary/pdf1"})) == ["prov-bin"]
    assert _ids(http.get("/Provenance", params={"target:Binary": "pdf1"})) == ["prov-bin"]
    included = http.get("/Provenance", params={"_include": "Provenance:target"})
    assert sorted(_ids(included, "include")) == ["pdf1", "wbc"]
    only_binaries = http.get("/Provenance", params={"_include": "Provenance:target:Binary"})
    assert _ids(only_binaries, "include") == ["pdf1"]


def test_value_quantity_code_or_unit_matches_quantity_unit(http: httpx2.Client) -> None:
    assert _ids(http.get("/Observation", params={"value-quantity": "6.1||K/uL"})) == ["wbc"]  # Quantity.unit
    assert _ids(http.get("/Observation", params={"value-quantity": "6.1||10*3/uL"})) == ["wbc"]  # Quantity.code
    assert _ids(http.get("/Observation", params={"value-quantity": f"6.1|{UCUM}|10*3/uL"})) == ["wbc"]
    assert _ids(http.get("/Observation", params={"value-quantity": f"6.1|{UCUM}|K/uL"})) == []  # K/uL is no UCUM code
    assert sorted(_ids(http.get("/Observation", params={"value-quantity": "6.1"}))) == ["glu", "wbc"]


def test_service_request_occurrence_timing_is_searched_by_its_bounds(http: httpx2.Client) -> None:
    assert _ids(http.get("/ServiceRequest", params={"occurrence": "2025"})) == ["standing"]
    assert _ids(http.get("/ServiceRequest", params={"occurrence": "ge2026-04-15"})) == ["events"]
    assert _ids(http.get("/ServiceRequest", params={"occurrence:missing": "true"})) == ["undated"]
    ordered = _ids(http.get("/ServiceRequest", params={"_sort": "occurrence"}))
    assert ordered == ["once", "standing", "events", "undated"]


def test_identifier_only_reference_is_not_missing_and_searchable_with_identifier(http: httpx2.Client) -> None:
    assert _ids(http.get("/Communication", params={"sender:missing": "true"})) == ["msg-bare"]
    assert _ids(http.get("/Communication", params={"sender:missing": "false"})) == ["msg-in"]
    by_identifier = {"sender:identifier": "urn:fhirgate:kaiser:nca:message-user|U-77"}
    assert _ids(http.get("/Communication", params=by_identifier)) == ["msg-in"]
    assert _ids(http.get("/Communication", params={"sender:identifier": "U-78"})) == []
    assert _ids(http.get("/Communication", params={"sender": "U-77"})) == []  # an id, never the identifier
