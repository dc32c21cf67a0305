"""A practice's state and token expiry as `list_sources` shows them, read from the catalog and keychain."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import httpx2
from mcp import Client
from mcp_types import TextContent

from fhir_client import FhirClient, SourceCatalog, SourceRecord, SourceSecrets
from mcp_server import RecordSource, SourceRegistry, build_server
from mcp_server.sources.practice_status import practice_status, practice_status_probe
from tests.sandbox.ehr.ehr_harness import MemorySecrets

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC).timestamp()
CONFIGURATION = json.dumps(
    {"authorization_endpoint": "https://ehr.test/auth", "token_endpoint": "https://ehr.test/token"}
)


def _catalog(tmp_path: Path, **changes: object) -> SourceCatalog:
    catalog = SourceCatalog(tmp_path / "sources.sqlite3")
    record = SourceRecord(
        "valley", "https://ehr.test/fhir", "app", "client_secret_basic", "https://app.test/cb", CONFIGURATION
    )
    catalog.put(record)
    catalog.update("valley", **({"state": "connected", "access_expires_at": NOW + 1800} | changes))
    return catalog


def _secrets(refresh: str | None = "refresh-9f1", access: str = "access-2c7") -> MemorySecrets:
    secrets = MemorySecrets()
    SourceSecrets(secrets, "valley").set_tokens(access, refresh)
    return secrets


def test_a_connected_practice_shows_expiry_and_a_held_refresh_token(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, refresh_expires_at=NOW + 86_400, last_call_at=NOW - 60)
    status = practice_status(catalog, _secrets(), "valley", now=NOW)
    assert status.state == "connected"
    assert status.token_expires_at == datetime(2026, 11, 23, 12, 30, tzinfo=UTC)
    assert status.refresh_token_held is True
    assert status.refresh_expires_at == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    assert status.notes == ("data is read live; last call 2026-11-23T11:59Z",)


def test_an_expired_access_token_without_refresh_token_says_the_user_must_connect_again(tmp_path: Path) -> None:
    catalog = _catalog(tmp_path, access_expires_at=NOW - 5)
    status = practice_status(catalog, _secrets(refresh=None), "valley", now=NOW)
    assert (status.state, status.refresh_token_held) == ("connected", False)
    assert status.notes == (
        "no refresh token held (the practice gives none to public clients): the user must connect again at 11:59Z, "
        "within the hour of signing in",
    )
    renewable = practice_status(catalog, _secrets(), "valley", now=NOW)
    assert renewable.notes == ("the access token has expired; the refresh token renews it on the next call",)
    scoped = practice_status(_catalog(tmp_path, scope="openid patient/Observation.read"), _secrets(), "valley", now=NOW)
    assert "granted scopes: openid patient/Observation.read" in scoped.notes


def test_a_revoked_or_forgotten_practice_asks_for_connect_practice(tmp_path: Path) -> None:
    revoked = practice_status(_catalog(tmp_path, state="reconnect"), _secrets(), "valley", now=NOW)
    assert revoked.state == "reconnect needed"
    assert revoked.notes[0].endswith("call connect_practice for 'valley' again")
    pending = practice_status(_catalog(tmp_path, state="pending"), MemorySecrets(), "valley", now=NOW)
    assert pending.state == "sign-in not finished" and "complete_oauth" in pending.notes[0]
    gone = practice_status(SourceCatalog(tmp_path / "empty.sqlite3"), MemorySecrets(), "valley", now=NOW)
    assert gone.state == "disconnected"


async def test_list_sources_renders_the_practice_state_line(tmp_path: Path) -> None:
    def fhir(request: httpx2.Request) -> httpx2.Response:
        bundle = {"resourceType": "Bundle", "type": "searchset", "entry": [{"resource": {"resourceType": "Patient"}}]}
        return httpx2.Response(200, json=bundle)

    catalog = _catalog(tmp_path, refresh_expires_at=NOW + 86_400)
    client = FhirClient("https://ehr.test/fhir", bearer_token="t", transport=httpx2.MockTransport(fhir))
    probe = practice_status_probe(catalog, _secrets(), "valley", clock=lambda: NOW)
    registry = SourceRegistry({"valley": RecordSource("valley", client, status=probe)})
    async with Client(build_server(registry)) as session:
        result = await session.call_tool("list_sources", {})
    await registry.aclose()
    text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
    assert text.splitlines()[:2] == [
        "valley (practice, https://ehr.test/fhir)",
        "  state connected, access token expires 2026-11-23T12:30+00:00, "
        "refresh token held until 2026-11-24T12:00+00:00",
    ]
