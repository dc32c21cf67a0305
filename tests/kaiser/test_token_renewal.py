"""Anti-forgery tokens of unknown lifetime (§1.6): a refused token is renewed once, shared by every call
that held it, against the in-process sandbox with its ``csrf-max-age`` switch and a hand-moved clock."""

from __future__ import annotations

import asyncio

import httpx2
import pytest

from gateway.kaiser.errors import ContractBounce
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces import problems
from gateway.kaiser.surfaces.lab_results import portal as lab_results
from sandbox.patient import generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.portal.fault_spec import parse_faults
from sandbox.sms import SmsOutbox
from tests.sync.portal_harness import Portal


class HandClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def _portal(clock: HandClock, faults: str) -> Portal:
    config = PortalConfig(patient=generate_patient(5), sms_outbox=SmsOutbox(), faults=parse_faults(faults))
    return Portal(config=config, app=create_portal_app(config, clock=clock))


class RecordingTransport(httpx2.AsyncBaseTransport):
    """The portal in-process, noting the path of every request."""

    def __init__(self, portal: Portal) -> None:
        self.inner = httpx2.ASGITransport(app=portal.app)
        self.paths: list[str] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        self.paths.append(request.url.path)
        return await self.inner.handle_async_request(request)


async def test_concurrent_calls_holding_an_aged_token_share_one_renewal() -> None:
    clock = HandClock()
    portal = _portal(clock, "csrf-max-age=60")
    keys = [order.key for order in portal.patient.lab_orders[:3]]
    transport = RecordingTransport(portal)
    async with PortalClient(portal.kaiser, await portal.sign_in(), transport=transport) as client:
        tokens = await lab_results.page_tokens(client)
        await tokens.nonce()  # both tokens held before they age (the nonce is otherwise fetched on first need)
        clock.now += 61  # the token is no longer accepted
        del transport.paths[:]
        details = await asyncio.gather(*(lab_results.fetch_lab_detail(client, tokens, key) for key in keys))
        assert client.relogins == 0
    assert [detail["key"] for detail in details] == keys
    # one new token and one new page nonce, shared by every call that held the refused ones
    assert transport.paths.count("/mychartcn/Home/CSRFToken") == 1
    assert transport.paths.count("/mychartcn/app/test-results") == 1
    assert 3 < transport.paths.count("/mychartcn/api/test-results/GetDetails") <= 6


async def test_a_call_bounced_again_with_fresh_tokens_fails_after_one_renewal() -> None:
    portal = _portal(HandClock(), "")
    async with await portal.client() as client:
        csrf = await client.csrf_token("app/elsewhere")
        before = client.request_count
        with pytest.raises(ContractBounce, match="anti-forgery"):
            # the portal bounces this call for its Referer, so new tokens cannot help
            await client.mychart_post_query(
                "Clinical/HealthIssues/LoadListData",
                problems.LIST_QUERY,
                surface="problems",
                key="LoadListData",
                referer_path="app/elsewhere",
                csrf=csrf,
                body={},
            )
        assert client.request_count - before == 3  # the call, one new token, the call again
