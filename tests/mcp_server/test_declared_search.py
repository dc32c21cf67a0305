"""A practice search is checked against the practice's CapabilityStatement before it is sent."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx2
import pytest
from mcp import Client
from mcp_types import CallToolResult, TextContent

from fhir_client import FhirClient
from fhirgate.kaiser_source import in_process_kaiser_client
from mcp_server import RecordSource, SourceRegistry, build_server
from tests.mcp_server.seeded_store import seed_store


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def silent_metadata(request: httpx2.Request) -> httpx2.Response:
    """A practice that publishes no CapabilityStatement, and finds nothing."""
    if request.url.path.endswith("/metadata"):
        return httpx2.Response(404, json={"resourceType": "OperationOutcome", "issue": []})
    return httpx2.Response(200, json={"resourceType": "Bundle", "type": "searchset", "total": 0, "entry": []})


@pytest.fixture
async def practices(tmp_path: Path) -> AsyncIterator[SourceRegistry]:
    store = seed_store(tmp_path / "practice.sqlite3", seed=2)
    valley = RecordSource("valley", in_process_kaiser_client(store), kind="practice")
    transport = httpx2.MockTransport(silent_metadata)
    quiet = RecordSource("quiet", FhirClient("https://ehr.quiet.example/fhir", transport=transport), kind="practice")
    registry = SourceRegistry({"valley": valley, "quiet": quiet})
    yield registry
    await registry.aclose()
    store.close()


async def search(registry: SourceRegistry, source: str, params: dict[str, Any]) -> CallToolResult:
    async with Client(build_server(registry)) as client:
        return await client.call_tool(
            "fhir_search", {"resource_type": "Observation", "source": source, "params": params}
        )


async def test_a_sort_key_or_parameter_the_practice_does_not_declare_is_refused_with_its_list(
    practices: SourceRegistry,
) -> None:
    for params, refused in (({"_sort": "-bogus"}, "_sort=bogus"), ({"colour": "red", "code": "x"}, "colour")):
        result = await search(practices, "valley", params)
        text = text_of(result)
        assert result.is_error, text
        assert f"Source 'valley' does not declare {refused} for Observation searches" in text
        declared = re.search(r"It declares <<<BEGIN UNTRUSTED (\w+)>>> (.*) <<<END UNTRUSTED \1>>>", text)
        assert declared is not None and "date" in declared.group(2).split(", "), text


async def test_declared_parameters_and_sort_keys_are_searched_and_sorted(practices: SourceRegistry) -> None:
    result = await search(practices, "valley", {"_sort": "-date", "category": "laboratory"})
    text = text_of(result)
    assert not result.is_error, text
    assert "valley total" in text.splitlines()[0] and "cannot sort" not in text


async def test_a_practice_without_a_capability_statement_decides_for_itself(practices: SourceRegistry) -> None:
    result = await search(practices, "quiet", {"_sort": "bogus"})
    assert not result.is_error, text_of(result)
    assert "No matching rows" in text_of(result)
