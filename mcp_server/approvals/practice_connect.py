"""`connect_practice` and `complete_oauth`: connecting a SMART practice from the chat.

The SMART work (discovery, PKCE, token exchange and storage) is the composition root's
`PracticeConnector`. `connect_practice` contacts nothing until the person approves the exact base URL
(MCP elicitation, or the local approval page): only then does the approval start the launch and hand
back the sign-in URL. `complete_oauth` takes back the redirect (or code) with its state and adds the
connected practice to the sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol

from mcp.server.mcpserver import AcceptedElicitation
from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from fhir_client import FhirClientError, PracticeNotFound, safe_url
from fhir_client.practice_directory import looks_like_address
from mcp_server.approvals.desk import ApprovalDesk
from mcp_server.approvals.status import status_text
from mcp_server.approvals.write_preview import PreparedWrite
from mcp_server.approvals.write_tools import NO_ELICITATION, Answer, ApproveWrite
from mcp_server.sources.connect_errors import check_base_url, check_practice_name, complete_failure
from mcp_server.sources.find_practice import PracticeDirectory
from mcp_server.sources.registry import RecordSource, SourceRegistry

__all__ = ["CONNECT", "ConnectTools", "PendingConnection", "PracticeConnector"]

CONNECT = "connect"


@dataclass(frozen=True)
class PendingConnection:
    authorize_url: str
    state: str


class PracticeConnector(Protocol):
    """Runs SMART App Launch for the MCP tools (implemented by the composition root)."""

    async def begin(self, name: str, fhir_base_url: str) -> PendingConnection: ...

    async def complete(self, code_or_redirect_url: str, state: str) -> RecordSource: ...


class ConnectTools:
    def __init__(
        self,
        registry: SourceRegistry,
        connector: PracticeConnector,
        desk: ApprovalDesk,
        directory: PracticeDirectory | None = None,
    ) -> None:
        self._registry = registry
        self._connector = connector
        self._desk = desk
        self._directory = directory

    async def resolve_target(self, target: str) -> str:
        """`target` as a base URL: a URL as given, or a practice code or name looked up in the home's copy of
        the directory (read locally; nothing about `target` is sent anywhere)."""
        if looks_like_address(target) or self._directory is None:
            return target
        try:
            return (await self._directory.match(target[:200])).base_url
        except PracticeNotFound as error:
            raise ToolError(f"{error} (find_practice lists the candidates)") from error
        except FhirClientError as error:
            raise ToolError(f"eClinicalWorks' practice directory could not be read: {error}") from error

    @staticmethod
    def prepare_connect(name: str, fhir_base_url: str) -> PreparedWrite:
        """Checks the arguments and describes what approving does; sends nothing (no discovery yet)."""
        check_practice_name(name)
        check_base_url(fhir_base_url)
        preview: dict[str, bool | int | str] = {
            "practice_name": name,
            "fhir_base_url": fhir_base_url.strip(),
            "what_happens": (
                "fhirgate contacts this address to find its sign-in page, then you sign in at the practice "
                "and choose what it shares; nothing else is sent"
            ),
        }
        return PreparedWrite(
            CONNECT, "connect_practice", {"name": name, "fhir_base_url": fhir_base_url.strip()}, preview
        )

    async def conclude_connect(self, prepared: PreparedWrite, answer: Answer) -> str:
        data: object = answer.data if isinstance(answer, AcceptedElicitation) else None
        if data == NO_ELICITATION:
            approval_id = self._desk.submit(prepared.kind, prepared.request, prepared.preview)
            url = self._desk.page_url(approval_id)
            where = f"on fhirgate's approval page: {url}" if url else "with `fhirgate open`"
            return (
                f"Nothing has been contacted yet. The user must approve connecting {prepared.request['name']!r} "
                f"({prepared.request['fhir_base_url']}) themselves {where} (if the page asks to sign in, they run "
                "`fhirgate open`). After they approve, the page links to the practice's sign-in; then call "
                f'approval_status(approval_id="{approval_id}") for the state to pass to complete_oauth.'
            )
        approval_id = self._desk.submit(prepared.kind, prepared.request, prepared.preview)
        if not (isinstance(data, ApproveWrite) and data.approve):
            reason = "declined" if answer.action in ("decline", "accept") else "cancelled"
            self._desk.reject_by_elicitation(approval_id, reason)
            return f"The user {reason} connecting {prepared.request['name']!r}: nothing was contacted."
        state = await self._desk.approve_by_elicitation(approval_id)
        if state.status != "started":
            raise ToolError(state.detail)
        return status_text(state)

    async def complete_oauth(
        self,
        code_or_redirect_url: Annotated[str, Field(description="The redirect URL the user pasted (or just the code).")],
        state: Annotated[str, Field(description="The state value connect_practice returned.")],
    ) -> str:
        """Finish connecting a practice with the redirect URL (or code) and the state from connect_practice."""
        try:
            source = await self._connector.complete(code_or_redirect_url, state)
        except (FhirClientError, ValueError) as error:
            raise ToolError(complete_failure(error)) from error
        self._registry.add(source)
        return (
            f"Connected {source.name!r} ({safe_url(source.client.base_url)}). Its record is now searched by every "
            f'tool (or pass source="{source.name}").'
        )
