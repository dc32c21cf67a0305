"""The sandbox EHR's authorization server: authorize checks, login, token endpoint, rotation, revocation."""

from __future__ import annotations

import base64
import hashlib
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlencode

import httpx2
import pytest

from sandbox.ehr import EhrApp
from tests.sandbox.ehr.ehr_harness import (
    CLIENT_SECRET,
    ORIGIN,
    REDIRECT_URI,
    consent_by_form,
    ehr_in_process,
    in_process,
)

VERIFIER = "v" * 64
CHALLENGE = base64.urlsafe_b64encode(hashlib.sha256(VERIFIER.encode()).digest()).rstrip(b"=").decode()
TOKEN_URL = f"{ORIGIN}/oauth/oauth2/token"


@pytest.fixture
async def ehr(tmp_path: Path) -> AsyncIterator[EhrApp]:
    with ehr_in_process(tmp_path) as app:
        yield app


def _authorize(ehr: EhrApp, **overrides: str) -> str:
    params = {
        "response_type": "code",
        "client_id": "app-public",
        "redirect_uri": REDIRECT_URI,
        "scope": "launch/patient openid fhirUser offline_access patient/*.read",
        "state": "s-123",
        "aud": ehr.fhir_base(ORIGIN),
        "code_challenge": CHALLENGE,
        "code_challenge_method": "S256",
        **overrides,
    }
    return f"{ORIGIN}/oauth/oauth2/authorize?{urlencode(params)}"


async def _code(ehr: EhrApp, **overrides: str) -> str:
    redirect = await consent_by_form(_authorize(ehr, **overrides), in_process(ehr))
    return httpx2.URL(redirect).params["code"]


async def _post(ehr: EhrApp, url: str, data: dict[str, str], **kwargs: object) -> httpx2.Response:
    async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
        return await http.post(url, data=data, **kwargs)  # type: ignore[arg-type]


async def test_unknown_client_and_unregistered_redirect_are_shown_not_redirected(ehr: EhrApp) -> None:
    async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
        unknown = await http.get(_authorize(ehr, client_id="nobody"))
        bad_redirect = await http.get(_authorize(ehr, redirect_uri="https://attacker.example/cb"))
        other_port = await http.get(_authorize(ehr, redirect_uri="http://127.0.0.1:41234/callback"))
    assert unknown.status_code == 400 and "not registered" in unknown.text
    assert bad_redirect.status_code == 400 and "location" not in bad_redirect.headers
    assert other_port.status_code == 200  # loopback redirects may use any port (RFC 8252)


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"code_challenge_method": "plain"}, "PKCE"),
        ({"code_challenge": ""}, "PKCE"),
        ({"aud": "https://elsewhere.example/fhir"}, "aud"),
        ({"response_type": "token"}, "unsupported_response_type"),
    ],
)
async def test_bad_authorize_requests_go_back_to_the_app_with_an_error(
    ehr: EhrApp, overrides: dict[str, str], error: str
) -> None:
    async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
        answer = await http.get(_authorize(ehr, **overrides))
    assert answer.status_code == 302
    location = httpx2.URL(answer.headers["location"])
    assert location.params["state"] == "s-123" and error in str(location)


async def test_wrong_password_shows_the_login_page_again(ehr: EhrApp) -> None:
    with pytest.raises(AssertionError):
        await consent_by_form(_authorize(ehr), in_process(ehr), password="wrong")


async def test_code_exchange_needs_the_right_verifier_and_is_single_use(ehr: EhrApp) -> None:
    code = await _code(ehr)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": "app-public"}
    wrong = await _post(ehr, TOKEN_URL, {**form, "code_verifier": "w" * 64})
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant"
    code = await _code(ehr)
    ok = await _post(ehr, TOKEN_URL, {**form, "code": code, "code_verifier": VERIFIER})
    again = await _post(ehr, TOKEN_URL, {**form, "code": code, "code_verifier": VERIFIER})
    body = ok.json()
    assert ok.status_code == 200 and body["patient"] == ehr.record.patient_id and body["expires_in"] == 3600
    assert ok.headers["cache-control"] == "no-store"
    assert again.json()["error"] == "invalid_grant"


async def test_refresh_tokens_rotate_and_die_after_one_use(ehr: EhrApp) -> None:
    code = await _code(ehr, client_id="app-secret")
    auth = httpx2.BasicAuth("app-secret", CLIENT_SECRET)
    first = await _post(
        ehr,
        TOKEN_URL,
        {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "code_verifier": VERIFIER},
        auth=auth,
    )
    refresh = first.json()["refresh_token"]
    second = await _post(ehr, TOKEN_URL, {"grant_type": "refresh_token", "refresh_token": refresh}, auth=auth)
    replay = await _post(ehr, TOKEN_URL, {"grant_type": "refresh_token", "refresh_token": refresh}, auth=auth)
    assert second.status_code == 200 and second.json()["refresh_token"] != refresh
    assert replay.status_code == 400 and replay.json()["error_description"] == "refresh token was already used"


async def test_confidential_client_without_authentication_is_refused(ehr: EhrApp) -> None:
    answer = await _post(ehr, TOKEN_URL, {"grant_type": "refresh_token", "refresh_token": "x", "client_id": "app-jwt"})
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


async def test_revocation_kills_the_access_token(ehr: EhrApp) -> None:
    code = await _code(ehr)
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": REDIRECT_URI, "client_id": "app-public"}
    access = (await _post(ehr, TOKEN_URL, {**form, "code_verifier": VERIFIER})).json()["access_token"]
    patient_url = f"{ehr.fhir_base(ORIGIN)}/Patient/{ehr.record.patient_id}"
    async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
        before = await http.get(patient_url, headers={"Authorization": f"Bearer {access}"})
        revoked = await http.post(f"{ORIGIN}/oauth/oauth2/revoke", data={"token": access, "client_id": "app-public"})
        after = await http.get(patient_url, headers={"Authorization": f"Bearer {access}"})
    assert (before.status_code, revoked.status_code, after.status_code) == (200, 200, 401)
