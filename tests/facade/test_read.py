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


def test_unknown_id_is_404_not_found(client: TestClient) -> None:
    response = client.get("/fhir/Patient/nobody", headers=AUTH)
    assert response.status_code == 404
    assert response.json()["issue"][0]["code"] == "not-found"


def test_unknown_type_is_404_not_supported(client: TestClient) -> None:
    for path in ("/fhir/Spaceship/1", "/fhir/Spaceship"):
        response = client.get(path, headers=AUTH)
        assert response.status_code == 404
        assert response.json()["issue"][0]["code"] == "not-supported"


def test_unmatched_paths_are_404_operation_outcomes(client: TestClient) -> None:
    response = client.get("/fhir/Patient/p1/_history/1", headers=AUTH)
    assert response.status_code == 404
    assert response.json()["resourceType"] == "OperationOutcome"


def test_other_methods_are_405_operation_outcomes(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH"):
        response = client.request(method, "/fhir/Patient/p1", headers=AUTH)
        assert response.status_code == 405
        assert response.json()["issue"][0]["code"] == "not-supported"
        assert "GET" in response.headers["allow"]
