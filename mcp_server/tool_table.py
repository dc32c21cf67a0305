"""THE table of MCP tools: one row per tool (name, title, handler, annotations, what it needs), and the
one loop that registers them. A new tool is a row here and a method on a tool family in `tools/`."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations

from mcp_server.approvals.connect_signature import connect_tool
from mcp_server.approvals.write_signatures import message_tool, refill_tool
from mcp_server.tool_kit import Needs, ToolKit
from mcp_server.tools.typed_table import TYPED_TOOLS, TypedTool
from mcp_server.tools.typed_tools import tool_title, typed_tool_function

__all__ = ["TOOLS", "ToolRow", "register_tools"]

# Reads reach systems outside this machine (kp.org, practices' FHIR servers): open world.
READ = ToolAnnotations(read_only_hint=True, open_world_hint=True)
READ_LOCAL = ToolAnnotations(read_only_hint=True, open_world_hint=False)
WRITE = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True)
# Not read-only: connecting stores tokens; not destructive: nothing in the record changes.
CONNECT = ToolAnnotations(read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True)


@dataclass(frozen=True)
class ToolRow:
    """One MCP tool: `handler` picks the function from the kit; its docstring is the description unless
    `description` is given."""

    name: str
    title: str
    handler: Callable[[ToolKit], Callable[..., Any]]
    annotations: ToolAnnotations = field(default_factory=READ.model_copy)
    needs: Needs = "always"
    description: str | None = None


def _typed_row(spec: TypedTool) -> ToolRow:
    return ToolRow(
        spec.name,
        tool_title(spec.summary),
        lambda kit: typed_tool_function(spec, kit.context),
    )


TOOLS: tuple[ToolRow, ...] = (
    ToolRow("fhir_get", "Read a FHIR resource", lambda kit: kit.fhir.fhir_get),
    ToolRow("fhir_everything", "Everything about the patient", lambda kit: kit.fhir.fhir_everything),
    ToolRow("fhir_search", "Search FHIR resources", lambda kit: kit.fhir.fhir_search),
    *(_typed_row(spec) for spec in TYPED_TOOLS),
    ToolRow("list_sources", "List record sources", lambda kit: kit.admin.list_sources),
    ToolRow("whoami", "Whose record", lambda kit: kit.admin.whoami),
    ToolRow("get_capability_statement", "What a source supports", lambda kit: kit.admin.get_capability_statement),
    ToolRow("kaiser_login_status", "Kaiser sign-in status", lambda kit: kit.admin.kaiser_login_status, READ_LOCAL),
    ToolRow("read_message", "Read a message", lambda kit: kit.records.read_message),
    ToolRow("get_binary", "Read a document's text", lambda kit: kit.records.get_binary),
    ToolRow("lab_trend", "Lab trend with chart", lambda kit: kit.lab_trend.lab_trend),
    ToolRow("record_summary", "What the record holds", lambda kit: kit.record_summary.record_summary),
    ToolRow("search_text", "Search the record's text", lambda kit: kit.text_search.search_text),
    ToolRow(
        "request_refill",
        "Prepare a prescription refill (the user approves)",
        lambda kit: refill_tool(kit.writes),
        WRITE.model_copy(update={"title": "Request a prescription refill"}),
        "writes",
    ),
    ToolRow(
        "send_message",
        "Prepare a message to the care team (the user approves)",
        lambda kit: message_tool(kit.writes),
        WRITE.model_copy(update={"title": "Message the care team"}),
        "writes",
    ),
    ToolRow(
        "list_message_recipients",
        "Who the user can message",
        lambda kit: kit.message_options.list_message_recipients,
        needs="writes",
    ),
    ToolRow(
        "list_message_topics", "Message topics", lambda kit: kit.message_options.list_message_topics, needs="writes"
    ),
    ToolRow("connect_practice", "Connect a practice", lambda kit: connect_tool(kit.connect), CONNECT, "connect"),
    ToolRow("complete_oauth", "Finish connecting", lambda kit: kit.connect.complete_oauth, CONNECT, "connect"),
    ToolRow(
        "approval_status",
        "Outcome of an approval",
        lambda kit: kit.approval_status.approval_status,
        READ_LOCAL,
        "approvals",
    ),
    # Read-only, but it may fetch eCW's public directory the first time (open world).
    ToolRow("find_practice", "Find a practice", lambda kit: kit.find_practice.find_practice, needs="directory"),
    ToolRow(
        "whats_new",
        "What changed since I last asked",
        lambda kit: _whats_new(kit),
        READ_LOCAL.model_copy(update={"idempotent_hint": False}),
        "whats_new",
    ),
)


def _whats_new(kit: ToolKit) -> Callable[..., Any]:
    assert kit.whats_new_tool is not None  # asked only when `serves("whats_new")`
    return kit.whats_new_tool.whats_new


def register_tools(server: MCPServer, kit: ToolKit) -> None:
    """Add every row of `TOOLS` whose needs `kit` serves."""
    for row in TOOLS:
        if not kit.serves(row.needs):
            continue
        handler = row.handler(kit)
        server.add_tool(
            handler,
            name=row.name,
            title=row.title,
            description=row.description or inspect.cleandoc(handler.__doc__ or ""),
            # The tool's title is listed once; `annotations.title` only where a row gives a different one.
            annotations=row.annotations,
            # No output schema: not listed (see tool_listing), so the SDK need not build one; tools that carry
            # structured content return a `CallToolResult`, which the SDK passes through as it is.
            structured_output=False,
        )
