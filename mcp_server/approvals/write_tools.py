"""`request_refill` and `send_message`: Kaiser writes the model may prepare but only the person approves.

Each call previews through the facade (`$refill` / `$send` without a token: read-only at the portal).
The facade's confirmation token stays in this process and is dropped: the model never sees anything
that commits. Approval then travels through a channel the model cannot use:

- the client declared MCP elicitation: the person is shown the whole preview and only an accept commits
  (decline, cancel or no answer: nothing is sent);
- otherwise the preview becomes a pending approval in the home, approved or rejected on the local web
  app's approval page (a browser session the model never holds); `approval_status` tells the outcome.
"""

from __future__ import annotations

from typing import Any

from mcp.server.mcpserver import AcceptedElicitation, Context, Elicit, ElicitationResult
from pydantic import BaseModel, Field

from fhir_client import FhirClientError
from mcp_server.answers.tool_errors import to_tool_error
from mcp_server.approvals.desk import ApprovalDesk
from mcp_server.approvals.status import status_text
from mcp_server.approvals.write_preview import PreparedWrite, approval_message, parse_preview, preview_lines
from mcp_server.sources.registry import SourceRegistry, UnknownSourceError
from mcp_server.untrusted.fencing import fence

__all__ = ["Answer", "ApproveWrite", "WriteTools"]

KAISER = "kaiser"
REFILL = "refill"
SEND_MESSAGE = "send-message"
NO_ELICITATION = "no-elicitation"
NOT_COMMITTABLE = "not-committable"


class ApproveWrite(BaseModel):
    """The elicitation form: the person ticks the box and accepts, or declines."""

    approve: bool = Field(description="Yes: send exactly what is shown above.")


Answer = ElicitationResult[ApproveWrite]


class WriteTools:
    def __init__(self, registry: SourceRegistry, desk: ApprovalDesk) -> None:
        self._registry = registry
        self._desk = desk

    # -- resolvers: run before the tool body on every round; they read, never write --------------------

    async def prepare_refill(self, medication_request_id: str, delivery: str = "mail") -> PreparedWrite:
        answer = await self._call("MedicationRequest", "refill", {"delivery": delivery}, medication_request_id)
        preview, warnings = parse_preview(answer)
        request = {"rx_number": str(preview.get("rx_number", "")), "resource_id": medication_request_id}
        return PreparedWrite(REFILL, "request_refill", request, preview, warnings)

    async def prepare_message(self, recipient: str, topic: str, subject: str, text: str) -> PreparedWrite:
        request = {"recipient": recipient, "topic": topic, "subject": subject, "text": text}
        preview, warnings = parse_preview(await self._call("Communication", "send", request, None))
        return PreparedWrite(SEND_MESSAGE, "send_message", request, preview, warnings)

    @staticmethod
    def ask(prepared: PreparedWrite, ctx: Context) -> Elicit[ApproveWrite] | str:
        if prepared.warnings:
            return NOT_COMMITTABLE
        capabilities = ctx.client_capabilities
        elicitation = capabilities.elicitation if capabilities is not None else None
        if elicitation is None or (elicitation.form is None and elicitation.url is not None):
            return NO_ELICITATION
        return Elicit(approval_message(prepared), ApproveWrite)

    async def conclude(self, prepared: PreparedWrite, answer: Answer) -> str:
        shown = fence("\n".join(preview_lines(prepared.preview)), what="preview of what would be sent")
        header = f"Preview of {prepared.tool} (nothing has been sent):\n{shown}"
        if prepared.warnings:
            blockers = "\n".join(f"  - {w}" for w in prepared.warnings)
            return f"{header}\nIt cannot be sent as it is:\n{fence(blockers, what='list of blockers')}"
        data: object = answer.data if isinstance(answer, AcceptedElicitation) else None
        if data == NO_ELICITATION:
            return header + "\n" + self._ask_on_the_web(prepared)
        approval_id = self._desk.submit(prepared.kind, prepared.request, prepared.preview)
        if isinstance(data, ApproveWrite) and data.approve:
            return status_text(await self._desk.approve_by_elicitation(approval_id))
        reason = "declined" if answer.action in ("decline", "accept") else "cancelled"
        self._desk.reject_by_elicitation(approval_id, reason)
        return f"The user {reason} {prepared.tool}: nothing was sent."

    def _ask_on_the_web(self, prepared: PreparedWrite) -> str:
        approval_id = self._desk.submit(prepared.kind, prepared.request, prepared.preview)
        url = self._desk.page_url(approval_id)
        where = (
            f"on fhirgate's approval page: {url}\n(If the page asks to sign in, the user runs `fhirgate open` "
            "in a terminal; it opens a signed-in browser window.)"
            if url
            else "but no fhirgate web app serves this home: ask the user to run `fhirgate open`."
        )
        return (
            "Nothing has been sent. The user must approve it themselves " + where + "\n"
            f"Tell the user what it is, and check the outcome later with approval_status(approval_id="
            f'"{approval_id}"). You cannot approve it.'
        )

    async def _call(self, resource_type: str, name: str, params: dict[str, str], resource_id: str | None) -> Any:
        target = f"{resource_type}/{resource_id}/${name}" if resource_id else f"{resource_type}/${name}"
        body = {"resourceType": "Parameters", "parameter": [{"name": k, "valueString": v} for k, v in params.items()]}
        try:
            client = self._registry.get(KAISER)
            return await client.operation(resource_type, name, body, resource_id=resource_id)
        except (FhirClientError, UnknownSourceError) as error:
            hint = 'the Kaiser session has expired: ask the user to run "fhirgate login kaiser"'
            raise to_tool_error(error, source=KAISER, target=target, login_hint=hint) from error
