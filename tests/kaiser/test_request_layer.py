"""Expiry in every form, one shared re-login, in-band failure codes and the keepalive loop (MockTransport edges)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx2
import pytest

from gateway.kaiser.errors import LoginFailed, LoginRequired, PortalRejected, SessionExpired
from gateway.kaiser.keepalive import keepalive_running
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import PortalSession
from tests.kaiser.test_portal_client import KAISER, SESSION

FRESH = PortalSession(
    cookies=({"name": "MyChartSessionToken4mychartcn", "value": "fresh", "domain": "healthy.example.test"},),
    user_agent="UA/2",
)
EXPIRY_FORMS: dict[str, Callable[[], httpx2.Response]] = {
    "302 to identity": lambda: httpx2.Response(302, headers={"location": "https://identityauth.example.test/as/x"}),
    "302 to sign-in": lambda: httpx2.Response(302, headers={"location": "/mychartcn/Authentication/Login?x=1"}),
    "302 to sign-on": lambda: httpx2.Response(302, headers={"location": "https://healthy.example.test/sign-on"}),
    "200 HTML on JSON": lambda: httpx2.Response(200, html="<html><body>MyChart</body></html>"),
    "401": lambda: httpx2.Response(401),
    "403": lambda: httpx2.Response(403),
}


async def _no_sleep(_: float) -> None:
    return None


def _client(handler: Callable[[httpx2.Request], httpx2.Response], **kwargs: object) -> PortalClient:
    return PortalClient(KAISER, SESSION, transport=httpx2.MockTransport(handler), sleep=_no_sleep, **kwargs)  # type: ignore[arg-type]


async def _post(client: PortalClient, path: str = "api/test-results/GetList") -> object:
    return await client.mychart_post_json(path, {}, surface="test-results", key="k", referer_path="app/x", csrf=None)


@pytest.mark.parametrize("form", list(EXPIRY_FORMS))
async def test_every_expiry_form_relogs_in_once_and_retries(form: str) -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if "fresh" in request.headers.get("cookie", ""):
            return httpx2.Response(200, json={"ok": True})
        return EXPIRY_FORMS[form]()

    logins: list[int] = []

    async def relogin() -> PortalSession:
        logins.append(1)
        return FRESH

    async with _client(handler, relogin=relogin) as client:
        assert await _post(client) == {"ok": True}
    assert len(logins) == 1


@pytest.mark.parametrize("form", list(EXPIRY_FORMS))
async def test_a_second_expiry_after_relogin_is_login_required(form: str) -> None:
    async def relogin() -> PortalSession:
        return FRESH

    async with _client(lambda _: EXPIRY_FORMS[form](), relogin=relogin) as client:
        with pytest.raises(LoginRequired, match="fhirgate login kaiser"):
            await _post(client)


async def test_failed_silent_relogin_is_login_required_and_not_retried() -> None:
    calls: list[int] = []

    async def relogin() -> PortalSession:
        calls.append(1)
        raise LoginFailed("Kaiser asked for an MFA code")

    async with _client(lambda _: httpx2.Response(401), relogin=relogin) as client:
        for _ in range(3):
            with pytest.raises(LoginRequired, match="MFA"):
                await _post(client)
    assert calls == [1]  # later requests do not open the browser again


async def test_concurrent_requests_on_a_dead_session_share_one_relogin() -> None:
    def handler(request: httpx2.Request) -> httpx2.Response:
        if "fresh" in request.headers.get("cookie", ""):
            return httpx2.Response(200, json={"ok": True})
        return httpx2.Response(401)

    logins: list[int] = []

    async def relogin() -> PortalSession:
        logins.append(1)
        await asyncio.sleep(0)
        return FRESH

    async with _client(handler, relogin=relogin) as client:
        results = await asyncio.gather(*(_post(client) for _ in range(8)))
    assert results == [{"ok": True}] * 8
    assert logins == [1]


def test_login_required_is_a_session_expired() -> None:
    assert issubclass(LoginRequired, SessionExpired)


async def test_epic_error_code_in_a_200_is_a_portal_rejection_with_its_code() -> None:
    async with _client(lambda _: httpx2.Response(200, json={"error": 2})) as client:
        with pytest.raises(PortalRejected) as caught:
            await _post(client)
    assert caught.value.code == "error=2"


@pytest.mark.parametrize(("code", "rejected"), [("000", False), ("8051", False), ("9001", True), ("", True)])
async def test_pharmacy_execution_context_codes(code: str, rejected: bool) -> None:
    body = {"executionContext": {"statusCode": code}, "prescriptions": {}}
    async with _client(lambda _: httpx2.Response(200, json=body)) as client:
        call = client.pharmacy_get_json("x", surface="medications", guid="1", params={}, extra_headers={})
        if rejected:
            with pytest.raises(PortalRejected, match=f"statusCode={code}"):
                await call
        else:
            assert await call == body


async def test_keepalive_pulses_with_a_counter_and_stops_at_the_first_failure() -> None:
    seen: list[str] = []
    paths: set[str] = set()

    def handler(request: httpx2.Request) -> httpx2.Response:
        seen.append(request.url.params["cnt"])
        paths.add(request.url.path)
        if len(seen) == 3:
            return httpx2.Response(302, headers={"location": "https://identityauth.example.test/as/x"})
        return httpx2.Response(200, html="<html></html>")

    ticks: list[float] = []

    async def tick(seconds: float) -> None:
        ticks.append(seconds)
        await asyncio.sleep(0)

    async with _client(handler) as client, keepalive_running(client, interval=30.0, sleep=tick) as state:
        for _ in range(50):
            await asyncio.sleep(0)
    assert seen == ["1", "2", "3"]
    assert state.pulses == 2
    assert state.stopped_by == "SessionExpired"
    assert set(ticks) == {30.0}
    assert paths == {"/mychartcn/keepalive.asp"}
