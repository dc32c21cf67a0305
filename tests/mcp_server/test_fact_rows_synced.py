"""No fact lost, on the sandbox's small patient as a real in-process sync stored it: the facts are read from
the stored resources (not listed by hand) and each must appear in the typed tool's answer."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from mcp import Client
from mcp_types import TextContent

from conformance.sandbox_portal import SandboxPortal
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from mcp_server import SourceRegistry, build_server
from mcp_server.rows.fhir_text import concept_text, human_name, reference_text
from sandbox.patient import generate_patient
from tests.mcp_server.conftest import kaiser_source

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def synced(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SqliteStore]:
    portal = SandboxPortal(generate_patient(1))
    portal.config.pdf_generating_calls = 0
    store = SqliteStore.open(Path(tmp_path_factory.mktemp("facts")) / "kaiser.sqlite3")
    async with await portal.client() as client:
        report = await SyncEngine(client, store, clock=lambda: datetime.now(UTC)).run()
    assert report.ok, report.surfaces
    yield store
    store.close()


def _members(team: dict[str, Any]) -> list[str]:
    facts = []
    for participant in team.get("participant") or []:
        facts.append(reference_text(participant.get("member")))
        facts += [concept_text(role) for role in participant.get("role") or []]
    return facts


def _device(device: dict[str, Any]) -> list[str]:
    facts = [name["name"] for name in device.get("deviceName") or []]
    facts += [device[key] for key in ("manufacturer", "serialNumber") if key in device]
    return facts + [u.get("carrierHRF") or u["deviceIdentifier"] for u in device.get("udiCarrier") or []]


def _contact(person: dict[str, Any]) -> list[str]:
    facts = [human_name(person.get("name"))] + [concept_text(r) for r in person.get("relationship") or []]
    return facts + [point["value"] for point in person.get("telecom") or []]


CASES: list[tuple[str, str, dict[str, Any], Callable[[dict[str, Any]], list[str]]]] = [
    ("list_care_team", "CareTeam", {}, _members),
    ("list_implants", "Device", {}, _device),
    ("fhir_search", "RelatedPerson", {"resource_type": "RelatedPerson"}, _contact),
    ("list_upcoming_orders", "ServiceRequest", {}, lambda order: [order.get("patientInstruction", "")]),
]


@pytest.mark.parametrize(("tool", "resource_type", "arguments", "facts_of"), CASES, ids=[c[0] for c in CASES])
async def test_every_fact_of_every_resource_is_in_the_answer(
    synced: SqliteStore,
    tool: str,
    resource_type: str,
    arguments: dict[str, Any],
    facts_of: Callable[[dict[str, Any]], list[str]],
) -> None:
    registry = SourceRegistry({"kaiser": kaiser_source(synced)})
    try:
        async with Client(build_server(registry)) as client:
            result = await client.call_tool(tool, {"source": "kaiser", "max_tokens": 50_000, **arguments})
            stored = [r async for r in registry.get("kaiser").iterate_resources(resource_type, {"_count": "100"})]
    finally:
        await registry.aclose()
    text = " ".join(" ".join(b.text for b in result.content if isinstance(b, TextContent)).split())
    assert not result.is_error, text
    if tool == "list_upcoming_orders":
        stored = [r for r in stored if r.get("status") == "active"]
    facts = [" ".join(fact.split()) for resource in stored for fact in facts_of(resource) if fact and fact.strip()]
    assert facts, f"the sandbox patient has no {resource_type} facts to check"
    assert [fact for fact in facts if fact not in text] == []
    assert "cut at" not in text
