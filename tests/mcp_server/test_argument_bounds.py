"""No MCP argument is echoed unbounded, and what the MCP layer forwards is validated like the facade does.

Every string argument of every tool the server lists gets a 1 MB value in turn; whatever comes back
(answer or error, text or structured) quotes at most a few hundred characters of it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mcp import Client
from mcp_types import CallToolResult, TextContent

from gateway.store import SqliteStore
from mcp_server import SourceRegistry, build_server
from mcp_server.answers.tool_errors import DIAGNOSTICS_QUOTE_LIMIT
from mcp_server.tools.whats_new import LastAsked, WhatsNewTool

HUGE = "Q" * 1_000_000
ECHO = re.compile(f"Q{{{DIAGNOSTICS_QUOTE_LIMIT + 1},}}")
REQUIRED = {"source": "kaiser", "resource_type": "Observation", "id": "x", "code_or_name": "potassium", "query": "knee"}


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def _accepts(schema: dict[str, Any], kind: str) -> bool:
    options = schema.get("anyOf", [schema])
    return any(option.get("type") == kind for option in options)


def _variants(properties: dict[str, Any]) -> Iterator[tuple[str, Any]]:
    """`(argument, huge value)` for every argument that takes text, as a string, list item, key or value."""
    for name, schema in properties.items():
        if "enum" in schema or "const" in schema:
            yield name, HUGE  # refused by validation: the refusal must not echo it either
        elif _accepts(schema, "string"):
            yield name, HUGE
        elif _accepts(schema, "array"):
            yield name, [HUGE]
        elif _accepts(schema, "object"):
            yield name, {"code": HUGE}
            yield name, {HUGE: "x"}


async def test_every_string_argument_of_every_tool_is_quoted_bounded(
    kaiser_registry: SourceRegistry, seeded: SqliteStore, tmp_path: Path
) -> None:
    calls = 0
    news = WhatsNewTool(seeded, LastAsked(tmp_path / "last-asked.json"))
    async with Client(build_server(kaiser_registry, whats_new=news)) as client:
        assert "whats_new" in {tool.name for tool in (await client.list_tools()).tools}
        for tool in (await client.list_tools()).tools:
            properties = tool.input_schema.get("properties", {})
            base = {name: REQUIRED[name] for name in tool.input_schema.get("required", [])}
            for name, value in _variants(properties):
                result = await client.call_tool(tool.name, {**base, name: value})
                calls += 1
                shown = text_of(result) + json.dumps(result.structured_content or {})
                echo = max((len(run) for run in ECHO.findall(shown)), default=0)
                assert not echo, (tool.name, name, f"{echo} characters echoed", shown[:300])
    assert calls > 40


async def test_a_megabyte_resource_type_is_refused_in_a_short_message(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        result = await client.call_tool("fhir_search", {"resource_type": HUGE + "\u202e\x00", "source": "kaiser"})
    text = text_of(result)
    assert result.is_error
    assert len(text) < 400, len(text)
    assert "is not a FHIR resource type name" in text
    assert "\u202e" not in text and "\x00" not in text


async def test_a_sort_the_facade_refuses_is_a_tool_error_not_an_unsorted_answer(
    kaiser_registry: SourceRegistry,
) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        bogus = await client.call_tool(
            "fhir_search", {"resource_type": "Observation", "source": "kaiser", "params": {"_sort": "bogus"}}
        )
        typed = await client.call_tool("search_observation", {"source": "kaiser", "date": "yesterday-ish"})
        good = await client.call_tool(
            "fhir_search", {"resource_type": "Observation", "source": "kaiser", "params": {"_sort": "-date"}}
        )
    text = text_of(bogus)
    assert bogus.is_error, text
    assert "failed with HTTP 400" in text and "bogus" in text and "Check the search parameter names" in text
    assert re.search(r"<<<BEGIN UNTRUSTED (\w+)>>> .*bogus.* <<<END UNTRUSTED \1>>>", text), text
    assert typed.is_error and "'yesterday-ish' is not a FHIR date" in text_of(typed), text_of(typed)
    assert not good.is_error and "cannot sort" not in text_of(good)
