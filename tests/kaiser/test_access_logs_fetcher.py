"""The access-logs fetcher: both logs walked to their end, the repeated cursor caught, the contract kept."""

from __future__ import annotations

import httpx2
import pytest

from gateway.kaiser.errors import PortalContractError
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces import access_logs
from tests.kaiser.test_portal_client import KAISER, SESSION
from tests.sync.portal_harness import make_portal


async def test_small_logs_are_read_whole() -> None:
    portal = make_portal()
    async with await portal.client() as client:
        logs = await access_logs.fetch_access_logs(client)
    assert [(log.name, len(log.entries), log.complete) for log in logs] == [
        ("portal", len(portal.patient.access_logs["portal"]), True),
        ("third-party", len(portal.patient.access_logs["third_party"]), True),
    ]


async def test_large_third_party_log_stops_at_the_repeated_cursor_and_is_incomplete() -> None:
    portal = make_portal(size="large")
    async with await portal.client() as client:
        portal_log, third_party = await access_logs.fetch_access_logs(client)
    assert portal_log.complete and portal_log.entries == portal.patient.access_logs["portal"]
    assert not third_party.complete
    assert third_party.entries == portal.patient.access_logs["third_party"][:100]


async def test_a_cursor_that_never_moves_back_is_caught_on_the_first_repeat() -> None:
    calls: list[int] = []

    def handler(request: httpx2.Request) -> httpx2.Response:
        if request.url.path.endswith("CSRFToken"):
            return httpx2.Response(200, text='<input name="__RequestVerificationToken" type="hidden" value="t" />')
        calls.append(int(request.read().decode().split(":")[1].strip(" }")))
        return httpx2.Response(200, json={"entries": [{"accessor": "x"}], "nextLineToParse": 1})

    async with PortalClient(KAISER, SESSION, transport=httpx2.MockTransport(handler)) as client:
        log = await access_logs.fetch_access_log(client, "third-party", await client.csrf_token(access_logs.PAGE))
    assert calls == [-1, 1] and not log.complete and len(log.entries) == 2


async def test_a_log_request_without_the_anti_forgery_token_is_rejected() -> None:
    portal = make_portal()
    async with await portal.client() as client:
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await access_logs.fetch_access_log(client, "portal", "")
