"""The MCP server's Kaiser source in-process: FhirClient -> httpx2.ASGITransport -> facade -> store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from fhirgate.commands.serve import build_facade
from fhirgate.kaiser_source import SURFACE_TYPES, SyncRefresher, home_kaiser_source, in_process_kaiser_client
from fhirgate.mcp_sources import mcp_registry
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.write_wiring import write_operations
from gateway.facade import RefreshPolicy
from gateway.search import parse_search
from gateway.store import SqliteStore
from sandbox.portal.fault_spec import parse_faults
from tests.sync.portal_harness import make_portal

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


def _outcomes(bundle: dict[str, Any]) -> list[str]:
    entries = bundle.get("entry", [])
    return [e["resource"]["issue"][0]["diagnostics"] for e in entries if e["search"]["mode"] == "outcome"]


async def test_searches_refresh_through_the_sync_engine_and_serve_stored_data_when_kaiser_fails(
    tmp_path: Path,
) -> None:
    portal = make_portal()
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    policy = RefreshPolicy(SyncRefresher(store, portal.client), SURFACE_TYPES)
    async with in_process_kaiser_client(store, refresh=policy) as fhir:
        first = await fhir.search("Observation", {"_count": "500"})
        labs = [e["resource"]["id"] for e in first.get("entry", []) if e["search"]["mode"] == "match"]
        assert len(labs) == len(store.search(parse_search("Observation", [("_count", "500")])).entries) > 0
        assert {s.surface for s in store.surface_states()} == {"profile", "test-results"}
        await fhir.search("DiagnosticReport", {})  # same surface, fresh now: no second sign-in
        assert portal.logins == 1

    portal.config.faults = parse_faults("expire-after=1")
    portal.fail_relogin = True
    always = RefreshPolicy(SyncRefresher(store, portal.client), SURFACE_TYPES, ttl=timedelta(0))
    async with in_process_kaiser_client(store, refresh=always) as fhir:
        stale = await fhir.search("Observation", {"_count": "500"})
    served = [e["resource"]["id"] for e in stale["entry"] if e["search"]["mode"] == "match"]
    assert sorted(served) == sorted(labs)
    (outcome,) = [o for o in _outcomes(stale) if "could not be refreshed" in o]
    assert "fhirgate login kaiser" in outcome and " old)" in outcome
    store.close()


async def test_serve_and_mcp_report_the_same_warnings_for_one_home(tmp_path: Path) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path)})
    secrets = SecretStore.for_settings(settings)
    store = SqliteStore.open(settings.store_path)
    store.write_surface("test-results", [_observation("o1", 4.1)], now=NOW)
    writes = write_operations(settings, secrets, offline=True)
    source = home_kaiser_source(settings, secrets, store, writes=writes, offline=True, ttl=timedelta(minutes=15))
    served = build_facade(source, token="t", host="127.0.0.1", port=8765, cors_origins=[])
    registry = mcp_registry(settings, secrets, store, writes=writes, offline=True, ttl_minutes=15)
    try:
        with TestClient(served, base_url="http://127.0.0.1:8765", headers={"Authorization": "Bearer t"}) as http:
            async with registry.get("kaiser") as mcp:
                warnings = {}
                for resource_type in ("Observation", "MedicationRequest", "Condition"):
                    by_serve = http.get(f"/fhir/{resource_type}")
                    by_mcp = await mcp.search(resource_type, {})
                    assert by_serve.status_code == 200
                    assert _outcomes(by_serve.json()) == _outcomes(by_mcp)
                    warnings[resource_type] = _outcomes(by_mcp)
                assert warnings["Observation"] == []  # its one surface (test-results) has synced
                assert "surface medications has never synced" in warnings["MedicationRequest"][0]
                assert "surface problems has never synced" in warnings["Condition"][0]
                observations = await mcp.search("Observation", {})
                assert [e["resource"]["id"] for e in observations["entry"] if e["search"]["mode"] == "match"] == ["o1"]
    finally:
        store.close()
