"""The whole path, for real: sandbox kp.org on loopback -> headless Chromium login -> sync ->
facade over HTTP -> fhir_client -> MCP tool call, asserting on the values the sandbox generated."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp.types import TextContent

from fhir_client import FhirClient
from fhirgate.serving import serve_in_thread
from gateway.facade import FacadeSettings, create_facade_app
from gateway.kaiser.errors import LoginFailed
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.table import SURFACE_NAMES
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from mcp_server import SourceRegistry, build_server
from sandbox.portal import FaultSwitches
from tests.e2e.harness import RememberedDevice, Sandbox

pytestmark = pytest.mark.browser
TOKEN = "e2e-facade-token"


def _numeric_lab_values(sandbox: Sandbox) -> list[tuple[str, str]]:
    """(component display name, value string the portal shows) for every numeric LAB component."""
    values: list[tuple[str, str]] = []
    for order in sandbox.patient.lab_orders:
        for result in order.detail.get("results", []):
            if result.get("orderMetadata", {}).get("resultType") != "LAB":
                continue
            for component in result.get("resultComponents", []):
                info = component["componentInfo"]
                value = component["componentResultInfo"]["value"]
                if isinstance(component["componentResultInfo"].get("numericValue"), int | float):
                    values.append((info.get("commonName") or info["name"], value))
    return values


async def _sync(sandbox: Sandbox, tmp_path: Path) -> tuple[SqliteStore, Any]:
    session = await sandbox.login(None)
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    async with PortalClient(sandbox.kaiser, session) as client:
        report = await SyncEngine(client, store, clock=lambda: datetime(2026, 11, 23, tzinfo=UTC)).run()
    return store, report


async def test_lab_values_travel_from_portal_to_mcp_answer(sandbox: Sandbox, tmp_path: Path) -> None:
    store, report = await _sync(sandbox, tmp_path)
    assert report.ok, report.surfaces
    assert [r.surface for r in report.surfaces] == list(SURFACE_NAMES)
    expected = _numeric_lab_values(sandbox)
    assert expected

    with serve_in_thread(create_facade_app(store, FacadeSettings(token=TOKEN))) as facade:
        base = f"{facade.base_url}/fhir"
        async with FhirClient(base, bearer_token=TOKEN) as fhir:
            observations = [
                o async for o in fhir.iterate_resources("Observation", {"category": "laboratory", "_count": "5"})
            ]
            served = sorted(
                (o["code"]["text"], float(o["valueQuantity"]["value"]))
                for o in observations
                if "comparator" not in o.get("valueQuantity", {"comparator": None})
            )
            assert served == sorted((name, float(value)) for name, value in expected)
            patient = await fhir.read("Patient", report.patient_id)
            assert (
                patient["birthDate"]
                == sandbox.patient.profile["UserAccountData"]["ebizAccountsWithPersonInfos"]["dateOfBirth"]
            )
            active = await fhir.search("MedicationRequest", {"status": "active"})
            assert active["type"] == "searchset" and active.get("total", 0) >= 1

            server = build_server(SourceRegistry({"kaiser": fhir}))
            async with Client(server) as mcp:
                result = await mcp.call_tool(
                    "fhir_search",
                    {"source": "kaiser", "resource_type": "Observation", "params": {"category": "laboratory"}},
                )
    assert not result.is_error
    text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
    rows = text.splitlines()
    assert f"total {len(observations)}" in rows[0]
    shown = [(name, value) for name, value in expected if any(name in row and value in row for row in rows)]
    assert shown, "no generated lab value appears in the MCP answer"
    store.close()


async def test_second_login_with_the_remembered_device_skips_mfa(sandbox: Sandbox) -> None:
    device = RememberedDevice()
    await sandbox.login(device)
    texts_after_first = len(sandbox.outbox)
    session = await sandbox.login(device)
    assert len(sandbox.outbox) == texts_after_first
    assert any(cookie["name"] == "MyChartSessionToken4mychartcn" for cookie in session.cookies)


async def test_wrong_password_fails_with_one_clear_reason(sandbox: Sandbox) -> None:
    with pytest.raises(LoginFailed, match="username or password was not accepted"):
        await sandbox.login(None, password="not-the-password")
    assert len(sandbox.outbox) == 0


async def test_wrong_mfa_code_fails_with_one_clear_reason(sandbox: Sandbox) -> None:
    device = RememberedDevice()
    with pytest.raises(LoginFailed, match="MFA code was not accepted"):
        await sandbox.login(device, code="000000")
    assert device.state is None  # a failed sign-in teaches the memory nothing


async def test_malformed_lab_detail_is_skipped_and_the_search_says_partial(
    sandbox: Sandbox, faults: FaultSwitches, tmp_path: Path
) -> None:
    broken = sandbox.patient.lab_orders[0]
    faults.malformed_detail_keys.add(broken.list_entry["key"])
    store, report = await _sync(sandbox, tmp_path)

    labs = next(r for r in report.surfaces if r.surface == "test-results")
    assert labs.ok and labs.failed == 1
    assert any("skipped" in problem and broken.list_entry["name"] in problem for problem in labs.problems)

    with serve_in_thread(create_facade_app(store, FacadeSettings(token=TOKEN))) as facade:
        async with FhirClient(f"{facade.base_url}/fhir", bearer_token=TOKEN) as fhir:
            bundle = await fhir.search("DiagnosticReport", {})
    reports = [e for e in bundle["entry"] if e.get("search", {}).get("mode") == "match"]
    outcomes = [e for e in bundle["entry"] if e.get("search", {}).get("mode") == "outcome"]
    assert len(reports) == len(sandbox.patient.lab_orders) - 1
    assert outcomes and "test-results" in outcomes[0]["resource"]["issue"][0]["diagnostics"]
    store.close()
