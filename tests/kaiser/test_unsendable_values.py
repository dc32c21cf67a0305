"""A portal value that cannot go back into a request (too long for a URL, a control character, a lone
surrogate, a header byte HTTP forbids) is a ``MalformedPayload`` naming the surface, never the value, and is
not retried."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from fhirgate.serving import serve_in_thread
from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces import medications
from tests.kaiser.test_portal_client import KAISER, SESSION

Call = Callable[[PortalClient], Awaitable[object]]
SECRETISH = "ORDER-4471-canary"


def _order_details(number: str) -> Call:
    return lambda client: medications.fetch_order_details(client, number)


def _csrf_post(token: str) -> Call:
    return lambda client: client.mychart_post_json(
        "api/x/Get", {}, surface="test-results", key="Get", referer_path="app/x", csrf=token
    )


UNSENDABLE: dict[str, tuple[Call, str]] = {
    "100,000-char order number": (_order_details(SECRETISH + "x" * 100_000), "medications"),
    "NUL in an id placed in the path": (
        lambda client: client.request_json(
            "GET", f"{KAISER.portal_url}/api/{SECRETISH}\x00", surface="visit-notes", key="k", headers={}
        ),
        "visit-notes",
    ),
    "lone surrogate in a query value": (_order_details(SECRETISH + "\ud800"), "medications"),
    "non-ASCII anti-forgery token": (_csrf_post(SECRETISH + "é"), "test-results"),
}


@pytest.mark.parametrize("case", list(UNSENDABLE))
async def test_a_value_that_cannot_be_sent_is_a_malformed_payload_naming_only_the_surface(case: str) -> None:
    call, surface = UNSENDABLE[case]
    sent: list[httpx2.Request] = []

    def portal(request: httpx2.Request) -> httpx2.Response:
        sent.append(request)
        return httpx2.Response(200, json={"rxList": []})

    async with PortalClient(KAISER, SESSION, transport=httpx2.MockTransport(portal)) as client:
        with pytest.raises(MalformedPayload) as raised:
            await call(client)
        assert client.request_count == 0
    assert sent == []
    assert raised.value.surface == surface and raised.value.key == "request"
    assert SECRETISH not in str(raised.value) and raised.value.__suppress_context__


async def test_a_header_http_forbids_is_refused_once_on_a_real_connection_not_retried() -> None:
    hits: list[str] = []

    async def endpoint(request: Request) -> JSONResponse:
        hits.append(request.url.path)
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/{path:path}", endpoint, methods=["GET", "POST"])])
    with serve_in_thread(app) as server:
        kaiser = replace(KAISER, portal_url=server.base_url)
        async with PortalClient(kaiser, SESSION) as client:
            with pytest.raises(MalformedPayload, match="surface=test-results key=request") as raised:
                await _csrf_post(SECRETISH + "\r\nX-Injected: 1")(client)
            assert client.request_count == 1  # one attempt, no retries
            assert await _csrf_post("plain-token")(client) == {"ok": True}
    assert SECRETISH not in str(raised.value)
    assert hits == ["/mychartcn/api/x/Get"]
