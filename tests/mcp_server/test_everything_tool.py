"""fhir_everything through a real MCP client session over the real facade and a translated record."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import httpx2
from mcp import Client
from mcp.types import TextContent

from fhir_client import FhirClient
from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from mcp_server import SourceRegistry, build_server
from sandbox.patient import generate_patient
from translators.lab_results import translate_lab_result
from translators.medications import translate_rx_details
from translators.profile import patient_id_from_profile, translate_profile
from translators.types import TranslationContext, TranslationResult

TOKEN = "everything-token"


def _kaiser(tmp_path: Path) -> tuple[FhirClient, SqliteStore, int]:
    patient = generate_patient(seed=4)
    ctx = TranslationContext(patient_id=patient_id_from_profile(patient.profile))
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    now = datetime(2026, 11, 23, tzinfo=UTC)
    labs = TranslationResult()
    for order in patient.lab_orders:
        labs.extend(translate_lab_result(order.list_entry, order.detail, ctx, group=order.group))
    store.write_surface("profile", translate_profile(patient.profile, ctx).resources, now=now)
    store.write_surface("test-results", labs.resources, now=now)
    store.write_surface("medications", translate_rx_details(patient.rx_details, ctx).resources, now=now)
    observations = sum(1 for r in labs.resources if r["resourceType"] == "Observation")
    app = create_facade_app(store, FacadeSettings(token=TOKEN))
    client = FhirClient("http://127.0.0.1/fhir", bearer_token=TOKEN, transport=httpx2.ASGITransport(app=app))
    return client, store, observations


def _text(result: object) -> str:
    return "\n".join(b.text for b in getattr(result, "content", []) if isinstance(b, TextContent))


async def test_everything_pages_through_the_whole_record_without_losing_a_row(tmp_path: Path) -> None:
    fhir, store, observations = _kaiser(tmp_path)
    seen: list[str] = []
    calls = 0
    async with Client(build_server(SourceRegistry({"kaiser": fhir}))) as mcp:
        arguments: dict[str, object] = {"source": "kaiser", "types": ["Observation"], "max_tokens": 800}
        for _ in range(50):
            result = await mcp.call_tool("fhir_everything", arguments)
            calls += 1
            assert not result.is_error, _text(result)
            text = _text(result)
            seen += re.findall(r"^(Observation/[0-9a-f]+) \|", text, re.MULTILINE)
            cursor = re.search(r'cursor="([^"]+)"', text)
            if cursor is None:
                break
            arguments = {**arguments, "cursor": cursor.group(1)}
    assert calls > 1, "the budget should have forced at least one continuation"
    assert len(seen) == observations and len(set(seen)) == observations
    store.close()


async def test_everything_on_an_unknown_source_is_an_actionable_error(tmp_path: Path) -> None:
    fhir, store, _ = _kaiser(tmp_path)
    async with Client(build_server(SourceRegistry({"kaiser": fhir}))) as mcp:
        result = await mcp.call_tool("fhir_everything", {"source": "nowhere"})
    assert result.is_error and "kaiser" in _text(result)
    store.close()
