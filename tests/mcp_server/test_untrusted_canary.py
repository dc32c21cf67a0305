"""Record text cannot pass as instructions: a canary planted in every string leaf of every resource of
the small patient (Kaiser, synced in-process from the sandbox portal) and of the sandbox SMART EHR's
record (a practice source) never reaches the model outside an untrusted fence, nor unmarked in
`structuredContent`, through any read tool the server lists.

Each tool is called with arguments that walk its whole output (every resource type, every id,
every page); a tool the server lists but this module does not call fails the test.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from mcp import Client
from mcp_types import CallToolResult, TextContent

from conformance.sandbox_portal import SandboxPortal
from fhirgate.kaiser_source import in_process_kaiser_client
from gateway.kaiser.portal_client import PortalClient
from gateway.store import SqliteStore
from gateway.writes.audit import AuditLog
from gateway.writes.confirmation import ConfirmationGuard
from gateway.writes.operations import WriteOperations
from mcp_server import PendingConnection, RecordSource, SourceRegistry, build_server
from mcp_server.sources.surface_status import kaiser_status_probe
from mcp_server.tools.typed_table import TYPED_TOOLS
from mcp_server.tools.whats_new import LastAsked, WhatsNewTool
from mcp_server.untrusted.fencing import UNTRUSTED_KEY
from sandbox.patient import generate_patient
from tests.benchmarks.answer_rows import next_cursor
from tests.mcp_server.approving_person import connect_desk
from tests.mcp_server.canary_store import CANARY, practice_canary_store, small_patient_canary_store

pytestmark = pytest.mark.asyncio(loop_scope="module")

PRACTICE = "dr-sample"
SOURCES = ("kaiser", PRACTICE)
FENCED = re.compile(r"<<<BEGIN UNTRUSTED (\w+)>>>(.*?)<<<END UNTRUSTED \1>>>", re.DOTALL)
NEED_NOT_SHOW_RECORD_TEXT = frozenset(
    {
        "list_sources",
        "kaiser_login_status",
        "record_summary",
        "get_capability_statement",
        "send_message",
        "approval_status",
        "list_message_recipients",
        "list_message_topics",
    }
)
"""Tools about sources rather than their records (here the capability statements are the facade
engine's own), `send_message`, whose preview shows the model's own draft, `approval_status` (fhirgate's
own state of an approval), and the message option lists, which come live from the sandbox portal rather
than from the planted store (their fencing is checked in the approval tests)."""


class Stores:
    def __init__(self, kaiser: SqliteStore, practice: SqliteStore, paths: dict[str, Path]) -> None:
        self.kaiser, self.practice, self.paths = kaiser, practice, paths

    def ids(self, source: str, resource_type: str | None = None) -> list[tuple[str, str]]:
        """`(type, id)` of every resource `source` holds (of `resource_type`)."""
        with sqlite3.connect(self.paths[source]) as connection:
            rows = connection.execute("SELECT resource_type, id FROM resources ORDER BY 1, 2").fetchall()
        connection.close()
        return [(str(kind), str(id_)) for kind, id_ in rows if resource_type in (None, kind)]

    def types(self, source: str) -> list[str]:
        return sorted({kind for kind, _ in self.ids(source)})

    def lab_codes(self, source: str) -> list[str]:
        with sqlite3.connect(self.paths[source]) as connection:
            texts = [
                row[0]
                for row in connection.execute("SELECT json FROM resources WHERE resource_type = ?", ("Observation",))
            ]
        connection.close()
        codes = {
            coding["code"]
            for text in texts
            for coding in json.loads(text).get("code", {}).get("coding", [])
            if coding.get("system") == "http://loinc.org"
        }
        return sorted(codes)


@pytest.fixture(scope="module")
def portal() -> SandboxPortal:
    return SandboxPortal(generate_patient(1))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def stores(tmp_path_factory: pytest.TempPathFactory, portal: SandboxPortal) -> AsyncIterator[Stores]:
    directory = tmp_path_factory.mktemp("canary")
    kaiser = await small_patient_canary_store(directory, portal)
    practice = practice_canary_store(directory)
    paths = {"kaiser": directory / "kaiser-canary.sqlite3", PRACTICE: directory / "practice-canary.sqlite3"}
    yield Stores(kaiser, practice, paths)
    kaiser.close()
    practice.close()


def _writes(portal: SandboxPortal, directory: Path) -> WriteOperations:
    """Write previews over the sandbox portal (the tests never pass a confirmation token, so nothing is sent)."""

    @asynccontextmanager
    async def clients() -> AsyncIterator[PortalClient]:
        async with await portal.client() as client:
            yield client

    return WriteOperations(clients, ConfirmationGuard(b"c" * 32, directory / "used"), AuditLog(directory / "audit.log"))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def registry(
    stores: Stores, portal: SandboxPortal, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[SourceRegistry]:
    kaiser = RecordSource(
        "kaiser",
        in_process_kaiser_client(stores.kaiser, _writes(portal, tmp_path_factory.mktemp("writes"))),
        kind="kaiser",
        status=kaiser_status_probe(stores.kaiser.surface_states),
    )
    practice = RecordSource(PRACTICE, in_process_kaiser_client(stores.practice), kind="practice")
    sources = SourceRegistry({"kaiser": kaiser, PRACTICE: practice})
    yield sources
    await sources.aclose()


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if isinstance(block, TextContent))


def unfenced(text: str) -> str:
    return FENCED.sub("", text)


def strings(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            yield key
            yield from strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from strings(item)
    elif isinstance(node, str):
        yield node


class Exercise:
    """Calls tools and checks every answer; remembers which tools ran and which showed record text."""

    def __init__(self, client: Client) -> None:
        self.client = client
        self.called: set[str] = set()
        self.showed_record_text: set[str] = set()
        self.calls = 0

    async def call(self, tool: str, **arguments: Any) -> CallToolResult:
        result = await self.client.call_tool(tool, arguments)
        self.called.add(tool)
        self.calls += 1
        text = text_of(result)
        context = (tool, arguments)
        assert CANARY not in unfenced(text), (context, _around(unfenced(text)))
        structured = dict(result.structured_content or {})
        marked = structured.pop(UNTRUSTED_KEY, None)
        for value in strings(structured):
            assert CANARY not in unfenced(value), (context, value[:300])
        if CANARY in text or CANARY in json.dumps(marked):
            self.showed_record_text.add(tool)
        return result

    async def pages(self, tool: str, **arguments: Any) -> None:
        """Call `tool` and follow its cursor to the end."""
        result = await self.call(tool, **arguments, max_tokens=50_000)
        for _ in range(20):
            cursor = next_cursor(text_of(result))
            if not cursor:
                return
            result = await self.call(tool, **arguments, max_tokens=50_000, cursor=cursor)
        raise AssertionError(f"{tool} {arguments} did not finish within 20 pages")


def _around(text: str) -> str:
    at = text.find(CANARY)
    return text[max(at - 200, 0) : at + 200]


async def _exercise(exercise: Exercise, stores: Stores, tools: dict[str, Any]) -> None:
    typed = [name for name in tools if name in {spec.name for spec in TYPED_TOOLS}]
    for name in typed:
        for source in (None, *SOURCES):
            for fmt in ("rows", "fhir"):
                await exercise.pages(name, **({"source": source} if source else {}), format=fmt)
    for source in SOURCES:
        for resource_type in stores.types(source):
            for fmt in ("rows", "fhir"):
                await exercise.pages("fhir_search", source=source, resource_type=resource_type, format=fmt)
            for kind, id_ in stores.ids(source, resource_type):
                await exercise.call("fhir_get", source=source, resource_type=kind, id=id_)
        for fmt in ("rows", "fhir"):
            await exercise.pages("fhir_everything", source=source, format=fmt)
        for _, id_ in stores.ids(source, "Communication"):
            await exercise.call("read_message", source=source, id=id_)
        for _, id_ in stores.ids(source, "Binary"):
            await exercise.call("get_binary", source=source, id=id_)
        for _, id_ in stores.ids(source, "DocumentReference"):
            await exercise.call("get_binary", source=source, id=f"DocumentReference/{id_}")
        for code in stores.lab_codes(source):
            await exercise.call("lab_trend", code_or_name=code, source=source)
        await exercise.call("whoami", source=source)
        await exercise.call("get_capability_statement", source=source)
        await exercise.call("record_summary", source=source)
    await exercise.call("lab_trend", code_or_name=CANARY[1:])  # a name search matching every planted test name
    await exercise.call("whoami")
    await exercise.call("search_text", query=CANARY)  # every planted text carries the canary word
    await _exercise_write_previews(exercise, stores)
    await exercise.call("list_sources")
    await exercise.call("kaiser_login_status")
    await exercise.call("record_summary")
    await exercise.call("whats_new")  # first time: everything is new
    await exercise.call("whats_new", since="2000-01-01")


async def _exercise_write_previews(exercise: Exercise, stores: Stores) -> None:
    """Previews only (no confirmation token): the facts a preview shows come from the record."""
    prepared = []
    for _, id_ in stores.ids("kaiser", "MedicationRequest"):
        prepared.append(await exercise.call("request_refill", medication_request_id=id_))
    draft = {"topic": "Medication", "subject": "Dose", "text": "Can I take it at night?"}
    prepared.append(await exercise.call("send_message", recipient="ALEX SAMPLE MD", **draft))
    await exercise.call("list_message_recipients")
    await exercise.call("list_message_topics")
    for result in prepared:
        for approval_id in re.findall(r'approval_id="([^"]+)"', text_of(result)):
            await exercise.call("approval_status", approval_id=approval_id)


class NoPractices:
    """Approved connections are not part of this test (connect_practice is not offered without a connector)."""

    async def begin(self, name: str, fhir_base_url: str) -> PendingConnection:
        raise AssertionError("no connection is started here")

    async def complete(self, code_or_redirect_url: str, state: str) -> RecordSource:
        raise AssertionError("no connection is completed here")


async def test_no_record_string_reaches_the_model_outside_a_fence_through_any_read_tool(
    registry: SourceRegistry, stores: Stores, tmp_path: Path
) -> None:
    desk = connect_desk(tmp_path / "approvals", NoPractices())
    news = WhatsNewTool(stores.kaiser, LastAsked(tmp_path / "last-asked.json"))
    async with Client(build_server(registry, approvals=desk, whats_new=news)) as client:
        tools = {tool.name: tool for tool in (await client.list_tools()).tools}
        exercise = Exercise(client)
        await _exercise(exercise, stores, tools)
    assert exercise.calls > 300, exercise.calls
    assert exercise.called == set(tools), f"tools listed but not exercised: {sorted(set(tools) - exercise.called)}"
    silent = set(tools) - exercise.showed_record_text - NEED_NOT_SHOW_RECORD_TEXT
    assert not silent, f"these tools never showed planted record text, so the check proved nothing: {sorted(silent)}"


async def test_the_canary_is_in_every_string_a_source_wrote(stores: Stores) -> None:
    """The fixture did plant: a resource of every type carries the canary, as text in the store."""
    for source in SOURCES:
        with sqlite3.connect(stores.paths[source]) as connection:
            rows = connection.execute("SELECT resource_type, json FROM resources").fetchall()
        connection.close()
        assert rows
        for kind, text in rows:
            binary = kind == "Binary" and not json.loads(text).get("contentType", "").startswith("text/")
            assert CANARY in text or binary, (source, kind)  # PDFs and images carry no plantable text
