"""Edge cases of the request layer, with httpx2.MockTransport standing in for the portal."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx2
import pytest

from fhirgate.settings import KaiserSettings
from gateway.kaiser.errors import MalformedPayload, PortalContractError, PortalUnavailable, SessionExpired
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import PortalSession

KAISER = KaiserSettings(
    portal_url="https://healthy.example.test",
    identity_url="https://identityauth.example.test",
    pharmacy_url="https://apims.example.test",
    mycare_api_key="key",
    pharmacy_client_id="client",
)
SESSION = PortalSession(
    cookies=({"name": "MyChartSessionToken4mychartcn", "value": "cookie-value", "domain": "healthy.example.test"},),
    user_agent="UA/1",
)


async def _no_sleep(_: float) -> None:
    return None


def _client(handler: Callable[[httpx2.Request], httpx2.Response], **kwargs: object) -> PortalClient:
    return PortalClient(KAISER, SESSION, transport=httpx2.MockTransport(handler), sleep=_no_sleep, **kwargs)  # type: ignore[arg-type]


async def _post(client: PortalClient) -> object:
    return await client.mychart_post_json(
        "api/test-results/GetList", {}, surface="test-results", key="GetList", referer_path="app/x", csrf="tok"
    )


async def test_redirect_to_identity_host_is_an_expired_session() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(302, headers={"location": "https://identityauth.example.test/as/authorization.oauth2"})

    async with _client(handler) as client:
        with pytest.raises(SessionExpired):
            await _post(client)


async def test_redirect_to_five_hundred_is_a_contract_error_not_expiry() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(302, headers={"location": "/mychartcn/Home/FiveHundred"})

    async with _client(handler) as client:
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await _post(client)


async def test_expired_session_relogs_once_then_retries_with_new_cookies() -> None:
    seen: list[str] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        cookie = request.headers.get("cookie", "")
        seen.append(cookie)
        if "fresh" in cookie:
            return httpx2.Response(200, json={"ok": True})
        return httpx2.Response(401)

    async def relogin() -> PortalSession:
        return PortalSession(
            cookies=({"name": "MyChartSessionToken4mychartcn", "value": "fresh", "domain": "healthy.example.test"},),
            user_agent="UA/2",
        )

    async with _client(handler, relogin=relogin) as client:
        assert await _post(client) == {"ok": True}
    assert len(seen) == 2 and "cookie-value" in seen[0]


async def test_expired_session_relogs_only_once_then_fails() -> None:
    calls = 0

    async def relogin() -> PortalSession:
        nonlocal calls
        calls += 1
        return SESSION

    async with _client(lambda request: httpx2.Response(401), relogin=relogin) as client:
        with pytest.raises(SessionExpired):
            await _post(client)
    assert calls == 1


async def test_429_honours_retry_after_then_succeeds() -> None:
    waits: list[float] = []
    responses = iter([httpx2.Response(429, headers={"retry-after": "2"}), httpx2.Response(200, json=[1])])

    async def record(seconds: float) -> None:
        waits.append(seconds)

    client = PortalClient(KAISER, SESSION, transport=httpx2.MockTransport(lambda r: next(responses)), sleep=record)
    async with client:
        assert await _post(client) == [1]
    assert waits == [2.0]


async def test_persistent_5xx_gives_up_after_bounded_retries() -> None:
    count = 0

    def handler(request: httpx2.Request) -> httpx2.Response:
        nonlocal count
        count += 1
        return httpx2.Response(503)

    async with _client(handler, max_retries=2) as client:
        with pytest.raises(PortalUnavailable, match="after 2 retries"):
            await _post(client)
    assert count == 3


async def test_truncated_json_is_a_malformed_payload_naming_surface_and_key() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, content=b'{"results": [', headers={"content-type": "application/json"})

    async with _client(handler) as client:
        with pytest.raises(MalformedPayload) as caught:
            await _post(client)
    assert caught.value.surface == "test-results" and caught.value.key == "GetList"


async def test_html_sign_in_page_instead_of_json_is_expiry() -> None:
    page = "<html><form><input name='pf.username'><input name='pf.pass' type='password'></form></html>"

    def handler(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(200, text=page, headers={"content-type": "text/html"})

    async with _client(handler) as client:
        with pytest.raises(SessionExpired):
            await _post(client)


async def test_mycare_sends_the_app_header_contract_and_502_is_a_contract_error() -> None:
    captured: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        captured.append(request)
        return httpx2.Response(502)

    async with _client(handler) as client:
        with pytest.raises(PortalContractError, match="header contract"):
            await client.mycare_get_json(
                "user", surface="profile", component="User Profile Component", inclusion_paths=["$.a", "$.b"]
            )
    headers = captured[0].headers
    assert headers["X-apiKey"] == "key" and headers["X-appName"] == "rx-order-management"
    assert headers["X-inclusionJsonPath"] == "$.a;$.b"
    assert len(captured) == 1  # a contract error is not retried


async def test_csrf_header_and_cookie_are_sent_and_errors_never_leak_them() -> None:
    captured: list[httpx2.Request] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        captured.append(request)
        return httpx2.Response(302, headers={"location": "https://identityauth.example.test/as/x"})

    async with _client(handler) as client:
        with pytest.raises(SessionExpired) as caught:
            await _post(client)
    assert captured[0].headers["__RequestVerificationToken"] == "tok"
    assert "cookie-value" in captured[0].headers["cookie"]
    assert "cookie-value" not in str(caught.value) and "tok" not in str(caught.value)
    assert json.loads(captured[0].content) == {}
