"""request_refill / send_message through a real MCP client session, over the facade's guarded
operations and the sandbox portal: preview, user confirmation, commit, refusal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import httpx2
from mcp import Client
from mcp.types import TextContent

from fhir_client import FhirClient
from gateway.facade import create_facade_app
from gateway.kaiser.portal_client import PortalClient
from gateway.store import SqliteStore
from gateway.writes.audit import AuditLog
from gateway.writes.confirmation import ConfirmationGuard
from gateway.writes.fhir_routes import WRITE_OPERATIONS, write_routes
from gateway.writes.operations import WriteOperations
from mcp_server import SourceRegistry, build_server
from tests.writes.conftest import SignedInPortal, portal  # noqa: F401 - the fixture
from translators.medications import translate_rx_details
from translators.types import TranslationContext

TOKEN = "mcp-write-test-token"


def _kaiser(signed_in: SignedInPortal, tmp_path: Path) -> tuple[FhirClient, SqliteStore]:
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    translated = translate_rx_details(signed_in.config.patient.rx_details, TranslationContext(patient_id="p1"))
    store.write_surface("medications", translated.resources, now=datetime(2026, 11, 23, tzinfo=UTC))

    @asynccontextmanager
    async def clients() -> AsyncIterator[PortalClient]:
        yield signed_in.client

    ops = WriteOperations(clients, ConfirmationGuard(b"m" * 32, tmp_path / "used"), AuditLog(tmp_path / "audit.log"))
    app = create_facade_app(
        store, token=TOKEN, extra_routes=write_routes(store, ops), extra_operations=WRITE_OPERATIONS
    )
    client = FhirClient("http://127.0.0.1/fhir", bearer_token=TOKEN, transport=httpx2.ASGITransport(app=app))
    return client, store


def _text(result: object) -> str:
    return "\n".join(b.text for b in getattr(result, "content", []) if isinstance(b, TextContent))


async def test_send_message_previews_then_sends_only_with_the_token(portal: SignedInPortal, tmp_path: Path) -> None:  # noqa: F811
    fhir, store = _kaiser(portal, tmp_path)
    args = {"recipient": "ALEX SAMPLE MD", "topic": "Medication", "subject": "Dose", "text": "Can I take it at night?"}
    async with Client(build_server(SourceRegistry({"kaiser": fhir}), writes=True)) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
        assert tools["send_message"].annotations is not None
        assert tools["send_message"].annotations.destructive_hint is True

        preview = _text(await mcp.call_tool("send_message", args))
        assert "nothing sent yet" in preview and portal.config.writes.sent_messages == []
        token = re.search(r'confirm_token="([^"]+)"', preview)
        assert token, preview

        tampered = await mcp.call_tool("send_message", args | {"text": "Other text", "confirm_token": token.group(1)})
        assert tampered.is_error and portal.config.writes.sent_messages == []

        done = _text(await mcp.call_tool("send_message", args | {"confirm_token": token.group(1)}))
        assert done.startswith("Done") and len(portal.config.writes.sent_messages) == 1
    store.close()


async def test_refill_of_an_unknown_prescription_is_an_actionable_error(portal: SignedInPortal, tmp_path: Path) -> None:  # noqa: F811
    fhir, store = _kaiser(portal, tmp_path)
    async with Client(build_server(SourceRegistry({"kaiser": fhir}), writes=True)) as mcp:
        result = await mcp.call_tool("request_refill", {"medication_request_id": "no-such-id"})
    assert result.is_error and "not in the store" in _text(result)
    store.close()


async def test_write_tools_are_absent_unless_enabled(portal: SignedInPortal, tmp_path: Path) -> None:  # noqa: F811
    fhir, store = _kaiser(portal, tmp_path)
    async with Client(build_server(SourceRegistry({"kaiser": fhir}))) as mcp:
        names = {tool.name for tool in (await mcp.list_tools()).tools}
    assert "request_refill" not in names and "send_message" not in names
    store.close()
