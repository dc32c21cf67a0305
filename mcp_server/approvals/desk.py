"""What the MCP tools need from the approval machinery (implemented by the composition root).

The tools may *submit* something for the person to approve and *read* how it ended; a decision comes
only from the person: an accepted MCP elicitation (``approve_by_elicitation`` is called by the tool only
after the client's accept) or the local web app's approval page. Nothing here hands the model a value
that commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["ApprovalDesk", "ApprovalState"]


@dataclass(frozen=True)
class ApprovalState:
    approval_id: str
    status: str
    """pending | rejected | expired | committed | failed | started | unknown"""
    detail: str
    outcome: dict[str, Any] = field(default_factory=dict)


class ApprovalDesk(Protocol):
    def submit(self, kind: str, request: Mapping[str, str], preview: Mapping[str, Any]) -> str:
        """Record a pending approval; returns its id (an id decides nothing by itself)."""
        ...

    async def approve_by_elicitation(self, approval_id: str) -> ApprovalState: ...

    def reject_by_elicitation(self, approval_id: str, reason: str) -> ApprovalState: ...

    def status(self, approval_id: str) -> ApprovalState: ...

    def page_url(self, approval_id: str) -> str | None:
        """Where the person approves it in the local web app (None when no web app serves this home)."""
        ...
