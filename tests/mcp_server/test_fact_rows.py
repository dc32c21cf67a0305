"""No fact lost: each row a typed tool renders carries the facts users ask about (issue 15)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from mcp import Client
from mcp_types import CallToolResult, TextContent

from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.store import SqliteStore
from mcp_server import RecordSource, SourceRegistry, build_server
from tests.mcp_server.conftest import kaiser_source

MEMBERS = [
    ("JESSICA MARIE SAMPLE-EXAMPLE MD", "Primary Care Physician"),
    ("ROBERT ALLEN EXAMPLEMAN DO", "Cardiologist"),
    ("PATRICIA LOUISE SAMPLETON NP", "Nurse Practitioner"),
    ("MICHAEL JAMES TESTWORTHY PHARMD", "Clinical Pharmacist"),
]
RESOURCES: list[dict[str, Any]] = [
    {
        "resourceType": "CareTeam",
        "id": "team1",
        "status": "active",
        "name": "Care team",
        "participant": [
            {"role": [{"text": role}], "member": {"reference": f"Practitioner/pr{i}", "display": name}}
            for i, (name, role) in enumerate(MEMBERS)
        ],
    },
    {
        "resourceType": "Device",
        "id": "dev1",
        "status": "active",
        "type": {"text": "Cardiac pacemaker"},
        "deviceName": [{"name": "Sample Pacer 1000", "type": "user-friendly-name"}],
        "manufacturer": "Example Medical",
        "serialNumber": "SN-4711",
        "udiCarrier": [{"deviceIdentifier": "00844588003288", "carrierHRF": "(01)00844588003288(21)SN-4711"}],
    },
    {
        "resourceType": "RelatedPerson",
        "id": "rp1",
        "patient": {"reference": "Patient/p1"},
        "name": [{"text": "Jordan Example"}],
        "relationship": [{"text": "Emergency contact"}, {"text": "Spouse"}],
        "telecom": [{"system": "phone", "value": "555-0142", "use": "mobile"}],
    },
    {
        "resourceType": "Organization",
        "id": "org1",
        "name": "Example Valley Medical Center",
        "telecom": [{"system": "phone", "value": "555-0100"}],
        "address": [{"line": ["1 Sample Way"], "city": "Oakland", "state": "CA"}],
    },
    {
        "resourceType": "ServiceRequest",
        "id": "sr1",
        "status": "active",
        "intent": "order",
        "subject": {"reference": "Patient/p1"},
        "code": {"text": "Lipid panel"},
        "authoredOn": "2026-11-01",
        "patientInstruction": "Fast for 12 hours before the blood draw.",
    },
    {"resourceType": "Practitioner", "id": "alex", "name": [{"text": "ALEX SAMPLE MD"}]},
    {
        "resourceType": "Appointment",
        "id": "ap1",
        "status": "booked",
        "extension": [{"url": "urn:fhirgate:kaiser:extension:date-only", "valueDate": "2026-12-04"}],
        "serviceType": [{"text": "Eye exam"}],
        "start": "2026-12-04T12:00:00Z",
        "participant": [{"actor": {"reference": "Patient/p1"}, "status": "accepted"}],
    },
]


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


@pytest.fixture
async def registry(tmp_path: Path) -> AsyncIterator[SourceRegistry]:
    stores = [SqliteStore.open(tmp_path / f"{name}.sqlite3") for name in ("kaiser", "practice")]
    for store in stores:
        store.write_surface("profile", [dict(r) for r in RESOURCES], now=datetime(2026, 11, 20, tzinfo=UTC))
    practice = RecordSource("valley-clinic", in_process_kaiser_client(stores[1]), kind="practice")
    sources = SourceRegistry({"kaiser": kaiser_source(stores[0]), "valley-clinic": practice})
    yield sources
    await sources.aclose()
    for store in stores:
        store.close()


async def call(registry: SourceRegistry, tool: str, **arguments: Any) -> str:
    async with Client(build_server(registry)) as client:
        result = await client.call_tool(tool, {"source": "kaiser", **arguments})
    text = text_of(result)
    assert not result.is_error, text
    return text


async def test_care_team_shows_every_member_and_role_uncut(registry: SourceRegistry) -> None:
    text = await call(registry, "list_care_team")
    for name, role in MEMBERS:
        assert f"{name} ({role})" in text
    assert "…" not in text and "All results shown." in text


async def test_implant_rows_name_the_device_its_maker_serial_and_udi(registry: SourceRegistry) -> None:
    text = await call(registry, "list_implants")
    row = next(line for line in text.splitlines() if line.startswith("Device/dev1"))
    for fact in ("Cardiac pacemaker", "Sample Pacer 1000", "Example Medical", "SN-4711", "(01)00844588003288"):
        assert fact in row


async def test_emergency_contact_and_organization_rows_carry_name_relationship_and_telecom(
    registry: SourceRegistry,
) -> None:
    text = await call(registry, "fhir_search", resource_type="RelatedPerson")
    row = next(line for line in text.splitlines() if line.startswith("RelatedPerson/rp1"))
    for fact in ("Jordan Example", "Emergency contact", "Spouse", "555-0142"):
        assert fact in row
    text = await call(registry, "fhir_search", resource_type="Organization")
    row = next(line for line in text.splitlines() if line.startswith("Organization/org1"))
    for fact in ("Example Valley Medical Center", "555-0100", "Oakland"):
        assert fact in row


async def test_upcoming_orders_carry_the_patient_instructions(registry: SourceRegistry) -> None:
    text = await call(registry, "list_upcoming_orders")
    assert "ServiceRequest/sr1 patient instructions: Fast for 12 hours before the blood draw." in text


@pytest.mark.parametrize("source", ["kaiser", "valley-clinic"])
async def test_practitioner_matches_any_part_of_the_name(registry: SourceRegistry, source: str) -> None:
    text = await call(registry, "get_practitioner", name="sample", source=source)
    assert "Practitioner/alex | ALEX SAMPLE MD" in text


async def test_a_date_only_visit_shows_its_day_without_a_time(registry: SourceRegistry) -> None:
    text = await call(registry, "list_appointments")
    row = next(line for line in text.splitlines() if line.startswith("Appointment/ap1"))
    assert "2026-12-04 (no time given)" in row
    assert "12:00" not in row and "00:00" not in row
