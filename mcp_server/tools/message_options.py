"""`list_message_recipients` and `list_message_topics`: the portal's own lists for `send_message`, so the
model picks a name the portal knows instead of guessing one (read through the facade's `$send-options`)."""

from __future__ import annotations

from typing import Any

from fhir_client import FhirClientError
from mcp_server.answers.tool_errors import to_tool_error
from mcp_server.sources.registry import SourceRegistry, UnknownSourceError
from mcp_server.untrusted.fencing import fence

__all__ = ["MessageOptionTools"]

KAISER = "kaiser"


class MessageOptionTools:
    def __init__(self, registry: SourceRegistry) -> None:
        self._registry = registry

    async def list_message_recipients(self) -> str:
        """Who the user can message on Kaiser (the portal's own list, usually a dozen names, the primary
        care clinician first). Pass one name exactly as shown as send_message's recipient."""
        return self._render("recipient", "People the user can message at Kaiser", await self._options())

    async def list_message_topics(self) -> str:
        """The topics a Kaiser message can have (the portal's own list, about five). Pass one exactly as
        shown as send_message's topic."""
        return self._render("topic", "Topics a Kaiser message can have", await self._options())

    async def _options(self) -> dict[str, Any]:
        body = {"resourceType": "Parameters", "parameter": []}
        try:
            client = self._registry.get(KAISER)
            return await client.operation("Communication", "send-options", body)
        except (FhirClientError, UnknownSourceError) as error:
            hint = 'the Kaiser session has expired: ask the user to run "fhirgate login kaiser"'
            raise to_tool_error(error, source=KAISER, target="Communication/$send-options", login_hint=hint) from error

    @staticmethod
    def _render(kind: str, title: str, parameters: dict[str, Any]) -> str:
        values = [
            str(p.get("valueString"))[:120]
            for p in parameters.get("parameter") or []
            if p.get("name") == kind and p.get("valueString")
        ][:50]
        if not values:
            return f"{title}: the portal listed none."
        listed = "\n".join(f"- {value}" for value in values)
        return f"{title} ({len(values)}, from the portal):\n{fence(listed, what='list')}"
