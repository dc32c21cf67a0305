"""`approval_status`: how something the person was asked to approve ended, in words for the model.

Reading a status never decides anything; for an approved practice connection it hands back the
practice's sign-in URL and the state that `complete_oauth` needs (the person still signs in there).
"""

from __future__ import annotations

from typing import Annotated

from mcp.server.mcpserver.exceptions import ToolError
from pydantic import Field

from mcp_server.approvals.desk import ApprovalDesk, ApprovalState

__all__ = ["ApprovalStatusTool", "status_text"]


class ApprovalStatusTool:
    def __init__(self, desk: ApprovalDesk) -> None:
        self._desk = desk

    async def approval_status(
        self, approval_id: Annotated[str, Field(description="The approval id a tool answer gave.")]
    ) -> str:
        """How a write or practice connection the user was asked to approve ended: pending, rejected,
        expired, committed (with the Kaiser reference), failed, or started (a practice connection: the
        sign-in URL and state for complete_oauth). Reading it never approves anything."""
        return status_text(self._desk.status(approval_id[:64]))


def status_text(state: ApprovalState) -> str:
    if state.status == "unknown":
        raise ToolError(f"No approval {state.approval_id[:64]!r}: use the id a tool answer gave.")
    if state.status == "started" and state.outcome.get("authorize_url"):
        return (
            "The user approved connecting the practice. Ask them to open this URL, sign in at the practice and "
            f"approve access:\n{state.outcome['authorize_url']}\nThen ask them to paste the address the browser "
            f'ends on, and call complete_oauth with it and state="{state.outcome.get("state")}".'
        )
    reference = state.outcome.get("reference")
    done = f" Kaiser reference: {reference}." if reference else ""
    if state.outcome.get("tracking"):
        done += f" The order's progress will show as {state.outcome['tracking']} after the next Kaiser sync."
    return f"Approval {state.approval_id}: {state.status}. {state.detail.rstrip('.')}.{done}"
