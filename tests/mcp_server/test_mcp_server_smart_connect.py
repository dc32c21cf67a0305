"""`connect_practice` → sign-in at the sandbox SMART EHR → `complete_oauth`, through `fhirgate mcp`'s connector."""

from __future__ import annotations

from pathlib import Path

from mcp import Client
from mcp_types import CallToolResult, TextContent

from fhirgate.practice_connector import SmartPracticeConnector
from fhirgate.settings import Settings
from gateway.store import SqliteStore
from mcp_server import SourceRegistry, build_server
from sandbox.ehr import EhrClient, EhrConfig
from tests.mcp_server.approving_person import connect_desk, person_approves
from tests.mcp_server.conftest import kaiser_source
from tests.sandbox.ehr.ehr_harness import CLIENT_SECRET, consent_by_form, running_ehr

REDIRECT = "https://app.example/fhirgate/callback"


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def test_a_practice_connected_from_the_chat_is_searched_with_kaiser(seeded: SqliteStore, tmp_path: Path) -> None:
    app = EhrClient("app-secret", "client_secret", client_secret=CLIENT_SECRET, redirect_uris=(REDIRECT,))
    environ = {"HEALOW_CLIENT_ID": "app-secret", "HEALOW_CLIENT_SECRET": CLIENT_SECRET, "HEALOW_REDIRECT_URI": REDIRECT}
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path / "home")})
    (tmp_path / "home").mkdir(mode=0o700)
    registry = SourceRegistry({"kaiser": kaiser_source(seeded)})
    with running_ehr(tmp_path, EhrConfig(clients=(app,))) as (ehr, base_url):
        connector = SmartPracticeConnector(settings, environ)
        server = build_server(registry, connector=connector, approvals=connect_desk(tmp_path / "approvals", connector))
        async with Client(server, elicitation_callback=person_approves) as client:
            started = await client.call_tool("connect_practice", {"name": "dr-sample", "fhir_base_url": base_url})
            text = text_of(started)
            authorize_url = next(line for line in text.splitlines() if line.startswith("http"))
            state = text.rsplit('state="', 1)[1].split('"')[0]
            redirect = await consent_by_form(authorize_url, None)
            wrong_state = await client.call_tool("complete_oauth", {"code_or_redirect_url": redirect, "state": "nope"})
            done = await client.call_tool("complete_oauth", {"code_or_redirect_url": redirect, "state": state})
            who = await client.call_tool("whoami", {})
        await registry.aclose()
    assert not started.is_error, text
    assert wrong_state.is_error and "no pending connection has this state" in text_of(wrong_state)
    assert not done.is_error, text_of(done)
    assert text_of(done).startswith("Connected 'dr-sample' (")
    assert CLIENT_SECRET not in text + text_of(done)
    lines = text_of(who).splitlines()
    practice = lines.index("dr-sample:")
    assert lines[practice + 2].startswith("Patient/") and ehr.record.person.surname in lines[practice + 2]
    assert lines[lines.index("kaiser:") + 2].startswith("Patient/")
