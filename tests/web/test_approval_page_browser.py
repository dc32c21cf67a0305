"""The approval page in real headless Chromium: the person signs in with the one-time link, sees the
whole preview the MCP tool prepared, and decides. Approve commits once; reject, reload, a replayed
POST, a second tab and an expired approval commit nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
import uvicorn
from mcp import Client
from mcp_types import TextContent
from playwright.async_api import Browser, Page, async_playwright
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

from fhirgate.serving import free_port, serve_in_thread
from gateway.kaiser.browser import find_browser, launch_args
from gateway.web import WebSessions, WebSettings, create_web_app
from mcp_server import SourceRegistry, build_server
from tests.mcp_server.write_harness import WriteHarness, write_harness
from tests.web.conftest import MESSAGE
from tests.writes.conftest import SignedInPortal, portal  # noqa: F401 - the fixture

pytestmark = pytest.mark.browser


@asynccontextmanager
async def _served(harness: WriteHarness, sessions: WebSessions) -> AsyncIterator[str]:
    """The web app under uvicorn on a loopback port, in this event loop (it shares the portal client)."""
    port = free_port()
    app = create_web_app(WebSettings(port=port), sessions=sessions, approvals=harness.decisions)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve())
    while not server.started:  # noqa: ASYNC110 - uvicorn offers a flag, not an event
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@asynccontextmanager
async def _chromium() -> AsyncIterator[Browser]:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=find_browser(None), headless=True, args=launch_args()
        )
        try:
            yield browser
        finally:
            await browser.close()


async def _prepare(harness: WriteHarness, base: str) -> str:
    """The model's side: send_message without elicitation answers with the approval page's URL."""
    server = build_server(SourceRegistry({"kaiser": harness.fhir}), approvals=harness.desk)
    async with Client(server) as mcp:
        result = await mcp.call_tool("send_message", MESSAGE)
    text = "\n".join(b.text for b in result.content if isinstance(b, TextContent))
    url = next(word for word in text.split() if word.startswith(f"{base}/approvals/"))
    return url


async def _signed_in_page(browser: Browser, sessions: WebSessions, base: str) -> Page:
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(f"{base}/login?token={sessions.new_login_link_token()}")
    assert page.url == f"{base}/approvals"
    return page


async def test_the_person_approves_in_chromium_and_it_is_sent_once(portal: SignedInPortal, tmp_path: Path) -> None:  # noqa: F811
    sessions = WebSessions(tmp_path / "web.sqlite3")
    base_holder: list[str] = []
    harness = write_harness(portal, tmp_path, web_base=None)
    harness.desk._web_address = lambda: base_holder[0]  # the page's address is known once it serves
    ledger = portal.config.writes
    async with _served(harness, sessions) as base, _chromium() as browser:
        base_holder.append(base)
        url = await _prepare(harness, base)
        page = await _signed_in_page(browser, sessions, base)
        await page.goto(url)
        assert await page.locator(".message-text").inner_text() == MESSAGE["text"]
        assert "ALEX SAMPLE MD" in await page.content()
        second_tab = await page.context.new_page()
        await second_tab.goto(url)
        csrf = await page.locator("input[name=csrf]").get_attribute("value")
        assert csrf

        await page.get_by_role("button", name="Approve").click()
        await page.wait_for_url(url)
        assert "committed" in await page.locator("[role=status]").inner_text()
        assert len(ledger.sent_messages) == 1

        await page.reload()  # a reload is a GET: nothing is posted again
        await second_tab.get_by_role("button", name="Approve").click()  # the stale form in another tab
        await second_tab.wait_for_url(url)
        replay = await page.request.post(url, form={"action": "approve", "csrf": csrf})  # the same form, again
        assert replay.ok and len(ledger.sent_messages) == 1
        assert "committed" in await second_tab.locator("[role=status]").inner_text()
    assert harness.phases() == ["approved", "commit", "refused", "refused"]
    harness.store.close()


async def test_rejecting_or_letting_it_expire_in_chromium_sends_nothing(
    portal: SignedInPortal,  # noqa: F811
    tmp_path: Path,
) -> None:
    sessions = WebSessions(tmp_path / "web.sqlite3")
    base_holder: list[str] = []
    harness = write_harness(portal, tmp_path)
    harness.desk._web_address = lambda: base_holder[0]
    async with _served(harness, sessions) as base, _chromium() as browser:
        base_holder.append(base)
        rejected_url = await _prepare(harness, base)
        expiring_url = await _prepare(harness, base)
        page = await _signed_in_page(browser, sessions, base)
        assert await page.locator("main li").count() == 2

        await page.goto(rejected_url)
        await page.get_by_role("button", name="Reject").click()
        await page.wait_for_url(rejected_url)
        assert "rejected" in await page.locator("[role=status]").inner_text()

        await page.goto(expiring_url)
        store = harness.decisions.store
        store._clock = lambda: store.get(expiring_url.rsplit("/", 1)[1]).expires_at + timedelta(seconds=1)  # type: ignore[union-attr]
        await page.get_by_role("button", name="Approve").click()
        await page.wait_for_url(expiring_url)
        assert "expired" in await page.locator("[role=status]").inner_text()
    assert portal.config.writes.sent_messages == []
    assert harness.phases() == ["rejected", "expired", "refused"]
    harness.store.close()


def _evil_site(target: str) -> Starlette:
    """Another origin's page that posts to the approval URL, as a malicious site (or a link the model
    crafted) would: with and without a guessed CSRF token, and by a script-less auto-form."""

    async def page(request: Request) -> HTMLResponse:
        guess = request.query_params.get("csrf", "")
        return HTMLResponse(
            f'<form method="post" action="{target}"><input type="hidden" name="action" value="approve">'
            f'<input type="hidden" name="csrf" value="{guess}"><button id="go">Win a prize</button></form>'
        )

    return Starlette(routes=[Route("/", page)])


async def test_forged_posts_from_chromium_commit_nothing(portal: SignedInPortal, tmp_path: Path) -> None:  # noqa: F811
    sessions = WebSessions(tmp_path / "web.sqlite3")
    base_holder: list[str] = []
    harness = write_harness(portal, tmp_path)
    harness.desk._web_address = lambda: base_holder[0]
    async with _served(harness, sessions) as base, _chromium() as browser:
        base_holder.append(base)
        url = await _prepare(harness, base)
        page = await _signed_in_page(browser, sessions, base)
        await page.goto(url)
        real_csrf = await page.locator("input[name=csrf]").get_attribute("value")
        assert real_csrf
        with serve_in_thread(_evil_site(url)) as evil:
            # Another port on 127.0.0.1 is the same *site* (the cookie goes along), not the same origin:
            # refused by the Origin check, even with the right CSRF token.
            for guess in ("", "0" * 64, real_csrf):
                forged = await page.context.new_page()
                await forged.goto(f"{evil.base_url}/?csrf={guess}")
                await forged.click("#go")
                await forged.wait_for_load_state()
                assert "Approve</button>" not in await forged.content()
                assert forged.url == url and "Cross-origin request refused" in await forged.content()
        # Same browser, the page's own origin, but a wrong or missing token: refused.
        for form in ({"action": "approve"}, {"action": "approve", "csrf": "0" * 64}):
            answer = await page.request.post(url, form=form)
            assert answer.status == 403
        wrong_host = await page.request.post(
            url, form={"action": "approve", "csrf": real_csrf}, headers={"Host": "evil.example"}
        )
        assert wrong_host.status == 421
        no_cookie = await browser.new_context()
        anonymous = await no_cookie.request.post(url, form={"action": "approve", "csrf": real_csrf})
        assert anonymous.status == 403
        await no_cookie.close()
        await page.reload()
        assert await page.get_by_role("button", name="Approve").count() == 1  # still pending
    assert portal.config.writes.sent_messages == [] and harness.phases() == []
    harness.store.close()
