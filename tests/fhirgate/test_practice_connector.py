"""The MCP chat flow's connector: connect_practice -> the patient consents -> complete_oauth, with
the healow variables, against the sandbox EHR in-process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mcp.server.mcpserver import AcceptedElicitation
from mcp.server.mcpserver.exceptions import ToolError

from fhirgate.practice_connector import SmartPracticeConnector
from fhirgate.settings import Settings
from mcp_server.approvals.practice_connect import ConnectTools
from mcp_server.approvals.write_tools import ApproveWrite
from mcp_server.sources.registry import SourceRegistry
from sandbox.ehr import EhrClient, EhrConfig
from tests.mcp_server.approving_person import connect_desk
from tests.sandbox.ehr.ehr_harness import CLIENT_SECRET, ORIGIN, consent_by_form, ehr_in_process, in_process

REDIRECT = "https://app.example/callback"


async def test_connect_practice_then_complete_oauth_adds_a_working_source(tmp_path: Path) -> None:
    app = EhrClient("app-secret", "client_secret", client_secret=CLIENT_SECRET, redirect_uris=(REDIRECT,))
    with ehr_in_process(tmp_path, EhrConfig(clients=(app,))) as ehr:
        environ = {
            "HEALOW_CLIENT_ID": "app-secret",
            "HEALOW_CLIENT_SECRET": CLIENT_SECRET,
            "HEALOW_REDIRECT_URI": REDIRECT,
        }
        settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path / "home")})
        connector = SmartPracticeConnector(settings, environ, transport=in_process(ehr))
        registry = SourceRegistry({})
        tools = ConnectTools(registry, connector, connect_desk(tmp_path / "approvals", connector))
        started = await _approved_connect(tools, "dr-sample", ehr.fhir_base(ORIGIN))
        url = next(line for line in started.splitlines() if line.startswith("http"))
        state = re.search(r'state="([^"]+)"', started)
        assert state is not None
        redirect = await consent_by_form(url, in_process(ehr))
        with pytest.raises(ToolError, match="no pending connection has this state"):
            await tools.complete_oauth(redirect, "another-state")
        done = await tools.complete_oauth(redirect, state.group(1))
        assert "Connected 'dr-sample'" in done
        probe = registry.source("dr-sample").status
        assert probe is not None
        status = await probe()
        assert (status.state, status.refresh_token_held) == ("connected", True) and status.token_expires_at
        async with registry.get("dr-sample") as client:
            patient = await client.read("Patient", ehr.record.patient_id)
        assert patient["id"] == ehr.record.patient_id


async def test_without_a_client_id_the_tool_says_how_to_configure_one(tmp_path: Path) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path / "home")})
    connector = SmartPracticeConnector(settings, {})
    tools = ConnectTools(SourceRegistry({}), connector, connect_desk(tmp_path / "approvals", connector))
    with pytest.raises(ToolError, match="HEALOW_CLIENT_ID"):
        await _approved_connect(tools, "dr-sample", "https://fhir4.example.com/fhir/r4/ORG1")


async def _approved_connect(tools: ConnectTools, name: str, url: str) -> str:
    """connect_practice as the person approves it in the elicitation dialog."""
    prepared = ConnectTools.prepare_connect(name, url)
    return await tools.conclude_connect(prepared, AcceptedElicitation(data=ApproveWrite(approve=True)))
