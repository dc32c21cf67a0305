"""The typed tools (one table row each) through a real MCP client over the sandbox patient's store."""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any

import pytest
from mcp import Client
from mcp_types import CallToolResult, TextContent

from mcp_server import SourceRegistry, build_server
from mcp_server.tools.typed_table import TYPED_TOOLS
from tests.benchmarks.answer_rows import row_refs, source_rows, stated_totals

TODAY = date(2026, 11, 23)


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def call(registry: SourceRegistry, tool: str, **arguments: Any) -> CallToolResult:
    async with Client(build_server(registry, today=lambda: TODAY)) as client:
        return await client.call_tool(tool, arguments)


async def test_every_table_row_is_a_listed_read_only_tool_with_its_filters(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        listed = {tool.name: tool for tool in (await client.list_tools()).tools}
    for spec in TYPED_TOOLS:
        tool = listed[spec.name]
        assert tool.annotations is not None
        assert tool.annotations.read_only_hint is True and tool.annotations.open_world_hint is True
        properties = tool.input_schema["properties"]
        assert {"source", "format", "max_tokens", "cursor", *(f.name for f in spec.filters)} == set(properties)
        assert tool.input_schema.get("required", []) == []
        assert tool.output_schema is None and tool.description == spec.summary


async def test_every_typed_tool_answers_on_the_kaiser_store(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry, today=lambda: TODAY)) as client:
        results = {spec: await client.call_tool(spec.name, {}) for spec in TYPED_TOOLS}
    for spec, result in results.items():
        text = text_of(result)
        assert not result.is_error, (spec.name, text)
        assert text.startswith(f"{spec.resource_type}?"), spec.name
        assert "kaiser total" in text
        assert result.structured_content is None
        assert stated_totals(text).keys() == {"kaiser"}


async def test_lab_rows_are_newest_first_and_friendly_category_maps_to_the_code(
    kaiser_registry: SourceRegistry,
) -> None:
    result = await call(kaiser_registry, "search_observation", category="Labs")
    assert text_of(result).startswith("Observation?category=laboratory&_sort=-date&_count=50 on all sources")
    rows = source_rows(text_of(result))
    assert len(rows) == 41
    assert {source for source, _ in rows} == {"kaiser"}
    dates = [_cells(text_of(result), ref)[1] for _, ref in rows]
    assert dates == sorted(dates, reverse=True)


def _cells(text: str, ref: str) -> list[str]:
    """The cells of the row of `ref` in a rows answer's text."""
    return next(line for line in text.splitlines() if line.startswith(f"{ref} | ")).split(" | ")


async def test_lab_rows_carry_value_unit_range_and_flag(kaiser_registry: SourceRegistry) -> None:
    result = await call(kaiser_registry, "search_observation", code="Potassium", category="laboratory")
    text = text_of(result)
    assert "code=Potassium" in text.splitlines()[0]
    full = await call(kaiser_registry, "search_observation", category="laboratory")
    cells = [_cells(text_of(full), ref) for ref in row_refs(text_of(full))]
    potassium = [row for row in cells if row[2] == "Potassium"]
    assert potassium and all("mmol/L" in row[3] and row[4].startswith("ref 3.5-5") for row in potassium), potassium
    assert any(row[3].endswith(" (H)") for row in potassium), potassium


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        ("search_condition", {"category": "problems"}, "Condition?category=problem-list-item"),
        ("search_condition", {"category": "health concerns"}, "Condition?category=health-concern"),
        ("list_problems", {}, "Condition?category=problem-list-item"),
        ("list_appointments", {"when": "upcoming"}, "Appointment?date=ge2026-11-23&_sort=date&_count=50"),
        ("list_appointments", {"when": "past"}, "Appointment?date=lt2026-11-23&_sort=-date&_count=50"),
        (
            "search_document_reference",
            {"type": "discharge summary", "date": "ge2024-01-01,lt2025-01-01"},
            "DocumentReference?type=http%3A%2F%2Floinc.org%7C18842-5&date=ge2024-01-01&date=lt2025-01-01",
        ),
        ("search_medication_request", {"status": "active"}, "MedicationRequest?status=active&_sort=-authoredon"),
        ("list_upcoming_orders", {}, "ServiceRequest?status=active"),
    ],
)
async def test_friendly_filters_become_fhir_search_parameters(
    kaiser_registry: SourceRegistry, tool: str, arguments: dict[str, str], expected: str
) -> None:
    result = await call(kaiser_registry, tool, source="kaiser", **arguments)
    assert not result.is_error, text_of(result)
    assert text_of(result).startswith(expected)


@pytest.mark.parametrize(
    ("tool", "arguments"), [("search_observation", {"date": "last year"}), ("list_appointments", {"when": "soon"})]
)
async def test_a_bad_filter_value_is_an_actionable_tool_error(
    kaiser_registry: SourceRegistry, tool: str, arguments: dict[str, str]
) -> None:
    result = await call(kaiser_registry, tool, **arguments)
    assert result.is_error
    assert re.search(r"is not a FHIR date|use 'upcoming' or 'past'", text_of(result))


async def test_fhir_format_returns_a_fenced_bundle_within_the_budget(kaiser_registry: SourceRegistry) -> None:
    result = await call(kaiser_registry, "search_medication_request", source="kaiser", format="fhir")
    text = text_of(result)
    body = re.search(r"<<<BEGIN UNTRUSTED (\w+)>>>\n(.*?)\n<<<END UNTRUSTED \1>>>", text, re.DOTALL)
    assert body, text
    bundle = json.loads(body.group(2))
    assert bundle["resourceType"] == "Bundle" and bundle["total"] == 5
    assert [e["resource"]["resourceType"] for e in bundle["entry"]] == ["MedicationRequest"] * 5
    assert text.endswith("All results shown.")
    # The structured copy holds the same resources, under the untrusted key.
    record = (result.structured_content or {})["untrusted_record_data"]
    assert record["rows"] == []
    assert [item["resource"] for item in record["resources"]] == [e["resource"] for e in bundle["entry"]]
    assert {item["source"] for item in record["resources"]} == {"kaiser"}


async def test_unknown_source_lists_the_known_ones(kaiser_registry: SourceRegistry) -> None:
    result = await call(kaiser_registry, "list_allergies", source="healow")
    assert result.is_error
    assert "Unknown source 'healow'. Use one of: 'kaiser'." in text_of(result)
