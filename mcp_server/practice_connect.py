"""`connect_practice` and `complete_oauth`: connecting a SMART practice from the chat.

The SMART work (discovery, PKCE, token exchange and storage) is the composition root's
`PracticeConnector`; these tools only hand the user the sign-in URL, take back the redirect
(or code) with its state, and add the connected practice to the sources.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Protocol

from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ToolError
from mcp_types import ToolAnnotations
from pydantic import Field

from fhir_client import FhirClientError, PracticeNotFound, safe_url
from fhir_client.practice_directory import looks_like_address
from mcp_server.connect_errors import begin_failure, check_base_url, check_practice_name, complete_failure
from mcp_server.find_practice import PracticeDirectory
from mcp_server.sources import RecordSource, SourceRegistry

__all__ = ["ConnectTools", "PendingConnection", "PracticeConnector", "register_connect_tools"]


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
        self, registry: SourceRegistry, connector: PracticeConnector, directory: PracticeDirectory | None = None
    ) -> None:
        self._registry = registry
        self._connector = connector
        self._directory = directory

    async def _base_url(self, target: str) -> str:
        """`target` as a base URL: a URL as given, or a practice code or name looked up in the directory."""
        if looks_like_address(target) or self._directory is None:
            return target
        try:
            return (await self._directory.match(target[:200])).base_url
        except PracticeNotFound as error:
            raise ToolError(f"{error} (find_practice lists the candidates)") from error
        except FhirClientError as error:
            raise ToolError(f"eClinicalWorks' practice directory could not be read: {error}") from error

    async def connect_practice(
        self,
        name: Annotated[str, Field(description="A short name for the practice, e.g. 'dr-lee' (letters, digits, -).")],
        fhir_base_url: Annotated[
            str, Field(description="The practice's FHIR R4 base URL (https), or its code from find_practice.")
        ],
    ) -> str:
        """Start connecting a doctor's practice (SMART on FHIR, e.g. healow / eClinicalWorks).

        Returns a sign-in URL for the user to open in their browser and a state value. After the
        user signs in and consents, the browser lands on a redirect URL (the page may not load):
        ask the user to paste that whole URL, then call complete_oauth with it and the state.
        """
        check_practice_name(name)
        fhir_base_url = await self._base_url(fhir_base_url)
        check_base_url(fhir_base_url)
        try:
            pending = await self._connector.begin(name, fhir_base_url)
        except (FhirClientError, ValueError) as error:
            raise ToolError(begin_failure(error, name, fhir_base_url)) from error
        return (
            f"Ask the user to open this URL, sign in at the practice and approve access:\n{pending.authorize_url}\n"
            f"Then ask them to paste the address the browser ends on, and call complete_oauth with it and "
            f'state="{pending.state}".'
        )

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


def register_connect_tools(server: MCPServer, tools: ConnectTools) -> None:
    # Not read-only: they store tokens; not destructive: nothing in the record changes.
    for fn, title in ((tools.connect_practice, "Connect a practice"), (tools.complete_oauth, "Finish connecting")):
        server.add_tool(
            fn,
            name=fn.__name__,
            title=title,
            annotations=ToolAnnotations(
                title=title, read_only_hint=False, destructive_hint=False, idempotent_hint=False, open_world_hint=True
            ),
            structured_output=False,
        )
