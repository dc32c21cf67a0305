"""The write tools' functions: each tool's preview and question run as resolvers before its body, so
the elicitation works on every protocol revision (a standalone request, or an input-required round).

No ``from __future__ import annotations`` here: the resolvers are closures over one ``WriteTools``,
and the SDK reads the ``Annotated[..., Resolve(...)]`` hints as live objects.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from mcp.server.mcpserver import Context, Elicit, Resolve
from pydantic import Field

from mcp_server.approvals.write_preview import PreparedWrite
from mcp_server.approvals.write_tools import Answer, ApproveWrite, WriteTools

__all__ = ["message_tool", "refill_tool"]

MedicationRequestId = Annotated[str, Field(description="Kaiser MedicationRequest id")]
Delivery = Annotated[str, Field(description="only 'mail'")]
Recipient = Annotated[str, Field(description="exactly as list_message_recipients gives it")]
Topic = Annotated[str, Field(description="exactly as list_message_topics gives it")]
Subject = Annotated[str, Field(description="up to 200 characters")]
Text = Annotated[str, Field(description="the whole message, as the user wants it sent")]


def refill_tool(tools: WriteTools) -> Callable[..., Awaitable[str]]:
    """`request_refill`, its preview and question bound to `tools`."""

    async def prepare_refill(medication_request_id: str, delivery: str = "mail") -> PreparedWrite:
        return await tools.prepare_refill(medication_request_id, delivery)

    def ask_refill(
        prepared: Annotated[PreparedWrite, Resolve(prepare_refill)], ctx: Context
    ) -> Elicit[ApproveWrite] | str:
        return tools.ask(prepared, ctx)

    async def request_refill(
        medication_request_id: MedicationRequestId,
        prepared: Annotated[PreparedWrite, Resolve(prepare_refill)],
        answer: Annotated[Answer, Resolve(ask_refill)],
        delivery: Delivery = "mail",
    ) -> str:
        """Prepare a mail-order refill of a Kaiser prescription; returns the preview (medication, pharmacy,
        address, copay, blockers). Nothing is ordered until the user approves it in the approval dialog or
        on fhirgate's approval page (the answer gives its URL and an approval id for approval_status)."""
        return await tools.conclude(prepared, answer)

    return request_refill


def message_tool(tools: WriteTools) -> Callable[..., Awaitable[str]]:
    """`send_message`, its preview and question bound to `tools`."""

    async def prepare_message(recipient: str, topic: str, subject: str, text: str) -> PreparedWrite:
        return await tools.prepare_message(recipient, topic, subject, text)

    def ask_message(
        prepared: Annotated[PreparedWrite, Resolve(prepare_message)], ctx: Context
    ) -> Elicit[ApproveWrite] | str:
        return tools.ask(prepared, ctx)

    async def send_message(
        recipient: Recipient,
        topic: Topic,
        subject: Subject,
        text: Text,
        prepared: Annotated[PreparedWrite, Resolve(prepare_message)],
        answer: Annotated[Answer, Resolve(ask_message)],
    ) -> str:
        """Prepare a secure message to the Kaiser care team; returns the whole preview. Nothing is sent until
        the user approves it (as for request_refill). Invisible characters or long blank runs are refused."""
        return await tools.conclude(prepared, answer)

    return send_message
