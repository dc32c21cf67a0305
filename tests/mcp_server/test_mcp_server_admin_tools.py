"""`list_sources`, `whoami`, `get_capability_statement`, `kaiser_login_status`, `record_summary`, and source status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import httpx2
from mcp import Client
from mcp_types import CallToolResult, TextContent

from fhir_client import FhirClient
from gateway.store import SqliteStore
from mcp_server import RecordSource, SourceRegistry, build_server
from mcp_server.sources.surface_status import status_from_surfaces
from tests.mcp_server.conftest import kaiser_source


def text_of(result: CallToolResult) -> str:
    assert not result.is_error, result.content
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def call(registry: SourceRegistry, tool: str, **arguments: Any) -> str:
    async with Client(build_server(registry)) as client:
        return text_of(await client.call_tool(tool, arguments))


async def test_list_sources_gives_state_last_sync_and_reachability(kaiser_registry: SourceRegistry) -> None:
    text = await call(kaiser_registry, "list_sources")
    assert text.splitlines() == [
        "kaiser (kaiser, http://127.0.0.1/fhir)",
        "  state ready, last sync 2026-11-20T09:30+00:00",
        "  reachable, patient record updated 2026-11-20T09:30:00.000Z",
    ]


async def test_an_unreachable_practice_is_listed_with_its_fix(seeded: SqliteStore) -> None:
    def down(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(401, json={"resourceType": "OperationOutcome", "issue": []})

    client = FhirClient("https://ehr.example/fhir", bearer_token="t", transport=httpx2.MockTransport(down))
    registry = SourceRegistry({"kaiser": kaiser_source(seeded), "valley": RecordSource("valley", client)})
    text = await call(registry, "list_sources")
    await registry.aclose()
    assert "valley (practice, https://ehr.example/fhir)" in text
    assert "not reachable: practice 'valley''s authorization expired or its refresh token was revoked" in text


async def test_whoami_names_the_patient(kaiser_registry: SourceRegistry) -> None:
    text = await call(kaiser_registry, "whoami")
    lines = text.splitlines()
    assert lines[0].startswith("The patient data between the ") and lines[1] == "kaiser:"
    assert (
        re.fullmatch(r"<<<BEGIN UNTRUSTED (\w+)>>>", lines[2]) and lines[4] == f"<<<END UNTRUSTED {lines[2][19:-3]}>>>"
    )
    assert lines[3].startswith("Patient/") and lines[3].endswith("Jordan Q Specimen, born 1959-05-04, female")


async def test_capability_statement_is_summarised(kaiser_registry: SourceRegistry) -> None:
    text = await call(kaiser_registry, "get_capability_statement", source="kaiser")
    lines = text.splitlines()
    assert lines[0] == "What source kaiser says it supports:" and "untrusted" in lines[1]
    assert lines[3].startswith("kaiser: fhirgate, FHIR 4.0.1")
    observation = next(line for line in lines if line.startswith("Observation:"))
    assert "search-type" in observation
    assert {"code", "date", "category"} <= set(observation.split("; ")[1].split(","))


async def test_kaiser_login_status_says_how_to_sign_in(kaiser_registry: SourceRegistry) -> None:
    text = await call(kaiser_registry, "kaiser_login_status")
    assert "kaiser: state ready, last sync 2026-11-20T09:30+00:00" in text
    assert '"fhirgate login kaiser"' in text and "cannot be done from this chat" in text


async def test_record_summary_counts_types_and_spans_dates(kaiser_registry: SourceRegistry) -> None:
    text = await call(kaiser_registry, "record_summary")
    lines = text.splitlines()
    assert lines[:2] == ["kaiser:", "  state ready; last sync 2026-11-20T09:30+00:00"]
    assert "Observation 41" in lines[2] and "Patient 1" in lines[2] and "MedicationRequest 5" in lines[2]
    assert "  Observation dates 2023-02-01 .. 2026-10-04" in lines
    assert any(line.startswith("  gap: nothing stored for ") and "Immunization" in line for line in lines)


@dataclass(frozen=True)
class Surface:
    surface: str
    last_success: datetime | None
    last_error: str | None
    problems: tuple[str, ...] = ()


def test_status_from_surfaces() -> None:
    early, late = datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    assert status_from_surfaces([]).state == "never synced"
    ready = status_from_surfaces([Surface("profile", late, None), Surface("test-results", early, None)])
    assert (ready.state, ready.last_sync, ready.notes) == ("ready", early, ())
    failing = status_from_surfaces([Surface("profile", late, "portal timeout", ("1 order skipped",))])
    assert failing.state == "sync failing"
    # What the sync recorded may quote the portal: fenced.
    unfenced = tuple(
        re.sub(r"<<<BEGIN UNTRUSTED (\w+)>>> (.*) <<<END UNTRUSTED \1>>>", r"[\2]", n) for n in failing.notes
    )
    assert unfenced == (
        "surface profile failing (data may be stale): [portal timeout]",
        "surface profile: [1 order skipped]",
    )
