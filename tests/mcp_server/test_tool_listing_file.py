"""tools/list is answered from mcp_server/tool_listing.json and the tools are built on the first call:
the file must be what the table builds, and a server must list and call exactly as if it built first."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from mcp import Client
from mcp.server.mcpserver import MCPServer

from gateway.store import SqliteStore
from mcp_server import SourceRegistry, build_server, tool_listing
from mcp_server.tool_listing import LISTING_FILE, TableServer, kept_listing, listed
from mcp_server.tool_table import TOOLS
from tests.mcp_server.tool_listing_file import built_listing, every_tool_server


@pytest.fixture
def write_listing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], None]]:
    """Writes a listing file of the test's own, which the kept listing is then read from."""
    path = tmp_path / "tool_listing.json"
    monkeypatch.setattr(tool_listing, "LISTING_FILE", path)
    kept_listing.cache_clear()

    def write(text: str) -> None:
        path.write_text(text, encoding="utf-8")

    yield write
    kept_listing.cache_clear()


def test_the_kept_listing_is_what_the_table_builds() -> None:
    assert LISTING_FILE.read_text(encoding="utf-8") == built_listing(), (
        "mcp_server/tool_listing.json is stale: run `make tool-listing` and commit it"
    )
    assert [entry["name"] for entry in json.loads(LISTING_FILE.read_text(encoding="utf-8"))] == [
        row.name for row in TOOLS
    ]


@pytest.mark.parametrize("parts", ["none", "every"])
async def test_tools_list_builds_no_tool_and_lists_what_the_sdk_would(
    parts: str, kaiser_registry: SourceRegistry, seeded: SqliteStore, tmp_path: Path
) -> None:
    """With no parts (the tools that need nothing) and with every part (all 39), the listing from the file
    is byte for byte what the SDK lists once it has built the same server's tools."""
    if parts == "none":
        server = build_server(SourceRegistry({}))
        expected = [row.name for row in TOOLS if row.needs == "always"]
    else:
        server = every_tool_server(kaiser_registry, seeded, tmp_path)
        expected = [row.name for row in TOOLS]
    assert isinstance(server, TableServer)
    async with Client(server) as client:
        from_file = (await client.list_tools()).tools
    assert await MCPServer.list_tools(server) == []  # nothing built for the listing
    server.build_tools()
    built = [listed(tool) for tool in await MCPServer.list_tools(server)]
    assert [tool.model_dump(by_alias=True) for tool in from_file] == [tool.model_dump(by_alias=True) for tool in built]
    assert [tool.name for tool in from_file] == expected


async def test_a_call_before_any_listing_builds_the_tools_and_validates_its_arguments() -> None:
    async with Client(build_server(SourceRegistry({}))) as client:
        answered = await client.call_tool("list_sources", {})
        refused = await client.call_tool("fhir_get", {"source": "kaiser"})
    assert not answered.is_error and answered.content[0].text.startswith("No sources are configured")
    assert refused.is_error and "resource_type" in refused.content[0].text


async def test_a_listing_file_missing_a_served_tool_is_not_used(write_listing: Callable[[str], None]) -> None:
    kept = json.loads(LISTING_FILE.read_text(encoding="utf-8"))
    stale = [dict(entry, description="an old description") for entry in kept if entry["name"] != "whoami"]
    write_listing(json.dumps(stale))
    async with Client(build_server(SourceRegistry({}))) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert "whoami" in tools and tools["fhir_get"].description != "an old description"


async def test_an_unreadable_listing_file_is_logged_and_the_tools_are_built(
    write_listing: Callable[[str], None], caplog: pytest.LogCaptureFixture
) -> None:
    write_listing('[{"name": "fhir_get", "inputSchema": 3}]')
    with caplog.at_level(logging.WARNING, logger="mcp_server.tool_listing"):
        async with Client(build_server(SourceRegistry({}))) as client:
            tools = (await client.list_tools()).tools
    assert [tool.name for tool in tools] == [row.name for row in TOOLS if row.needs == "always"]
    assert "tool listing file unusable (ValidationError)" in caplog.text
