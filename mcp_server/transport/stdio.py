"""Serving the MCP server over stdio, as Claude Desktop launches it (`fhirgate mcp`).

Stdout carries the protocol; everything else (logs) goes to stderr.
"""

from __future__ import annotations

import logging

from mcp.server.mcpserver import MCPServer

from mcp_server.approvals.desk import ApprovalDesk
from mcp_server.approvals.practice_connect import PracticeConnector
from mcp_server.server import build_server
from mcp_server.sources.find_practice import PracticeDirectory
from mcp_server.sources.registry import SourceRegistry
from mcp_server.tools.whats_new import WhatsNewTool

__all__ = ["run_stdio", "serve_stdio"]

logger = logging.getLogger(__name__)


async def run_stdio(
    registry: SourceRegistry,
    *,
    name: str = "fhirgate",
    connector: PracticeConnector | None = None,
    approvals: ApprovalDesk | None = None,
    directory: PracticeDirectory | None = None,
    whats_new: WhatsNewTool | None = None,
) -> None:
    """Serve `registry` over stdin/stdout until the client disconnects; then close the sources."""
    server = build_server(
        registry, name=name, connector=connector, approvals=approvals, directory=directory, whats_new=whats_new
    )
    await serve_stdio(server, registry)


async def serve_stdio(server: MCPServer, registry: SourceRegistry) -> None:
    """Serve a built `server` over stdin/stdout until the client disconnects; then close `registry`'s sources."""
    logger.info("mcp stdio start sources=%s", ",".join(registry.names()))
    try:
        await server.run_stdio_async()
    finally:
        await registry.aclose()
        logger.info("mcp stdio stop")
