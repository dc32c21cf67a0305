"""Cursor continuation over the real facade: exact mid-page resumption, and refusal of altered or foreign cursors."""

from __future__ import annotations

import re
from typing import Any

from mcp import Client
from mcp_types import CallToolResult, TextContent

from mcp_server import SourceRegistry, build_server
from tests.benchmarks.answer_rows import row_refs


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def cursor_in(text: str) -> str | None:
    match = re.search(r'cursor="([^"]+)"', text)
    return match.group(1) if match else None


async def collect(client: Client, tool: str, arguments: dict[str, Any]) -> tuple[list[str], list[str]]:
    ids: list[str] = []
    texts: list[str] = []
    cursor = None
    while True:
        result = await client.call_tool(tool, {**arguments, **({"cursor": cursor} if cursor else {})})
        assert not result.is_error, text_of(result)
        texts.append(text_of(result))
        ids += row_refs(texts[-1])
        if (cursor := cursor_in(texts[-1])) is None:
            return ids, texts


async def test_continuing_mid_page_and_across_pages_gives_every_row_once_in_order(
    kaiser_registry: SourceRegistry,
) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        whole = await client.call_tool("search_observation", {"source": "kaiser", "max_tokens": 50_000})
        expected = row_refs(text_of(whole))
        small, texts = await collect(client, "search_observation", {"source": "kaiser", "max_tokens": 500})
        paged, paged_texts = await collect(
            client,
            "fhir_search",
            {
                "source": "kaiser",
                "resource_type": "Observation",
                "params": {"_count": "7", "_sort": "-date"},
                "max_tokens": 700,
            },
        )
        counted = text_of(
            await client.call_tool(
                "fhir_search",
                {
                    "source": "kaiser",
                    "resource_type": "Observation",
                    "params": {"_count": "7", "_sort": "-date", "_total": "accurate"},
                    "max_tokens": 700,
                },
            )
        )
    assert len(expected) == 41
    assert small == expected
    assert paged == expected
    # Pages of 7 never hold the whole result, and fhirgate does not force a count (it costs more than
    # the page): the reply says the total is not reported and that more rows remain.
    for text in paged_texts[:-1]:
        assert re.search(r": kaiser total not reported, rows", text), text
        assert "More rows not shown" in text
    assert len(texts) >= 4
    # Asked for, the count is given on every page.
    assert re.search(r": kaiser total 41, rows 1-\d+$", counted, re.MULTILINE), counted
    assert re.search(r"\d+ more rows not shown", counted)
    first = texts[0]
    shown = len(re.findall(r"^Observation/", first, re.MULTILINE))
    assert f"{41 - shown} more rows not shown." in first
    assert texts[-1].endswith("All results shown.")


async def test_each_reply_stays_within_the_token_budget(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        ids, texts = await collect(client, "search_observation", {"max_tokens": 800})
    # The conservative estimates: record rows at 2 bytes per token (o200k measures 2.2-2.9 on these answers),
    # fhirgate's own frame (header, legend, fence lines, tail and cursor) at 2.5 (o200k: 2.6-4.0).
    for text in texts:
        lines = text.splitlines()
        rows = [line for line in lines if line.startswith(tuple(f"{ref} " for ref in ids))]
        frame = [line for line in lines if line not in rows]
        assert rows
        assert len("\n".join(rows).encode()) / 2 + len("\n".join(frame).encode()) / 2.5 <= 800


async def test_a_tampered_cursor_is_refused(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        first = await client.call_tool("search_observation", {"max_tokens": 500})
        cursor = cursor_in(text_of(first))
        assert cursor
        prefix, body, mac = cursor.split(".")
        flipped = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1]
        result = await client.call_tool(
            "search_observation", {"max_tokens": 500, "cursor": f"{prefix}.{flipped}.{mac}"}
        )
    assert result.is_error
    assert "signature does not match" in text_of(result)


async def test_a_cursor_for_another_query_or_tool_is_refused(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        first = await client.call_tool("search_observation", {"category": "laboratory", "max_tokens": 500})
        cursor = cursor_in(text_of(first))
        other_filter = await client.call_tool("search_observation", {"category": "vital-signs", "cursor": cursor})
        other_tool = await client.call_tool("search_medication_request", {"cursor": cursor})
        other_source = await client.call_tool(
            "search_observation", {"category": "laboratory", "source": "kaiser", "cursor": cursor}
        )
        budget_change = await client.call_tool("search_observation", {"category": "laboratory", "cursor": cursor})
    for refused in (other_filter, other_tool, other_source):
        assert refused.is_error
        assert "belongs to a different query or source" in text_of(refused)
    assert not budget_change.is_error


async def test_a_cursor_from_another_server_process_is_refused(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        cursor = cursor_in(text_of(await client.call_tool("search_observation", {"max_tokens": 500})))
    async with Client(build_server(kaiser_registry)) as restarted:
        result = await restarted.call_tool("search_observation", {"max_tokens": 500, "cursor": cursor})
    assert result.is_error
    assert "issued by another fhirgate server process" in text_of(result)
