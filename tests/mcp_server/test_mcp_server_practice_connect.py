"""`connect_practice` / `complete_oauth`: the tools hand out the sign-in URL, then add the practice as a source."""

from __future__ import annotations

from pathlib import Path

from mcp import Client
from mcp_types import CallToolResult, ElicitResult, TextContent

from fhir_client import AuthorizationError
from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.store import SqliteStore
from mcp_server import PendingConnection, RecordSource, SourceRegistry, build_server
from tests.mcp_server.approving_person import connect_desk, person_approves
from tests.mcp_server.conftest import kaiser_source
from tests.mcp_server.seeded_store import seed_store


class SandboxConnector:
    """A connector whose practice is the second sandbox store, after a state check like SMART's."""

    def __init__(self, store: SqliteStore) -> None:
        self._store = store
        self.pending: dict[str, str] = {}

    async def begin(self, name: str, fhir_base_url: str) -> PendingConnection:
        self.pending["st-1"] = name
        return PendingConnection(f"{fhir_base_url}/authorize?client_id=fhirgate&state=st-1", "st-1")

    async def complete(self, code_or_redirect_url: str, state: str) -> RecordSource:
        if state not in self.pending or "code=" not in code_or_redirect_url:
            raise AuthorizationError("the redirect does not belong to a pending launch")
        return RecordSource(self.pending.pop(state), in_process_kaiser_client(self._store), kind="practice")


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


async def test_connecting_adds_the_practice_to_every_search(seeded: SqliteStore, tmp_path: Path) -> None:
    practice_store = seed_store(tmp_path / "practice.sqlite3", seed=2)
    registry = SourceRegistry({"kaiser": kaiser_source(seeded)})
    connector = SandboxConnector(practice_store)
    server = build_server(registry, connector=connector, approvals=connect_desk(tmp_path / "approvals", connector))
    async with Client(server, elicitation_callback=person_approves) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        started = await client.call_tool(
            "connect_practice", {"name": "dr-lee", "fhir_base_url": "https://ehr.example/fhir"}
        )
        refused = await client.call_tool(
            "complete_oauth", {"code_or_redirect_url": "http://127.0.0.1/cb?code=x", "state": "forged"}
        )
        done = await client.call_tool(
            "complete_oauth",
            {"code_or_redirect_url": "http://127.0.0.1:8977/callback?code=abc&state=st-1", "state": "st-1"},
        )
        searched = await client.call_tool("search_medication_request", {})
    await registry.aclose()
    practice_store.close()
    annotations = tools["connect_practice"].annotations
    assert annotations is not None and annotations.read_only_hint is False and annotations.destructive_hint is False
    assert "https://ehr.example/fhir/authorize?client_id=fhirgate&state=st-1" in text_of(started)
    assert 'state="st-1"' in text_of(started)
    assert refused.is_error and "Call connect_practice again" in text_of(refused)
    assert text_of(done).startswith("Connected 'dr-lee' (http://127.0.0.1/fhir).")
    assert registry.names() == ["dr-lee", "kaiser"]
    assert "[dr-lee]" in text_of(searched) and "[kaiser]" in text_of(searched)


async def test_without_a_connector_the_tools_are_not_offered(kaiser_registry: SourceRegistry) -> None:
    async with Client(build_server(kaiser_registry)) as client:
        names = {tool.name for tool in (await client.list_tools()).tools}
    assert "connect_practice" not in names and "complete_oauth" not in names


async def test_nothing_is_contacted_until_the_person_approves(seeded: SqliteStore, tmp_path: Path) -> None:
    registry = SourceRegistry({"kaiser": kaiser_source(seeded)})
    connector = SandboxConnector(seeded)
    desk = connect_desk(tmp_path / "approvals", connector)
    args = {"name": "dr-lee", "fhir_base_url": "https://ehr.example/fhir"}

    async def person_declines(context: object, params: object) -> ElicitResult:
        return ElicitResult(action="decline")

    async with Client(
        build_server(registry, connector=connector, approvals=desk), elicitation_callback=person_declines
    ) as client:
        declined = text_of(await client.call_tool("connect_practice", args))
    assert "declined" in declined and connector.pending == {}

    async with Client(build_server(registry, connector=connector, approvals=desk)) as client:  # no elicitation
        waiting = text_of(await client.call_tool("connect_practice", args))
        approval_id = waiting.split('approval_id="')[1].split('"')[0]
        assert connector.pending == {} and "Nothing has been contacted yet" in waiting
        assert "pending" in text_of(await client.call_tool("approval_status", {"approval_id": approval_id}))
        await desk._decisions.approve(approval_id, "web")  # the person, on the approval page
        started = text_of(await client.call_tool("approval_status", {"approval_id": approval_id}))
    assert connector.pending == {"st-1": "dr-lee"}
    assert "https://ehr.example/fhir/authorize?client_id=fhirgate&state=st-1" in started and 'state="st-1"' in started
    await registry.aclose()
