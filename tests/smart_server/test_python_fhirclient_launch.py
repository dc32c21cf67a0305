"""The python ``fhirclient`` package completes a standalone launch against the facade, the person
approving on the consent page in real headless Chromium; then it reads within its scopes, is refused
outside them, refreshes (the old refresh token then fails) and loses access on revocation."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from fhirclient.client import FHIRClient
from joserfc import jwt
from joserfc.jwk import KeySet
from playwright.sync_api import Browser, Page, Route, sync_playwright

from gateway.kaiser.browser import find_browser, launch_args
from tests.smart_server.harness import REDIRECT_URI, SmartHome, smart_home

pytestmark = pytest.mark.browser

SCOPES = "launch/patient openid fhirUser offline_access patient/Patient.read patient/Observation.rs"


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SmartHome]:
    with smart_home(Path(tmp_path_factory.mktemp("smart"))) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=find_browser(None), headless=True, args=launch_args())
        try:
            yield launched
        finally:
            launched.close()


def _signed_in_page(home: SmartHome, browser: Browser) -> Page:
    page = browser.new_context().new_page()
    page.goto(home.login_link())
    assert page.url.endswith("/approvals"), page.url

    def app_callback(route: Route) -> None:  # the app's redirect URI: nothing listens there
        route.fulfill(status=200, body="back in the app", content_type="text/plain")

    page.route(f"{REDIRECT_URI}**", app_callback)
    return page


def _launch(
    home: SmartHome, browser: Browser, settings: dict[str, Any], *, button: str = "Allow"
) -> tuple[FHIRClient, str]:
    client = FHIRClient(settings={**settings, "api_base": home.fhir_base, "redirect_uri": REDIRECT_URI})
    page = _signed_in_page(home, browser)
    page.goto(client.authorize_url)
    assert page.get_by_role("heading").first.inner_text().startswith("Allow “")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"{REDIRECT_URI}?*")
    return client, page.url


def _get(home: SmartHome, path: str, token: str) -> httpx2.Response:
    return httpx2.get(f"{home.fhir_base}/{path}", headers={"Authorization": f"Bearer {token}"}, timeout=30)


def test_public_app_launches_reads_in_scope_refreshes_and_is_revoked(home: SmartHome, browser: Browser) -> None:
    app = home.smart.registry.add("Chart viewer", [REDIRECT_URI], confidential=False).app
    client, callback = _launch(home, browser, {"app_id": app.client_id, "scope": SCOPES})
    client.handle_callback(callback)
    assert client.ready
    assert client.patient_id == home.patient_id

    token = client.server.auth.access_token
    id_token = (client.launch_context or {}).get("id_token")  # the token response, as fhirclient keeps it
    assert id_token
    config = httpx2.get(f"{home.server.base_url}/.well-known/smart-configuration").json()
    keys = KeySet.import_key_set(httpx2.get(config["jwks_uri"]).json())
    claims = jwt.decode(id_token, keys).claims
    assert claims["fhirUser"] == f"{home.fhir_base}/Patient/{home.patient_id}"
    assert claims["aud"] == app.client_id

    observations = client.server.request_json("Observation?_count=5")
    assert observations["resourceType"] == "Bundle" and observations["entry"]
    assert client.server.request_json(f"Patient/{home.patient_id}")["id"] == home.patient_id

    refused = _get(home, "Condition", token)
    assert refused.status_code == 403
    assert refused.json()["issue"][0]["code"] == "forbidden"

    old_refresh = client.server.auth.refresh_token
    client.reauthorize()
    new_token = client.server.auth.access_token
    assert new_token != token and client.server.auth.refresh_token != old_refresh
    reused = httpx2.post(
        config["token_endpoint"],
        data={"grant_type": "refresh_token", "refresh_token": old_refresh, "client_id": app.client_id},
    )
    assert reused.status_code == 400 and reused.json()["error"] == "invalid_grant"
    assert _get(home, "Observation?_count=1", new_token).status_code == 200

    revoked = httpx2.post(
        config["revocation_endpoint"], data={"token": client.server.auth.refresh_token, "client_id": app.client_id}
    )
    assert revoked.status_code == 200
    assert _get(home, "Observation?_count=1", new_token).status_code == 401
    after = httpx2.post(
        config["token_endpoint"],
        data={
            "grant_type": "refresh_token",
            "refresh_token": client.server.auth.refresh_token,
            "client_id": app.client_id,
        },
    )
    assert after.status_code == 400


def test_confidential_app_authenticates_with_its_secret(home: SmartHome, browser: Browser) -> None:
    added = home.smart.registry.add("Server app", [REDIRECT_URI], confidential=True)
    assert added.client_secret is not None
    settings = {"app_id": added.app.client_id, "app_secret": added.client_secret, "scope": "patient/*.read"}
    client, callback = _launch(home, browser, settings)
    client.handle_callback(callback)
    assert client.server.request_json("Condition?_count=1")["resourceType"] == "Bundle"

    wrong = base64.b64encode(f"{added.app.client_id}:not-the-secret".encode()).decode()
    answer = httpx2.post(
        f"{home.server.base_url}/oauth/token",
        data={"grant_type": "refresh_token", "refresh_token": "x"},
        headers={"Authorization": f"Basic {wrong}"},
    )
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


def test_denied_consent_sends_the_app_access_denied(home: SmartHome, browser: Browser) -> None:
    app = home.smart.registry.add("Denied app", [REDIRECT_URI], confidential=False).app
    _, callback = _launch(home, browser, {"app_id": app.client_id, "scope": SCOPES}, button="Deny")
    assert "error=access_denied" in callback and "code=" not in callback
