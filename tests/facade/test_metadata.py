from starlette.testclient import TestClient

from gateway.facade import FacadeSettings, create_facade_app
from gateway.search import READ_ONLY_TYPES, SEARCH_PARAMETERS, SERVED_RESOURCE_TYPES, SearchParamType, parameters_for
from gateway.store import SqliteStore
from tests.facade.conftest import BASE, TOKEN


def test_metadata_is_public_and_a_capability_statement(client: TestClient) -> None:
    response = client.get("/fhir/metadata")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/fhir+json; charset=utf-8"
    body = response.json()
    assert (body["resourceType"], body["status"], body["kind"]) == ("CapabilityStatement", "active", "instance")
    assert (body["fhirVersion"], body["format"]) == ("4.0.1", ["json"])
    (rest,) = body["rest"]
    assert rest["mode"] == "server"
    assert rest["interaction"] == [{"code": "search-system"}]
    security = rest["security"]
    assert security["cors"] is False and "Bearer" in security["description"]
    (service,) = security["service"]
    assert service["coding"][0]["code"] == "SMART-on-FHIR"


def test_every_type_parameter_include_and_operation_comes_from_the_table(client: TestClient) -> None:
    resources = {r["type"]: r for r in client.get("/fhir/metadata").json()["rest"][0]["resource"]}
    assert list(resources) == [*SERVED_RESOURCE_TYPES, "ConceptMap"]
    assert resources.pop("ConceptMap")["interaction"] == [{"code": "read"}]
    for resource_type, entry in resources.items():
        codes = [i["code"] for i in entry["interaction"]]
        if resource_type in READ_ONLY_TYPES:
            assert codes == ["read", "vread", "history-instance"] and "searchParam" not in entry
            continue
        assert codes == ["read", "vread", "history-instance", "search-type"]
        expected = [
            {"name": p.name, "type": p.type.value, "documentation": p.description}
            for p in parameters_for(resource_type)
        ]
        assert entry["searchParam"] == expected
        references = [p.name for p in parameters_for(resource_type) if p.type is SearchParamType.REFERENCE]
        assert entry["searchInclude"] == [f"{resource_type}:{name}" for name in references] + ["*"] * bool(references)
        assert "Provenance:target" in entry["searchRevInclude"]
    assert resources["Patient"]["operation"][0]["name"] == "everything"
    total_params = sum(len(r.get("searchParam", [])) for r in resources.values())
    per_type = sum(len(parameters_for(t)) for t in SERVED_RESOURCE_TYPES if t not in READ_ONLY_TYPES)
    assert total_params == per_type and len(SEARCH_PARAMETERS) > 200


def test_cors_flag_follows_configuration(store: SqliteStore) -> None:
    app = create_facade_app(store, FacadeSettings(token=TOKEN, cors_origins=["http://localhost:3000"]))
    with TestClient(app, base_url=BASE) as client:
        assert client.get("/fhir/metadata").json()["rest"][0]["security"]["cors"] is True


def test_smart_configuration_is_public_and_offers_no_oauth(client: TestClient) -> None:
    for path in ("/.well-known/smart-configuration", "/fhir/.well-known/smart-configuration"):
        response = client.get(path)
        assert response.status_code == 200
        body = response.json()
        assert body["grant_types_supported"] == [] and "token_endpoint" not in body
        assert body["fhirgate_authentication"]["type"] == "static-bearer-token"


def test_metadata_still_requires_a_loopback_host(client: TestClient) -> None:
    response = client.get(f"{BASE}/fhir/metadata", headers={"Host": "evil.example"})
    assert response.status_code == 421
    assert response.json()["issue"][0]["code"] == "security"
