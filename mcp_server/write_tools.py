"""`request_refill` and `send_message`: Kaiser writes, previewed first, committed only with the
confirmation token the preview returned (the facade's guard: this module adds no second one).

A call without `confirm_token` changes nothing: it returns what would be sent and a token. The
model must show that preview to the user and get an explicit yes before calling again with it.
"""

from __future__ import annotations

from typing import Annotated, Any

from mcp.server.mcpserver import MCPServer
from mcp_types import ToolAnnotations
from pydantic import Field

from fhir_client import FhirClientError
from mcp_server.fencing import Fence
from mcp_server.sources import SourceRegistry, UnknownSourceError
from mcp_server.tool_errors import to_tool_error

__all__ = ["WriteTools", "register_write_tools"]

KAISER = "kaiser"
_ASK = (
    "Nothing has been sent. Show this preview to the user and ask them to confirm. Only after they say yes, "
    'call {tool} again with the same arguments and confirm_token="{token}" (valid until {expires}).'
)


class WriteTools:
    def __init__(self, registry: SourceRegistry) -> None:
        self._registry = registry

    async def request_refill(
        self,
        medication_request_id: Annotated[str, Field(description="Id of the Kaiser MedicationRequest to refill.")],
        delivery: Annotated[str, Field(description="Only 'mail' is supported.")] = "mail",
        confirm_token: Annotated[
            str | None, Field(description="The token from the preview, only after the user confirmed it.")
        ] = None,
    ) -> str:
        """Request a mail-order refill of a Kaiser prescription. Without confirm_token: a preview
        (medication, copay, ship-to city, blockers) and a token; with it: places the order."""
        params = {"delivery": delivery} | ({"confirm": confirm_token} if confirm_token else {})
        answer = await self._call("MedicationRequest", "refill", params, medication_request_id)
        return _render(answer, "request_refill")

    async def send_message(
        self,
        recipient: Annotated[str, Field(description="Clinician's name as in the care team, e.g. 'ALEX SAMPLE MD'.")],
        topic: Annotated[str, Field(description="e.g. 'Non-Urgent Medical Advice', 'Medication', 'Test Results'.")],
        subject: Annotated[str, Field(description="Message subject.")],
        text: Annotated[str, Field(description="The message, as the user wants it sent.")],
        confirm_token: Annotated[
            str | None, Field(description="The token from the preview, only after the user confirmed it.")
        ] = None,
    ) -> str:
        """Send a secure message to the user's Kaiser care team. Without confirm_token: a preview and
        a token; with it: sends. The token only confirms exactly the previewed text."""
        params = {"recipient": recipient, "topic": topic, "subject": subject, "text": text}
        if confirm_token:
            params["confirm"] = confirm_token
        return _render(await self._call("Communication", "send", params, None), "send_message")

    async def _call(self, resource_type: str, name: str, params: dict[str, str], resource_id: str | None) -> Any:
        target = f"{resource_type}/{resource_id}/${name}" if resource_id else f"{resource_type}/${name}"
        body = {"resourceType": "Parameters", "parameter": [{"name": k, "valueString": v} for k, v in params.items()]}
        try:
            client = self._registry.get(KAISER)
            return await client.operation(resource_type, name, body, resource_id=resource_id)
        except (FhirClientError, UnknownSourceError) as error:
            hint = 'the Kaiser session has expired: ask the user to run "fhirgate login kaiser"'
            raise to_tool_error(error, source=KAISER, target=target, login_hint=hint) from error


def _render(parameters: dict[str, Any], tool: str) -> str:
    values: dict[str, Any] = {}
    warnings: list[str] = []
    preview: list[str] = []
    for parameter in parameters.get("parameter") or []:
        if parameter.get("name") == "warning":
            warnings.append(str(parameter.get("valueString")))
        elif parameter.get("name") == "preview":
            for part in parameter.get("part") or []:
                value = next((v for k, v in part.items() if k.startswith("value")), "")
                preview.append(f"  {part.get('name')}: {value}")
        else:
            values[str(parameter.get("name"))] = next((v for k, v in parameter.items() if k.startswith("value")), None)
    status = values.get("status")
    if status == "committed":
        done = f"Done: {tool} committed. Kaiser reference: {values.get('reference')}."
        tracking = values.get("tracking")
        if isinstance(tracking, dict) and tracking.get("reference"):
            done += f" The order's progress will show as {tracking['reference']} after the next Kaiser sync."
        return done
    # The preview's facts and the warnings are what Kaiser (through the facade) said: fenced.
    fenced = Fence()
    lines = [f"Preview of {tool} (nothing sent yet):", fenced.warning("preview"), fenced.block("\n".join(preview))]
    if warnings:
        lines += ["It cannot be sent as it is:", fenced.block("\n".join(f"  - {w}" for w in warnings))]
        return "\n".join(lines)
    lines.append(_ASK.format(tool=tool, token=values.get("confirmationToken"), expires=values.get("expires")))
    return "\n".join(lines)


def register_write_tools(server: MCPServer, tools: WriteTools) -> None:
    write = ToolAnnotations(read_only_hint=False, destructive_hint=True, idempotent_hint=False, open_world_hint=True)
    server.add_tool(
        tools.request_refill,
        name="request_refill",
        title="Request a prescription refill (preview first)",
        annotations=write.model_copy(update={"title": "Request a prescription refill"}),
        structured_output=False,
    )
    server.add_tool(
        tools.send_message,
        name="send_message",
        title="Message the care team (preview first)",
        annotations=write.model_copy(update={"title": "Message the care team"}),
        structured_output=False,
    )
