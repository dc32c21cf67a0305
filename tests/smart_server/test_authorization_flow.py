"""The authorization server over real HTTP, without a browser: discovery, the authorize request's checks,
the consent page's session and CSRF rules, the token endpoint's refusals, and tokens stored as digests."""

from __future__ import annotations

import base64
import hashlib
import logging
import re
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from urllib.parse import parse_qs, urlsplit

import httpx2
import pytest

from fhirgate.approval_wiring import login_link
from fhirgate.settings import Settings
from gateway.smart_server import RegisteredApp
from tests.smart_server.harness import REDIRECT_URI, SmartHome

VERIFIER = secrets.token_urlsafe(48)
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).decode().rstrip("=")


def _app(home: SmartHome, name: str) -> RegisteredApp:
    return home.smart.registry.add(name, [REDIRECT_URI], confidential=False).app


def _authorize_params(home: SmartHome, app: RegisteredApp, **changes: str) -> dict[str, str]:
    params = {
        "response_type": "code",
        "client_id": app.client_id,
        "redirect_uri": REDIRECT_URI,
        "scope": "launch/patient offline_access patient/Observation.rs",
        "state": "s-1",
        "aud": home.fhir_base,
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
    }
    return {**params, **changes}


@contextmanager
def _signed_in(home: SmartHome) -> Iterator[httpx2.Client]:
    with httpx2.Client(base_url=home.server.base_url) as http:
        assert http.get(home.login_link()).status_code == 303
        yield http


def _consent(home: SmartHome, http: httpx2.Client, app: RegisteredApp) -> tuple[str, str]:
    page = http.get("/smart/authorize", params=_authorize_params(home, app))
    assert page.status_code == 200, page.text
    action = re.search(r'action="(/smart/consent/[^"]+)"', page.text)
    csrf = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
    assert action and csrf
    return action.group(1), csrf.group(1)


def _code(home: SmartHome, app: RegisteredApp) -> str:
    with _signed_in(home) as http:
        action, csrf = _consent(home, http, app)
        back = http.post(action, data={"csrf": csrf, "action": "allow"})
    found = re.search(r'url=([^"]+)"', back.text)
    assert found, back.text
    query = parse_qs(urlsplit(found.group(1).replace("&amp;", "&")).query)
    assert query["state"] == ["s-1"]
    return query["code"][0]


def _exchange(home: SmartHome, app: RegisteredApp, code: str, verifier: str = VERIFIER) -> httpx2.Response:
    form = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT_URI,
        "client_id": app.client_id,
        "code_verifier": verifier,
    }
    return httpx2.post(f"{home.server.base_url}/oauth/token", data=form)


def test_discovery_lists_the_endpoints_and_capabilities(served: SmartHome) -> None:
    config = httpx2.get(f"{served.fhir_base}/.well-known/smart-configuration").json()
    base = served.server.base_url
    assert config["authorization_endpoint"] == f"{base}/smart/authorize"
    assert config["token_endpoint"] == f"{base}/oauth/token"
    assert config["revocation_endpoint"] == f"{base}/oauth/revoke"
    assert config["code_challenge_methods_supported"] == ["S256"]
    assert config["grant_types_supported"] == ["authorization_code", "refresh_token"]
    assert {"launch-standalone", "permission-v1", "permission-v2", "sso-openid-connect"} <= set(config["capabilities"])
    assert "patient/*.rs" in config["scopes_supported"]
    assert httpx2.get(config["jwks_uri"]).json()["keys"][0]["alg"] == "RS256"
    security = httpx2.get(f"{served.fhir_base}/metadata").json()["rest"][0]["security"]
    uris = {e["url"]: e["valueUri"] for e in security["extension"][0]["extension"]}
    assert uris == {
        "authorize": f"{base}/smart/authorize",
        "token": f"{base}/oauth/token",
        "revoke": f"{base}/oauth/revoke",
    }


def test_unknown_client_or_redirect_uri_is_shown_never_redirected(served: SmartHome) -> None:
    app = _app(served, "checked app")
    with _signed_in(served) as http:
        for changes in ({"client_id": "nobody"}, {"redirect_uri": "https://evil.example/cb"}):
            page = http.get("/smart/authorize", params=_authorize_params(served, app, **changes))
            assert page.status_code == 400 and "location" not in page.headers
        no_pkce = http.get("/smart/authorize", params=_authorize_params(served, app, code_challenge_method="plain"))
        assert no_pkce.status_code == 400 and "S256" in no_pkce.text


def test_without_a_session_the_page_says_how_to_sign_in_and_next_lands_on_the_consent(served: SmartHome) -> None:
    app = _app(served, "late sign-in app")
    with httpx2.Client(base_url=served.server.base_url) as http:
        page = http.get("/smart/authorize", params=_authorize_params(served, app))
        assert page.status_code == 401
        found = re.search(r"fhirgate open --next (/smart/consent/[\w-]+)", page.text)
        assert found
        landed = http.get(served.login_link(found.group(1)))
        assert landed.status_code == 303 and landed.headers["location"] == found.group(1)
        assert "Allow" in http.get(found.group(1)).text


def test_a_decision_needs_the_csrf_token(served: SmartHome) -> None:
    app = _app(served, "csrf app")
    with _signed_in(served) as http:
        action, _ = _consent(served, http, app)
        assert http.post(action, data={"csrf": "0" * 64, "action": "allow"}).status_code == 403


def test_a_code_works_once_with_its_verifier_and_tokens_are_stored_as_digests(served: SmartHome) -> None:
    app = _app(served, "code app")
    wrong = _exchange(served, app, _code(served, app), verifier=secrets.token_urlsafe(48))
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    code = _code(served, app)
    issued = _exchange(served, app, code)
    assert issued.status_code == 200, issued.text
    body = issued.json()
    assert (
        body["patient"] == served.patient_id and body["scope"] == "launch/patient offline_access patient/Observation.rs"
    )
    assert body["expires_in"] == 3600 and "refresh_token" in body and "id_token" not in body
    assert _exchange(served, app, code).status_code == 400
    database = served.smart_database
    with closing(sqlite3.connect(database)) as conn:
        dump = "\n".join(conn.iterdump())
    assert body["access_token"] not in dump and body["refresh_token"] not in dump
    assert hashlib.sha256(body["access_token"].encode()).hexdigest() in dump
    assert oct(database.stat().st_mode & 0o777) == "0o600"


def test_removing_an_app_ends_its_tokens(served: SmartHome) -> None:
    app = _app(served, "removed app")
    token = _exchange(served, app, _code(served, app)).json()["access_token"]
    headers = {"Authorization": f"Bearer {token}"}
    assert httpx2.get(f"{served.fhir_base}/Observation?_count=1", headers=headers).status_code == 200
    assert served.smart.registry.remove("removed app")
    assert httpx2.get(f"{served.fhir_base}/Observation?_count=1", headers=headers).status_code == 401


def test_open_next_link_lands_only_on_the_web_apps_own_pages(served: SmartHome) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(served.smart_database.parent)})
    with httpx2.Client() as http:
        consent = http.get(login_link(settings, served.server.base_url, next_page="/smart/consent/abc"))
        assert consent.status_code == 303 and consent.headers["location"] == "/smart/consent/abc"
        elsewhere = http.get(login_link(settings, served.server.base_url, next_page="//evil.example/x"))
        assert elsewhere.status_code == 303 and elsewhere.headers["location"] == "/approvals"


def test_token_endpoint_refusals_are_oauth_errors(served: SmartHome) -> None:
    token_url = f"{served.server.base_url}/oauth/token"
    garbled = httpx2.post(token_url, data={"grant_type": "refresh_token"}, headers={"Authorization": "Basic %%%"})
    assert garbled.status_code == 401 and garbled.json()["error"] == "invalid_client"
    app = _app(served, "grant type app")
    odd = httpx2.post(token_url, data={"grant_type": "password", "client_id": app.client_id})
    assert odd.status_code == 400 and odd.json()["error"] == "unsupported_grant_type"
    as_json = httpx2.post(token_url, json={"grant_type": "authorization_code"})
    assert as_json.status_code == 400 and as_json.json()["error"] == "invalid_request"
    assert garbled.headers["cache-control"] == "no-store"


def test_codes_tokens_and_secrets_never_reach_the_logs(served: SmartHome, caplog: pytest.LogCaptureFixture) -> None:
    added = served.smart.registry.add("logged app", [REDIRECT_URI], confidential=True)
    assert added.client_secret is not None
    basic = base64.b64encode(f"{added.app.client_id}:{added.client_secret}".encode()).decode()
    # httpx2's own logger is set here too: an earlier test in the session may have raised its level.
    with caplog.at_level(logging.DEBUG), caplog.at_level(logging.DEBUG, logger="httpx2"):
        code = _code(served, added.app)
        form = {
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": REDIRECT_URI,
            "code_verifier": VERIFIER,
        }
        issued = httpx2.post(
            f"{served.server.base_url}/oauth/token", data=form, headers={"Authorization": f"Basic {basic}"}
        ).json()
        headers = {"Authorization": f"Bearer {issued['access_token']}"}
        assert httpx2.get(f"{served.fhir_base}/Condition", headers=headers).status_code == 403
    logged = caplog.text + "".join(str(r.args) for r in caplog.records)
    assert "/oauth/token" in logged  # the requests themselves were logged
    for secret in (code, issued["access_token"], issued["refresh_token"], added.client_secret, VERIFIER):
        assert secret not in logged
