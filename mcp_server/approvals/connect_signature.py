"""The `connect_practice` function: its check and question run as resolvers, as for the write tools.

No ``from __future__ import annotations`` here: the resolvers are closures, and the SDK reads the
``Annotated[..., Resolve(...)]`` hints as live objects.
"""

from collections.abc import Awaitable, Callable
from typing import Annotated

from mcp.server.mcpserver import Context, Elicit, Resolve
from pydantic import Field

from mcp_server.approvals.practice_connect import ConnectTools
from mcp_server.approvals.write_preview import PreparedWrite
from mcp_server.approvals.write_tools import Answer, ApproveWrite, WriteTools

__all__ = ["connect_tool"]

Name = Annotated[str, Field(description="short, e.g. 'dr-lee' (letters, digits, -)")]
BaseUrl = Annotated[str, Field(description="FHIR R4 base URL (https), or a code from find_practice")]


def connect_tool(tools: ConnectTools) -> Callable[..., Awaitable[str]]:
    """`connect_practice`, its check and question bound to `tools`."""

    async def prepare_connect(name: str, fhir_base_url: str) -> PreparedWrite:
        return ConnectTools.prepare_connect(name, await tools.resolve_target(fhir_base_url.strip()))

    def ask_connect(
        prepared: Annotated[PreparedWrite, Resolve(prepare_connect)], ctx: Context
    ) -> Elicit[ApproveWrite] | str:
        return WriteTools.ask(prepared, ctx)

    async def connect_practice(
        name: Name,
        fhir_base_url: BaseUrl,
        prepared: Annotated[PreparedWrite, Resolve(prepare_connect)],
        answer: Annotated[Answer, Resolve(ask_connect)],
    ) -> str:
        """Ask the user to approve connecting a practice (SMART on FHIR, e.g. healow); nothing is contacted before.
        Once approved, the answer (or approval_status) gives a sign-in URL and a state: after signing in, the
        user pastes the address the browser ends on; pass it and the state to complete_oauth."""
        return await tools.conclude_connect(prepared, answer)

    return connect_practice
