"""What a client learns before its first question: version, capabilities, titles, descriptions, and the first
page's request (issue 15, "Fewer tokens before the first question")."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx2
import pytest
from mcp import Client
from mcp_types import TextContent

from fhir_client import FhirClient
from mcp_server import RecordSource, SourceRegistry, build_server
from mcp_server.server_identity import package_version
from mcp_server.tools.typed_table import TYPED_TOOLS
from mcp_server.tools.typed_tools import tool_title
from tests.benchmarks.answer_rows import row_refs


async def test_server_reports_its_version_and_only_the_tools_capability(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        info = client.server_info
        capabilities = client.server_capabilities
    assert info is not None and info.version == package_version() != ""
    assert capabilities.tools is not None
    assert capabilities.prompts is None and capabilities.resources is None


async def test_titles_are_whole_phrases_not_cut_at_a_comma(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
    assert tools["get_patient"].title == "The patient's demographics from each source"
    assert tools["search_observation"].title == "Observations, newest first"
    for spec in TYPED_TOOLS:
        title = tools[spec.name].title or ""
        assert title == tool_title(spec.summary)
        assert title.count("(") == title.count(")") and len(title) > 8, title


async def test_everything_says_since_is_when_fhirgate_stored_a_resource(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        tool = next(t for t in (await client.list_tools()).tools if t.name == "fhir_everything")
    description = " ".join((tool.description or "").split())
    assert 'since my last visit": pass' not in description
    assert "when fhirgate stored or last updated a resource" in description
    assert "stored or updated" in tool.input_schema["properties"]["since"]["description"]


SEEN: list[httpx2.URL] = []


def two_pages(request: httpx2.Request) -> httpx2.Response:
    SEEN.append(request.url)
    page = request.url.params.get("_page")
    entry = [{"resource": {"resourceType": "Condition", "id": f"c{page or 1}"}, "search": {"mode": "match"}}]
    links = [] if page else [{"relation": "next", "url": "https://ehr.example/fhir/Condition?_page=2"}]
    return httpx2.Response(200, json={"resourceType": "Bundle", "type": "searchset", "link": links, "entry": entry})


@pytest.fixture
async def practice() -> AsyncIterator[SourceRegistry]:
    client = FhirClient("https://ehr.example/fhir", bearer_token="t", transport=httpx2.MockTransport(two_pages))
    registry = SourceRegistry({"clinic": RecordSource("clinic", client, kind="practice")})
    yield registry
    await registry.aclose()


async def test_the_first_page_does_not_ask_for_a_count(practice: SourceRegistry) -> None:
    SEEN.clear()
    async with Client(build_server(practice)) as client:
        result = await client.call_tool("search_condition", {"source": "clinic"})
    text = "\n".join(b.text for b in result.content if isinstance(b, TextContent))
    assert SEEN and all("_total" not in url.params for url in SEEN)
    assert "total not reported" in text.splitlines()[0]
    assert row_refs(text) == ["Condition/c1", "Condition/c2"]
