import pytest
from starlette.testclient import TestClient

from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from tests.facade.conftest import AUTH, BASE, TOKEN


def _issue(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    assert body["resourceType"] == "OperationOutcome"
    return body["issue"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer "}],
)
def test_requests_without_the_right_bearer_token_get_401_login(client: TestClient, headers: dict[str, str]) -> None:
    for path in ("/fhir/Patient", "/fhir/Patient/p1", "/fhir?_type=Patient", "/fhir/Patient/p1/$everything"):
        response = client.get(path, headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert response.headers["content-type"] == "application/fhir+json; charset=utf-8"
        assert _issue(response)["code"] == "login"


def test_the_scheme_is_case_insensitive(client: TestClient) -> None:
    assert client.get("/fhir/Patient", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost", "LOCALHOST:1", "[::1]:8765"])
def test_without_a_configured_port_loopback_hosts_are_accepted_on_any_port(client: TestClient, host: str) -> None:
    assert client.get("/fhir/Patient", headers={**AUTH, "Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example:8765", "localhost.attacker", "", "[::1"])
def test_foreign_host_names_are_refused_with_421(client: TestClient, host: str) -> None:
    response = client.get("/fhir/Patient", headers={**AUTH, "Host": host})
    assert response.status_code == 421
    issue = _issue(response)
    assert issue["code"] == "security" and "DNS rebinding" in issue["diagnostics"]


@pytest.mark.parametrize(
    ("host", "status"),
    [
        ("127.0.0.1:8765", 200),
        ("localhost:8765", 200),
        ("[::1]:8765", 200),
        ("127.0.0.1:9999", 421),
        ("localhost", 421),
        ("127.0.0.1:x", 421),
    ],
)
def test_a_configured_port_must_be_named(store: SqliteStore, host: str, status: int) -> None:
    app = create_facade_app(store, FacadeSettings(token=TOKEN, port=8765))
    with TestClient(app, base_url=BASE) as client:
        assert client.get("/fhir/Patient", headers={**AUTH, "Host": host}).status_code == status


def test_allowed_hosts_are_configurable(store: SqliteStore) -> None:
    app = create_facade_app(store, FacadeSettings(token=TOKEN, allowed_hosts=("testserver",)))
    with TestClient(app) as client:
        assert client.get("/fhir/Patient", headers=AUTH).status_code == 200
        assert client.get("http://127.0.0.1/fhir/Patient", headers=AUTH).status_code == 421


def test_an_empty_token_is_refused_at_startup(store: SqliteStore) -> None:
    with (
        pytest.raises(ValueError, match="token"),
        TestClient(create_facade_app(store, FacadeSettings(token=""))) as client,
    ):
        client.get("/fhir/metadata")


def test_no_cors_headers_unless_configured(client: TestClient, store: SqliteStore) -> None:
    origin = {"Origin": "http://localhost:3000"}
    plain = client.get("/fhir/Patient", headers={**AUTH, **origin})
    assert not [h for h in plain.headers if h.lower().startswith("access-control-")]
    preflight_headers = {
        **origin,
        "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "authorization",
    }
    assert client.options("/fhir/Patient", headers=preflight_headers).status_code in (401, 405)

    app = create_facade_app(store, FacadeSettings(token=TOKEN, cors_origins=["http://localhost:3000"]))
    with TestClient(app, base_url=BASE) as cors_client:
        preflight = cors_client.options("/fhir/Patient", headers=preflight_headers)
        assert preflight.status_code == 200
        assert preflight.headers["access-control-allow-origin"] == "http://localhost:3000"
        allowed = cors_client.get("/fhir/Patient", headers={**AUTH, **origin})
        assert allowed.headers["access-control-allow-origin"] == "http://localhost:3000"
        other = cors_client.get("/fhir/Patient", headers={**AUTH, "Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in other.headers
        assert cors_client.get("/fhir/Patient", headers=origin).status_code == 401


def test_too_many_requests_in_flight_are_throttled(store: SqliteStore) -> None:
    app = create_facade_app(store, FacadeSettings(token=TOKEN, max_in_flight=0))
    with TestClient(app, base_url=BASE) as client:
        response = client.get("/fhir/Patient", headers=AUTH)
    assert response.status_code == 429 and response.headers["retry-after"] == "1"
    assert _issue(response)["code"] == "throttled"


def test_a_bracketed_host_must_be_followed_by_a_colon_and_port(client: TestClient) -> None:
    refused = client.get("/fhir/metadata", headers={"Host": "[::1]x8765"})
    assert refused.status_code == 421 and refused.json()["issue"][0]["code"] == "security"
