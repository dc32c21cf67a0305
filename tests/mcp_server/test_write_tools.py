"""request_refill / send_message through a real MCP client session: errors, and the tools' presence."""

from __future__ import annotations

from pathlib import Path

from mcp import Client
from mcp.types import TextContent

from mcp_server import SourceRegistry, build_server
from tests.mcp_server.write_harness import write_harness
from tests.writes.conftest import SignedInPortal, portal  # noqa: F401 - the fixture


def _text(result: object) -> str:
    return "\n".join(b.text for b in getattr(result, "content", []) if isinstance(b, TextContent))


async def test_refill_of_an_unknown_prescription_is_an_actionable_error(portal: SignedInPortal, tmp_path: Path) -> None:  # noqa: F811
    harness = write_harness(portal, tmp_path)
    async with Client(build_server(SourceRegistry({"kaiser": harness.fhir}), approvals=harness.desk)) as mcp:
        result = await mcp.call_tool("request_refill", {"medication_request_id": "no-such-id"})
    assert result.is_error and "not in the store" in _text(result)
    harness.store.close()


async def test_write_tools_are_absent_unless_enabled(portal: SignedInPortal, tmp_path: Path) -> None:  # noqa: F811
    harness = write_harness(portal, tmp_path)
    async with Client(build_server(SourceRegistry({"kaiser": harness.fhir}))) as mcp:
        names = {tool.name for tool in (await mcp.list_tools()).tools}
    assert not names & {"request_refill", "send_message", "approval_status"}
    async with Client(build_server(SourceRegistry({"kaiser": harness.fhir}), approvals=harness.desk)) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
    annotations = tools["send_message"].annotations
    assert annotations is not None and annotations.destructive_hint is True
    assert "confirm_token" not in tools["request_refill"].input_schema["properties"]
    harness.store.close()


async def test_the_portal_lists_its_recipients_and_topics_for_the_model(portal: SignedInPortal, tmp_path: Path) -> None:  # noqa: F811
    harness = write_harness(portal, tmp_path)
    async with Client(build_server(SourceRegistry({"kaiser": harness.fhir}), approvals=harness.desk)) as mcp:
        recipients = _text(await mcp.call_tool("list_message_recipients", {}))
        topics = _text(await mcp.call_tool("list_message_topics", {}))
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
    assert "People the user can message at Kaiser (4, from the portal)" in recipients
    assert "- ALEX SAMPLE MD\n" in recipients and "- MORGAN INVENTED MD" in recipients
    assert "UNTRUSTED" in recipients  # the names come from the portal: fenced
    assert "- Non-Urgent Medical Advice" in topics and "- Test Results" in topics
    hints = tools["list_message_topics"].annotations
    assert hints is not None and hints.read_only_hint is True
    assert portal.config.writes.sent_messages == [] and harness.phases() == []
    harness.store.close()
