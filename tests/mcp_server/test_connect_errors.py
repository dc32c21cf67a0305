"""connect_practice / complete_oauth failures reach the model as one actionable message each, no traceback:
bad names and URLs are refused before anything is sent; unreachable servers, stale states and refused
codes say what to do next. Through a real MCP client session, with the sandbox EHR in-process."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from mcp import Client
from mcp_types import TextContent

from fhirgate.practice_connector import SmartPracticeConnector
from fhirgate.serving import free_port
from fhirgate.settings import Settings
from mcp_server import SourceRegistry, build_server
from sandbox.ehr import EhrClient, EhrConfig
from tests.mcp_server.approving_person import connect_desk, person_approves
from tests.sandbox.ehr.ehr_harness import CLIENT_SECRET, ORIGIN, consent_by_form, ehr_in_process, in_process

REDIRECT = "https://app.example/callback"
HEALOW = {"HEALOW_CLIENT_ID": "app-secret", "HEALOW_CLIENT_SECRET": CLIENT_SECRET, "HEALOW_REDIRECT_URI": REDIRECT}


def _server(tmp_path: Path, environ: dict[str, str], **kwargs: object) -> Client:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(tmp_path / "home")})
    connector = SmartPracticeConnector(settings, environ, **kwargs)  # type: ignore[arg-type]
    desk = connect_desk(tmp_path / "approvals", connector)
    return Client(
        build_server(SourceRegistry({}), connector=connector, approvals=desk), elicitation_callback=person_approves
    )


async def _refused(client: Client, tool: str, **arguments: str) -> str:
    result = await client.call_tool(tool, arguments)
    text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
    assert result.is_error and "Traceback" not in text, text
    return text.removeprefix(f"Error executing tool {tool}: ")  # the SDK's prefix


@pytest.mark.parametrize(
    ("name", "url", "message"),
    [
        ("dr-lee", "fhir4.example.com/fhir/r4/ORG1", "'fhir4.example.com/fhir/r4/ORG1' is not a FHIR base URL"),
        ("dr-lee", "ftp://fhir4.example.com/fhir", "is not a FHIR base URL: give the practice's FHIR R4 address"),
        ("dr-lee", "http://127.0.0.1:99999/fhir", "'that address' is not a FHIR base URL"),
        ("dr-lee", "http://fhir4.example.com/fhir", "uses plain http: tokens are only ever sent over https"),
        ("dr-lee", "https://fhir4.example.com/fhir?x=1", "has a ?query or #fragment"),
        ("dr lee", "https://fhir4.example.com/fhir", "'dr lee' cannot name a practice: use 1-40 letters"),
        ("Kaiser", "https://fhir4.example.com/fhir", "'kaiser' names the Kaiser record itself"),
    ],
)
async def test_bad_arguments_are_refused_before_anything_is_sent(
    tmp_path: Path, name: str, url: str, message: str
) -> None:
    async with _server(tmp_path, HEALOW) as client:
        assert message in await _refused(client, "connect_practice", name=name, fhir_base_url=url)
    assert not (tmp_path / "home" / "sources.sqlite3").exists()


async def test_an_unreachable_server_names_the_url_and_what_to_check(tmp_path: Path) -> None:
    url = f"http://127.0.0.1:{free_port()}/fhir"  # nothing listens there
    async with _server(tmp_path, HEALOW) as client:
        text = await _refused(client, "connect_practice", name="dr-lee", fhir_base_url=url)
    assert text.endswith(
        f"Check that {url} is the practice's FHIR R4 base URL and that its server is online, "
        "then call connect_practice again."
    )
    assert "could not reach" in text


async def test_missing_app_registration_says_where_the_healow_variables_go(tmp_path: Path) -> None:
    async with _server(tmp_path, {}) as client:
        text = await _refused(client, "connect_practice", name="dr-lee", fhir_base_url="https://fhir4.example.com/f")
    assert "HEALOW_CLIENT_ID" in text and "Claude Desktop's config" in text


async def test_a_wrong_state_or_a_refused_code_asks_for_a_fresh_link(tmp_path: Path) -> None:
    app = EhrClient("app-secret", "client_secret", client_secret=CLIENT_SECRET, redirect_uris=(REDIRECT,))
    with ehr_in_process(tmp_path, EhrConfig(clients=(app,))) as ehr:
        async with _server(tmp_path, HEALOW, transport=in_process(ehr)) as client:
            started = await client.call_tool(
                "connect_practice", {"name": "dr-lee", "fhir_base_url": ehr.fhir_base(ORIGIN)}
            )
            text = "\n".join(block.text for block in started.content if isinstance(block, TextContent))
            url = next(line for line in text.splitlines() if line.startswith("http"))
            state = re.search(r'state="([^"]+)"', text)
            assert state is not None
            redirect = await consent_by_form(url, in_process(ehr))

            stale = await _refused(client, "complete_oauth", code_or_redirect_url=redirect, state="old-state")
            forged_code = re.sub(r"code=[^&]+", "code=not-the-code", redirect)
            refused = await _refused(client, "complete_oauth", code_or_redirect_url=forged_code, state=state.group(1))
    assert re.fullmatch(
        r"The practice's answer cannot be used: <<<BEGIN UNTRUSTED (\w+)>>> no pending connection has this state "
        r"<<<END UNTRUSTED \1>>>\. Call connect_practice again for a fresh sign-in link \(each link works once\)\.",
        stale,
    ), stale
    assert refused.startswith("The practice refused the sign-in code: ") and "Codes are single-use" in refused
    assert "fhirgate connect" not in stale + refused
