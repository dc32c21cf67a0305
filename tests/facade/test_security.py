import pytest
from starlette.testclient import TestClient

from gateway.facade import create_facade_app
from gateway.store import SqliteStore
from tests.facade.conftest import AUTH, TOKEN


def _issue(response: object) -> dict[str, str]:
    body = response.json()  # type: ignore[attr-defined]
    assert body["resourceType"] == "OperationOutcome"
    return body["issue"][0]  # type: ignore[no-any-return]


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}, {"Authorization": "Bearer "}],
)
def test_requests_without_the_right_bearer_token_get_401_login(client: TestClient, headers: dict[str, str]) -> None:
    response = client.get("/fhir/Patient", headers=headers)
    assert response.status_code == 401
    assert response.headers["www-authenticate"].startswith("Bearer")
    assert response.headers["content-type"] == "application/fhir+json; charset=utf-8"
    assert _issue(response)["code"] == "login"


def test_the_scheme_is_case_insensitive(client: TestClient) -> None:
    assert client.get("/fhir/Patient", headers={"Authorization": f"bearer {TOKEN}"}).status_code == 200


@pytest.mark.parametrize("host", ["127.0.0.1:8765", "localhost", "LOCALHOST:1", "[::1]:8765"])
def test_loopback_hosts_are_accepted_on_any_port(client: TestClient, host: str) -> None:
    assert client.get("/fhir/Patient", headers={**AUTH, "Host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "127.0.0.1.evil.example:8765", "localhost.attacker", ""])
def test_foreign_host_names_are_refused_as_dns_rebinding(client: TestClient, host: str) -> None:
    response = client.get("/fhir/Patient", headers={**AUTH, "Host": host})
    assert response.status_code == 400
    issue = _issue(response)
    assert issue["code"] == "security" and "DNS rebinding" in issue["diagnostics"]


def test_allowed_hosts_are_configurable(store: SqliteStore) -> None:
    app = create_facade_app(store, token=TOKEN, allowed_hosts=("testserver",))
    with TestClient(app) as client:
        assert client.get("/fhir/Patient", headers=AUTH).status_code == 200
        assert client.get("http://127.0.0.1/fhir/Patient", headers=AUTH).status_code == 400


def test_an_empty_token_is_refused_at_startup(store: SqliteStore) -> None:
    with pytest.raises(ValueError, match="token"), TestClient(create_facade_app(store, token="")) as client:
        client.get("/fhir/metadata")
