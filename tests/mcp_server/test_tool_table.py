"""The one tool table: every tool once, whole titles, and a server registers exactly the rows it can serve."""

from __future__ import annotations

from mcp import Client

from mcp_server import SourceRegistry, build_server
from mcp_server.tool_table import TOOLS


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
        assert tool.annotations.title == (expected[name].annotations.title or expected[name].title)
