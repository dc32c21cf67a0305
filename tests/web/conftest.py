"""The web app over a home's approvals, committing to the sandbox portal through the guarded writes."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx2
import pytest

from gateway.web import WebSessions, WebSettings, create_web_app
from gateway.writes.approvals import Approval
from gateway.writes.message import MessageDraft
from tests.mcp_server.write_harness import WriteHarness, write_harness
from tests.writes.conftest import SignedInPortal, portal  # noqa: F401 - the fixture

HOST = "127.0.0.1:8799"
MESSAGE = {"recipient": "ALEX SAMPLE MD", "topic": "Medication", "subject": "Dose", "text": "At night?\nThanks."}


@dataclass
class WebHome:
    harness: WriteHarness
    sessions: WebSessions
    portal: SignedInPortal
    http: httpx2.AsyncClient

    async def pending_message(self) -> Approval:
        """A message prepared as the MCP tool prepares it (the facade's preview), waiting for approval."""
        outcome = await self.harness.operations.send_message(_draft(), confirm=None)
        assert outcome.status == "preview", outcome
        return self.harness.decisions.store.submit("send-message", MESSAGE, outcome.content)

    async def sign_in(self) -> str:
        token = self.sessions.new_login_link_token()
        answer = await self.http.get(f"/login?token={token}")
        assert answer.status_code == 303, answer.text
        return str(answer.cookies["fhirgate_session"])

    async def csrf(self, approval_id: str) -> str:
        page = await self.http.get(f"/approvals/{approval_id}")
        found = re.search(r'name="csrf" value="([0-9a-f]+)"', page.text)
        assert found, page.text
        return found.group(1)


def _draft() -> MessageDraft:
    return MessageDraft(**MESSAGE)


@pytest.fixture
async def web_home(portal: SignedInPortal, tmp_path: Path) -> AsyncIterator[WebHome]:  # noqa: F811
    harness = write_harness(portal, tmp_path)
    sessions = WebSessions(tmp_path / "web.sqlite3")
    app = create_web_app(WebSettings(port=8799), sessions=sessions, approvals=harness.decisions)
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url=f"http://{HOST}") as http:
        yield WebHome(harness, sessions, portal, http)
    harness.store.close()
