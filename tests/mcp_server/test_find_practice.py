"""`find_practice` over the sandbox's copy of eClinicalWorks' directory, and `connect_practice`
given the practice's code instead of a URL, through `fhirgate mcp`'s connector and directory."""

from __future__ import annotations

from pathlib import Path

import httpx2
from mcp import Client
from mcp.client.context import ClientRequestContext
from mcp_types import CallToolResult, ElicitRequestParams, ElicitResult, TextContent

from fhirgate.practice_connector import SmartPracticeConnector
from fhirgate.practice_finder import PracticeFinder, directory_for
from fhirgate.settings import Settings
from gateway.store import SqliteStore
from mcp_server import SourceRegistry, build_server
from sandbox.ehr import EhrClient, EhrConfig
from tests.mcp_server.approving_person import connect_desk
from tests.mcp_server.conftest import kaiser_source
from tests.sandbox.ehr.ehr_harness import consent_by_form, running_ehr

REDIRECT = "https://app.example/fhirgate/callback"


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def test_find_a_practice_by_name_then_connect_it_by_its_code(seeded: SqliteStore, tmp_path: Path) -> None:
    app = EhrClient("app-public", "public", redirect_uris=(REDIRECT,))
    (tmp_path / "home").mkdir(mode=0o700)
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path / "home")})
    registry = SourceRegistry({"kaiser": kaiser_source(seeded)})
    with running_ehr(tmp_path, EhrConfig(clients=(app,))) as (ehr, base_url):
        origin = base_url.split("/fhir/")[0]
        environ = {
            "HEALOW_CLIENT_ID": "app-public",
            "HEALOW_REDIRECT_URI": REDIRECT,
            "FHIRGATE_PRACTICE_DIRECTORY_URL": f"{origin}/ecwopendev/external/practiceList",
            "FHIRGATE_PROVIDER_HOSTS": "localhost=127.0.0.1",
        }
        directory = PracticeFinder(directory_for(settings, environ))
        connector = SmartPracticeConnector(settings, environ)
        desk = connect_desk(tmp_path / "approvals", connector)
        server = build_server(registry, connector=connector, approvals=desk, directory=directory)
        shown: list[str] = []

        async def person_approves_what_they_see(
            context: ClientRequestContext, params: ElicitRequestParams
        ) -> ElicitResult:
            shown.append(params.message)
            return ElicitResult(action="accept", content={"approve": True})

        async with Client(server, elicitation_callback=person_approves_what_they_see) as client:
            found = await client.call_tool("find_practice", {"name": "lee family", "state": "CA"})
            nothing = await client.call_tool("find_practice", {"name": "mayo clinic"})
            ambiguous = await client.call_tool(
                "connect_practice", {"name": "dr-lee", "fhir_base_url": "Lee Family Medicine"}
            )
            started = await client.call_tool("connect_practice", {"name": "dr-lee", "fhir_base_url": ehr.config.org_id})
            text = text_of(started)
            authorize_url = next(line for line in text.splitlines() if line.startswith("http"))
            state = text.rsplit('state="', 1)[1].split('"')[0]
            redirect = await consent_by_form(authorize_url, None)
            done = await client.call_tool("complete_oauth", {"code_or_redirect_url": redirect, "state": state})
            sources = await client.call_tool("list_sources", {})
        await registry.aclose()
    listing = text_of(found)
    assert not found.is_error and "UNTRUSTED" in listing and f"code {ehr.config.org_id}" in listing
    assert base_url in listing and "TEST" not in listing and "Springfield" not in listing
    assert "No practice" in text_of(nothing)
    assert ambiguous.is_error and "2 practices match" in text_of(ambiguous)
    assert not started.is_error and httpx2.URL(authorize_url).params["aud"] == base_url
    assert len(shown) == 1 and base_url in shown[0]  # the person approved the address the code resolved to
    assert not done.is_error, text_of(done)
    listed = text_of(sources)
    assert "no refresh token held" in listed and "within the hour" in listed
    granted = listed.split("granted scopes: ")[1].splitlines()[0]
    assert "openid" in granted and ",Observation," in granted and granted.endswith("}.read")
