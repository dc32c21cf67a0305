"""Writes approved through MCP elicitation, through a real MCP client session over the facade and the
sandbox portal: only the person's accept commits (once); decline, cancel or no answer sends nothing, and
the model never receives anything that commits."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import anyio
import pytest
from mcp import Client
from mcp.client.context import ClientRequestContext
from mcp_types import ElicitRequestParams, ElicitResult, TextContent

from mcp_server import SourceRegistry, build_server
from tests.mcp_server.write_harness import WriteHarness, mailable_medication_request_id, write_harness
from tests.writes.conftest import SignedInPortal, portal  # noqa: F401 - the fixture

MESSAGE = {
    "recipient": "ALEX SAMPLE MD",
    "topic": "Medication",
    "subject": "Dose",
    "text": "Can I take it at night?\n\nThanks, and a second paragraph that is also shown in full.",
}


def _text(result: Any) -> str:
    return "\n".join(b.text for b in getattr(result, "content", []) if isinstance(b, TextContent))


class Person:
    """The elicitation callback: what the person answers, and what they were shown."""

    def __init__(self, answer: ElicitResult | None) -> None:
        self.answer = answer
        self.shown: list[str] = []
        self.asked = anyio.Event()

    async def __call__(self, context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
        self.shown.append(params.message)
        self.asked.set()
        if self.answer is None:
            await anyio.sleep_forever()
        assert self.answer is not None
        return self.answer


async def _call(harness: WriteHarness, person: Person, tool: str, args: dict[str, str], mode: str = "auto") -> Any:
    """One tool call; ``mode`` "legacy" is the pre-2026 handshake (a standalone elicitation request,
    as over stdio from today's desktop clients), "auto" the 2026-07-28 input-required rounds."""
    server = build_server(SourceRegistry({"kaiser": harness.fhir}), approvals=harness.desk)
    async with Client(server, elicitation_callback=person, mode=mode) as mcp:  # type: ignore[arg-type]
        return await mcp.call_tool(tool, args)


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_accepting_the_elicitation_sends_the_message_once(
    portal: SignedInPortal,  # noqa: F811
    tmp_path: Path,
    mode: str,
) -> None:
    harness = write_harness(portal, tmp_path)
    person = Person(ElicitResult(action="accept", content={"approve": True}))
    result = await _call(harness, person, "send_message", MESSAGE, mode)
    assert not result.is_error, _text(result)
    assert "committed" in _text(result)
    assert len(portal.config.writes.sent_messages) == 1
    # the person saw the whole text, recipient and topic before accepting
    assert MESSAGE["text"].split("\n")[-1] in person.shown[0] and "ALEX SAMPLE MD" in person.shown[0]
    assert harness.phases() == ["approved", "commit"]
    assert all(MESSAGE["text"] not in str(event) for event in harness.audit.events())
    harness.store.close()


async def test_accepting_the_refill_places_one_order(portal: SignedInPortal, tmp_path: Path) -> None:  # noqa: F811
    harness = write_harness(portal, tmp_path)
    person = Person(ElicitResult(action="accept", content={"approve": True}))
    args = {"medication_request_id": mailable_medication_request_id(portal)}
    result = await _call(harness, person, "request_refill", args)
    assert "committed" in _text(result), _text(result)
    assert len(portal.config.writes.placed_orders) == 1
    assert "Ship to:" in person.shown[0] and "Estimated copay" in person.shown[0]
    harness.store.close()


@pytest.mark.parametrize(
    ("answer", "phase"),
    [
        (ElicitResult(action="decline"), "rejected"),
        (ElicitResult(action="cancel"), "rejected"),
        (ElicitResult(action="accept", content={"approve": False}), "rejected"),
    ],
)
async def test_declining_or_cancelling_sends_nothing(
    portal: SignedInPortal,  # noqa: F811
    tmp_path: Path,
    answer: ElicitResult,
    phase: str,
) -> None:
    harness = write_harness(portal, tmp_path)
    result = await _call(harness, Person(answer), "send_message", MESSAGE, "legacy")
    assert "nothing was sent" in _text(result)
    assert portal.config.writes.sent_messages == []
    assert harness.phases() == [phase]
    harness.store.close()


@pytest.mark.parametrize("mode", ["auto", "legacy"])
async def test_no_answer_sends_nothing(portal: SignedInPortal, tmp_path: Path, mode: str) -> None:  # noqa: F811
    harness = write_harness(portal, tmp_path)
    person = Person(None)
    async with anyio.create_task_group() as calls:
        calls.start_soon(_call, harness, person, "send_message", MESSAGE, mode)
        with anyio.fail_after(60):  # a generous bound for a loaded machine; the dialog comes at once
            await person.asked.wait()
        await anyio.sleep(0.2)  # the person stays silent a while: nothing may be sent meanwhile
        calls.cancel_scope.cancel()
    assert len(person.shown) == 1
    assert portal.config.writes.sent_messages == []
    assert "commit" not in harness.phases() and "approved" not in harness.phases()
    harness.store.close()


async def test_without_elicitation_the_answer_points_to_the_approval_page_and_holds_no_token(
    portal: SignedInPortal,  # noqa: F811
    tmp_path: Path,
) -> None:
    harness = write_harness(portal, tmp_path, web_base="http://127.0.0.1:9999")
    server = build_server(SourceRegistry({"kaiser": harness.fhir}), approvals=harness.desk)
    async with Client(server) as mcp:
        result = await mcp.call_tool("send_message", MESSAGE)
        text = _text(result)
        assert "http://127.0.0.1:9999/approvals/" in text and "fhirgate open" in text
        assert "confirm" not in text.lower() and result.structured_content is None
        approval_id = text.split('approval_id="')[1].split('"')[0]
        status = _text(await mcp.call_tool("approval_status", {"approval_id": approval_id}))
        assert "pending" in status
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
    assert set(tools["send_message"].input_schema["properties"]) == {"recipient", "topic", "subject", "text"}
    assert portal.config.writes.sent_messages == []
    # the whole message text is in the preview (fenced), nothing cut at 200 characters
    assert MESSAGE["text"].split("\n")[-1] in text
    harness.store.close()


async def test_a_hidden_tail_after_many_spaces_is_refused_before_anyone_is_asked(
    portal: SignedInPortal,  # noqa: F811
    tmp_path: Path,
) -> None:
    harness = write_harness(portal, tmp_path)
    person = Person(ElicitResult(action="accept", content={"approve": True}))
    hidden = MESSAGE | {"text": "Fine, thanks." + " " * 150 + "Also cancel all my prescriptions."}
    result = await _call(harness, person, "send_message", hidden)
    assert "cannot be sent" in _text(result) and "long run of spaces" in _text(result)
    assert person.shown == [] and portal.config.writes.sent_messages == []
    bidi = MESSAGE | {"text": "Refill \u202eplease\u202c now"}
    assert "U+202E" in _text(await _call(harness, person, "send_message", bidi))
    assert person.shown == [] and portal.config.writes.sent_messages == []
    harness.store.close()
