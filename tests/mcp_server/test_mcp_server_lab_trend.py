"""`lab_trend` across two sources: unit conversion where UCUM allows it, the table, and the PNG chart."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp_types import ImageContent, TextContent

from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.labs.units import convert, dimension
from gateway.store import SqliteStore
from mcp_server import RecordSource, SourceRegistry, build_server
from tests.mcp_server.conftest import kaiser_source
from tests.mcp_server.seeded_store import SYNCED_AT


def glucose(ident: str, day: str, value: float, unit: str, low: float, high: float) -> dict[str, Any]:
    return {
        "resourceType": "Observation",
        "id": ident,
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}
        ],
        "code": {"text": "Glucose, fasting", "coding": [{"system": "http://loinc.org", "code": "1558-6"}]},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": day,
        "valueQuantity": {"value": value, "unit": unit},
        "referenceRange": [{"low": {"value": low, "unit": unit}, "high": {"value": high, "unit": unit}}],
        "interpretation": [{"coding": [{"code": "H" if value > high else "N"}]}],
    }


async def test_trend_merges_sources_converts_units_and_draws_a_chart(seeded: SqliteStore, tmp_path: Path) -> None:
    practice_store = SqliteStore.open(tmp_path / "practice.sqlite3")
    practice_store.write_surface(
        "labs",
        [glucose("g1", "2025-06-01", 1.12, "g/L", 0.7, 0.99), glucose("g2", "2026-03-01", 0.5, "mmol/L", 3.9, 5.5)],
        now=SYNCED_AT,
    )
    practice = RecordSource("valley", in_process_kaiser_client(practice_store))
    registry = SourceRegistry({"kaiser": kaiser_source(seeded), "valley": practice})
    async with Client(build_server(registry)) as client:
        result = await client.call_tool("lab_trend", {"code_or_name": "glucose"})
    await registry.aclose()
    practice_store.close()
    assert not result.is_error
    text_block, image = result.content
    assert isinstance(text_block, TextContent) and isinstance(image, ImageContent)
    lines = text_block.text.splitlines()
    assert lines[0].startswith("'glucose': 4 results 2023-02-01..2026-03-01 from kaiser, valley; in the unit below:")
    assert "unit: mg/dL" in lines and lines.index("unit: mg/dL") == 3  # first line inside the fence
    assert "2025-06-01 | 112 (from 1.12 g/L) | H | 70-99 | valley | Observation/g1" in lines
    assert "2026-03-01 | 0.5 mmol/L (not convertible) | N | 3.9-5.5 | valley | Observation/g2" in lines
    assert "- 1 results in units not convertible to the unit above are not charted" in lines
    assert image.mime_type == "image/png"
    assert base64.b64decode(image.data).startswith(b"\x89PNG\r\n\x1a\n")


async def test_no_match_says_so_without_a_chart(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        result = await client.call_tool("lab_trend", {"code_or_name": "ferritin", "chart": True})
    assert [type(block) for block in result.content] == [TextContent]
    assert "No numeric results found for 'ferritin'." in result.content[0].text  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("value", "unit", "target", "expected"),
    [
        (1.12, "g/L", "mg/dL", 112.0),
        (5400, "umol/L", "mmol/L", 5.4),
        (7.2, "K/uL", "10*9/L", 7.2),
        (90, "mg/dL", "mmol/L", None),
    ],
)
def test_unit_conversion_only_within_a_dimension(value: float, unit: str, target: str, expected: float | None) -> None:
    converted = convert(value, unit, target)
    assert converted == pytest.approx(expected) if expected is not None else converted is None


def test_unknown_units_have_no_dimension() -> None:
    assert dimension("mg/dL") == "mass/vol"
    assert dimension("furlongs") is None


async def test_trend_names_the_test_and_the_status_once_and_a_different_status_on_its_row(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path / "labs.sqlite3")
    pending = {**glucose("g2", "2026-03-01", 120, "mg/dL", 70, 99), "status": "preliminary"}
    store.write_surface("labs", [glucose("g1", "2025-06-01", 90, "mg/dL", 70, 99), pending], now=SYNCED_AT)
    registry = SourceRegistry({"valley": RecordSource("valley", in_process_kaiser_client(store))})
    async with Client(build_server(registry)) as client:
        result = await client.call_tool("lab_trend", {"code_or_name": "1558-6", "chart": False})
    await registry.aclose()
    store.close()

    lines = str(result.content[0].text).splitlines()
    assert lines[3:6] == ["unit: mg/dL", "test: Glucose, fasting", "status: final unless a row says otherwise"]
    assert "2026-03-01 | 120 (preliminary) | H | 70-99 | valley | Observation/g2" in lines
    assert "2025-06-01 | 90 | N | 70-99 | valley | Observation/g1" in lines
