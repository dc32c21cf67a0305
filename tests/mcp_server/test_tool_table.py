"""The one tool table: every tool once, whole titles, and a server registers exactly the rows it can serve."""

from __future__ import annotations

import json
from pathlib import Path

from mcp import Client

from gateway.store import SqliteStore
from mcp_server import SourceRegistry, build_server
from mcp_server.tool_listing import compact_schema
from mcp_server.tool_table import TOOLS
from tests.mcp_server.tool_listing_file import every_tool_server


def test_every_tool_has_one_row_and_a_whole_title() -> None:
    names = [row.name for row in TOOLS]
    assert len(names) == len(set(names)) == 39
    for row in TOOLS:
        assert row.title and row.title.count("(") == row.title.count(")"), row.name
        assert not row.title.endswith((",", ";", ":")), row.name


async def test_a_server_without_approvals_or_directory_lists_exactly_the_rows_that_need_nothing() -> None:
    async with Client(build_server(SourceRegistry({}))) as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
    expected = {row.name: row for row in TOOLS if row.needs == "always"}
    assert set(listed) == set(expected) and "request_refill" not in listed
    for name, tool in listed.items():
        assert tool.title == expected[name].title and tool.annotations is not None
        assert tool.annotations.title is None  # the title is listed once, as the tool's title


def test_a_compact_schema_keeps_types_descriptions_and_required_and_drops_titles_nulls_and_defaults() -> None:
    schema = {
        "title": "fArguments",
        "type": "object",
        "properties": {
            "title": {"title": "Title", "type": "string", "description": "an argument named title"},
            "source": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None, "title": "Source"},
            "max_tokens": {"type": "integer", "default": 4000, "title": "Max Tokens"},
        },
        "required": ["title"],
    }
    assert compact_schema(schema) == {
        "type": "object",
        "properties": {
            "title": {"type": "string", "description": "an argument named title"},
            "source": {"type": "string"},
            "max_tokens": {"type": "integer"},
        },
        "required": ["title"],
    }


async def test_the_whole_tool_listing_stays_within_its_token_budget(
    kaiser_registry: SourceRegistry, seeded: SqliteStore, tmp_path: Path
) -> None:
    """tools/list must stay <= 5,000 o200k tokens (bench_mcp counts them exactly: 4,736 at this writing, in
    17,751 bytes). Offline, bytes stand in: at the listing's ~3.8 bytes per token, 19,000 bytes is ~5,000."""
    server = every_tool_server(kaiser_registry, seeded, tmp_path)
    async with Client(server) as client:
        tools = (await client.list_tools()).tools
    listed = [
        json.dumps(
            tool.model_dump(mode="json", by_alias=True, include={"name", "title", "description", "input_schema"})
        )
        for tool in tools
    ]
    assert len(tools) == len(TOOLS) and sum(len(text.encode()) for text in listed) <= 19_000
