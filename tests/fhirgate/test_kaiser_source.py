"""The MCP server's Kaiser source in-process: FhirClient -> httpx2.ASGITransport -> facade -> store."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.store import SqliteStore

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def _observation(oid: str, value: float) -> dict[str, object]:
    return {
        "resourceType": "Observation",
        "id": oid,
        "status": "final",
        "category": [
            {"coding": [{"system": "http://terminology.hl7.org/CodeSystem/observation-category", "code": "laboratory"}]}
        ],
        "code": {"text": "Potassium"},
        "subject": {"reference": "Patient/p1"},
        "effectiveDateTime": "2025-01-10",
        "valueQuantity": {"value": value, "unit": "mmol/L"},
    }


async def test_in_process_client_reads_and_pages_the_store_through_the_real_facade(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    store.write_surface("test-results", [_observation(f"o{i}", 4.0 + i / 10) for i in range(7)], now=NOW)
    async with in_process_kaiser_client(store) as fhir:
        values = [
            o["valueQuantity"]["value"]
            async for o in fhir.iterate_resources("Observation", {"category": "laboratory", "_count": "3"})
        ]
        assert sorted(values) == [4.0 + i / 10 for i in range(7)]
        assert (await fhir.read("Observation", "o3"))["valueQuantity"]["value"] == 4.3
        assert (await fhir.capabilities())["fhirVersion"] == "4.0.1"
    store.close()
