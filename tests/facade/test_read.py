import base64
from datetime import timedelta

import pytest
from starlette.testclient import TestClient

from gateway.store import SqliteStore
from tests.facade.conftest import AUTH, T0
from tests.store.sample_resources import patient


def test_read_serves_the_stored_text_with_etag_and_last_modified(client: TestClient, store: SqliteStore) -> None:
    store.write_surface("profile", [patient()], now=T0)
    response = client.get("/fhir/Patient/p1", headers=AUTH)
    assert response.status_code == 200
    stored = store.read("Patient", "p1")
    assert stored is not None
    assert response.content == stored.json_text.encode()
    assert response.headers["etag"] == 'W/"1"'
    assert response.headers["last-modified"] == "Wed, 01 May 2024 12:00:00 GMT"
    assert response.headers["content-type"] == "application/fhir+json; charset=utf-8"


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"If-None-Match": 'W/"2"'}, 304),
        ({"If-None-Match": '"2"'}, 304),
        ({"If-None-Match": 'W/"1", W/"2"'}, 304),
        ({"If-None-Match": "*"}, 304),
        ({"If-None-Match": 'W/"1"'}, 200),
        ({"If-Modified-Since": "Wed, 01 May 2024 13:00:00 GMT"}, 304),
        ({"If-Modified-Since": "Wed, 01 May 2024 14:00:00 GMT"}, 304),
        ({"If-Modified-Since": "Wed, 01 May 2024 12:59:59 GMT"}, 200),
        ({"If-Modified-Since": "not a date"}, 200),
        ({"If-None-Match": 'W/"1"', "If-Modified-Since": "Wed, 01 May 2024 14:00:00 GMT"}, 200),
    ],
)
def test_conditional_reads(client: TestClient, store: SqliteStore, headers: dict[str, str], status: int) -> None:
    store.write_surface("profile", [patient()], now=T0)
    store.write_surface("profile", [patient(family="Schmidt")], now=T0 + timedelta(hours=1))
    response = client.get("/fhir/Patient/p1", headers={**AUTH, **headers})
    assert response.status_code == status
    assert response.headers["etag"] == 'W/"2"'
    if status == 304:
        assert response.content == b""


def test_vread_and_history_keep_prior_versions(client: TestClient, store: SqliteStore) -> None:
    store.write_surface("profile", [patient()], now=T0)
    store.write_surface("profile", [patient(family="Schmidt")], now=T0 + timedelta(hours=1))
    first = client.get("/fhir/Patient/p1/_history/1", headers=AUTH)
    assert first.status_code == 200 and first.headers["etag"] == 'W/"1"'
    assert first.json()["name"][0]["family"] == "Müller" and first.json()["meta"]["versionId"] == "1"
    assert client.get("/fhir/Patient/p1/_history/2", headers=AUTH).json()["name"][0]["family"] == "Schmidt"
    for missing in ("/fhir/Patient/p1/_history/3", "/fhir/Patient/p1/_history/x", "/fhir/Patient/nobody/_history"):
        response = client.get(missing, headers=AUTH)
        assert response.status_code == 404 and response.json()["issue"][0]["code"] == "not-found"
    history = client.get("/fhir/Patient/p1/_history", headers=AUTH).json()
    assert (history["type"], history["total"]) == ("history", 2)
    assert [e["resource"]["meta"]["versionId"] for e in history["entry"]] == ["2", "1"]
    assert [e["response"]["etag"] for e in history["entry"]] == ['W/"2"', 'W/"1"']


def test_summary_and_elements_on_read(client: TestClient, store: SqliteStore) -> None:
    resource = patient()
    resource["text"] = {"status": "generated", "div": '<div xmlns="http://www.w3.org/1999/xhtml">Ana</div>'}
    store.write_surface("profile", [resource], now=T0)
    data = client.get("/fhir/Patient/p1?_summary=data", headers=AUTH).json()
    assert "text" not in data and data["name"] and data["meta"]["tag"][0]["code"] == "SUBSETTED"
    text = client.get("/fhir/Patient/p1?_summary=text", headers=AUTH).json()
    assert set(text) == {"resourceType", "id", "meta", "text"}
    summary = client.get("/fhir/Patient/p1?_summary=true", headers=AUTH).json()
    assert {"name", "gender", "birthDate", "identifier"} <= set(summary) and "text" not in summary
    elements = client.get("/fhir/Patient/p1?_elements=gender", headers=AUTH).json()
    assert set(elements) == {"resourceType", "id", "meta", "gender"}


def test_binary_content_negotiation(client: TestClient, store: SqliteStore) -> None:
    pdf = b"%PDF-1.4 synthetic"
    binary = {
        "resourceType": "Binary",
        "id": "b1",
        "contentType": "application/pdf",
        "data": base64.b64encode(pdf).decode(),
    }
    store.write_surface("documents", [binary], now=T0)
    raw = client.get("/fhir/Binary/b1", headers={**AUTH, "Accept": "application/pdf"})
    assert raw.status_code == 200 and raw.content == pdf
    assert raw.headers["content-type"] == "application/pdf"
    assert raw.headers["x-content-type-options"] == "nosniff" and raw.headers["etag"] == 'W/"1"'
    assert client.get("/fhir/Binary/b1", headers=AUTH).content == pdf  # no Accept: the content itself
    as_json = client.get("/fhir/Binary/b1", headers={**AUTH, "Accept": "application/fhir+json"})
    assert as_json.json()["resourceType"] == "Binary"
    assert client.get("/fhir/Binary/b1?_format=json", headers=AUTH).json()["contentType"] == "application/pdf"
    search = client.get("/fhir/Binary", headers=AUTH)
    assert search.status_code == 404 and "read only" in search.json()["issue"][0]["diagnostics"]


def test_unknown_id_is_404_not_found(client: TestClient) -> None:
    response = client.get("/fhir/Patient/nobody", headers=AUTH)
    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"


def test_unknown_type_is_404_not_supported(client: TestClient) -> None:
    for path in ("/fhir/Spaceship/1", "/fhir/Spaceship", "/fhir/Spaceship/1/_history"):
        response = client.get(path, headers=AUTH)
        assert response.status_code == 404
        assert response.json()["issue"][0]["code"] == "not-supported"


def test_unmatched_paths_are_404_operation_outcomes(client: TestClient) -> None:
    response = client.get("/fhir/Patient/p1/_history/1/extra", headers=AUTH)
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


@pytest.mark.parametrize("path", ["/fhir/Patient/p1", "/fhir/Patient", "/fhir"])
def test_writes_are_405_operation_outcomes(client: TestClient, path: str) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        if method == "POST" and path == "/fhir/Patient":
            continue
        response = client.request(method, path, headers=AUTH)
        assert response.status_code == 405
        assert response.json()["issue"][0]["code"] == "not-supported"
        assert "read-only" in response.json()["issue"][0]["diagnostics"]
        assert "GET" in response.headers["allow"]
    if path == "/fhir/Patient":
        assert client.post(path, headers=AUTH, json={"resourceType": "Patient"}).status_code == 405


@pytest.mark.parametrize(
    ("query", "headers"),
    [
        ("?_format=xml", {}),
        ("?_format=application/fhir%2Bxml", {}),
        ("", {"Accept": "application/fhir+xml"}),
        ("", {"Accept": "application/xml, text/xml"}),
    ],
)
def test_xml_is_406_not_supported(client: TestClient, store: SqliteStore, query: str, headers: dict[str, str]) -> None:
    store.write_surface("profile", [patient()], now=T0)
    for path in ("/fhir/Patient/p1", "/fhir/Patient", "/fhir/Patient/p1/$everything"):
        response = client.get(path + query, headers={**AUTH, **headers})
        assert response.status_code == 406
        assert response.headers["content-type"] == "application/fhir+json; charset=utf-8"
        assert response.json()["issue"][0]["code"] == "not-supported"


@pytest.mark.parametrize(
    "accept", ["application/fhir+json", "application/json", "*/*", "application/fhir+xml;q=0.5, application/json"]
)
def test_json_accept_headers_and_format_json_are_served(client: TestClient, store: SqliteStore, accept: str) -> None:
    store.write_surface("profile", [patient()], now=T0)
    assert client.get("/fhir/Patient/p1", headers={**AUTH, "Accept": accept}).status_code == 200
    assert client.get("/fhir/Patient?_format=json", headers=AUTH).status_code == 200
