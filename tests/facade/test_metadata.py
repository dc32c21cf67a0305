from starlette.testclient import TestClient

from gateway.search import SEARCHABLE_RESOURCE_TYPES, parameters_for
from tests.facade.conftest import BASE


def test_metadata_is_public_and_a_capability_statement(client: TestClient) -> None:
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json; charset=utf-8"
    body = response.json()
    assert (body["resourceType"], body["status"], body["kind"]) == ("CapabilityStatement", "active", "instance")
    assert (body["fhirVersion"], body["format"]) == ("4.0.1", ["json"])
    (rest,) = body["rest"]
    assert rest["mode"] == "server"
    assert rest["security"]["cors"] is False and "Bearer" in rest["security"]["description"]


def test_every_table_parameter_appears_in_the_capability_statement(client: TestClient) -> None:
    resources = {r["type"]: r for r in client.get("/fhir/metadata").json()["rest"][0]["resource"]}
    assert set(resources) == set(SEARCHABLE_RESOURCE_TYPES)
    for resource_type, entry in resources.items():
        assert [i["code"] for i in entry["interaction"]] == ["read", "search-type"]
        expected = [
            {"name": p.name, "type": p.type.value, "documentation": p.description}
            for p in parameters_for(resource_type)
        ]
        assert entry["searchParam"] == expected


def test_metadata_still_requires_a_loopback_host(client: TestClient) -> None:
    response = client.get(f"{BASE}/fhir/metadata", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert response.json()["issue"][0]["code"] == "security"
