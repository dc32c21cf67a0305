"""The listing `tool_listing.json` must hold: every row of the tool table, built by the SDK and listed
compacted. `make tool-listing` runs this module to write the file; test_tool_listing_file.py compares."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any, cast

from mcp.server.mcpserver import MCPServer

from fhir_client import FhirClient
from gateway.store import SqliteStore
from mcp_server import ApprovalDesk, PracticeConnector, RecordSource, SourceRegistry, build_server
from mcp_server.sources.find_practice import PracticeDirectory
from mcp_server.tool_listing import LISTING_FILE, TableServer, listed, listing_json
from mcp_server.tools.whats_new import LastAsked, WhatsNewTool


def placeholder_parts(store: SqliteStore, home: Path) -> dict[str, Any]:
    """Every part `build_server` takes, for a server that lists (or builds) every tool but calls none of the
    parts: placeholders stand in for the approval desk, the connector and the directory."""
    return {
        "approvals": cast(ApprovalDesk, object()),
        "connector": cast(PracticeConnector, object()),
        "directory": cast(PracticeDirectory, object()),
        "whats_new": WhatsNewTool(store, LastAsked(home / "last-asked.json")),
    }


def every_tool_server(registry: SourceRegistry, store: SqliteStore, home: Path) -> TableServer:
    """A server serving every row of the tool table (`registry` should hold a Kaiser source)."""
    server = build_server(registry, **placeholder_parts(store, home))
    assert isinstance(server, TableServer)
    return server


async def _every_tool_listed(home: Path) -> str:
    store = SqliteStore.open(home / "store.sqlite3")
    registry = SourceRegistry({"kaiser": RecordSource("kaiser", FhirClient("http://127.0.0.1:9/fhir"), kind="kaiser")})
    try:
        server = every_tool_server(registry, store, home)
        server.build_tools()
        return listing_json([listed(tool) for tool in await MCPServer.list_tools(server)])
    finally:
        await registry.aclose()
        store.close()


def built_listing() -> str:
    """The text the listing file must have: what the SDK builds from every row of the table."""
    with tempfile.TemporaryDirectory() as home:
        return asyncio.run(_every_tool_listed(Path(home)))


if __name__ == "__main__":
    LISTING_FILE.write_text(built_listing(), encoding="utf-8")
    print(f"wrote {LISTING_FILE}")
