"""A person's decision on a pending approval, from whichever channel carried it (MCP elicitation or the
web app's approval page): approve -> commit once, reject -> nothing sent; each step in the audit log.

Connecting a practice is decided here too; what "starting" it means is the injected ``ConnectStarter``.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from gateway.kaiser.errors import KaiserError
from gateway.writes.approvals import Approval, ApprovalStatus, ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.operations import REFILL, WriteOperations
from translators.refill_orders import task_id

__all__ = ["CONNECT", "ApprovalDecisions", "ConnectStarter", "Decision"]

log = logging.getLogger("fhirgate.approvals")

CONNECT = "connect"
Channel = Literal["elicitation", "web"]
ConnectStarter = Callable[[str, str], Awaitable[dict[str, str]]]
"""Starts connecting practice ``name`` at ``base_url``; returns what the person needs next (authorize_url, state)."""


@dataclass(frozen=True)
class Decision:
    approval_id: str
    status: ApprovalStatus | Literal["unknown"]
    detail: str
    outcome: dict[str, Any]


class ApprovalDecisions:
    def __init__(
        self,
        store: ApprovalStore,
        audit: AuditLog,
        *,
        writes: WriteOperations | None = None,
        connect: ConnectStarter | None = None,
    ) -> None:
        self.store = store
        self._audit = audit
        self._writes = writes
        self._connect = connect

    def pending(self) -> list[Approval]:
        self.expire_due()
        return self.store.pending()

    def expire_due(self) -> None:
        for approval in self.store.expire_due():
            self._audit.append(approval.kind, "expired", approval=approval.id)

    async def approve(self, approval_id: str, channel: Channel) -> Decision:
        self.expire_due()
        approval = self.store.claim(approval_id, "approved", channel)
        if approval is None:
            return self._not_pending(approval_id, "approve")
        self._audit.append(approval.kind, "approved", approval=approval.id, channel=channel)
        if not approval.intact:
            return self._finish(approval, "failed", "the stored preview was altered; nothing was sent", {})
        if approval.kind == CONNECT:
            return await self._start_connection(approval)
        if self._writes is None:
            return self._finish(approval, "failed", "this fhirgate process cannot reach Kaiser; nothing was sent", {})
        try:
            outcome = await self._writes.commit_approved(approval)
        except KaiserError as exc:
            self._audit.append(approval.kind, "failure", approval=approval.id, step="preview", error=str(exc)[:200])
            return self._finish(
                approval, "failed", f"the Kaiser portal could not be reached: {exc}; nothing was sent", {}
            )
        except Exception as exc:  # never leave an approval half-decided; the chains report their own failures
            log.error(
                "event=approved_write_crashed approval=%s kind=%s error=%s",
                approval.id,
                approval.kind,
                type(exc).__name__,
            )
            self._audit.append(
                approval.kind, "failure", approval=approval.id, step="unexpected", error=type(exc).__name__
            )
            detail = f"failed unexpectedly ({type(exc).__name__}); check kp.org before trying again"
            return self._finish(approval, "failed", detail, {})
        status: ApprovalStatus = "committed" if outcome.status == "committed" else "failed"
        detail = (
            f"done: Kaiser reference {outcome.reference}" if status == "committed" else outcome.detail or outcome.status
        )
        kept: dict[str, Any] = {"reference": outcome.reference} if outcome.reference else {}
        if outcome.reference and approval.kind == REFILL and status == "committed":
            kept["tracking"] = f"Task/{task_id(outcome.reference)}"  # appears after the next medications sync
        return self._finish(approval, status, detail, kept)

    def reject(self, approval_id: str, channel: Channel, *, reason: str = "rejected") -> Decision:
        self.expire_due()
        approval = self.store.claim(approval_id, "rejected", channel)
        if approval is None:
            return self._not_pending(approval_id, "reject")
        self._audit.append(approval.kind, "rejected", approval=approval.id, channel=channel, reason=reason)
        self.store.finish(approval.id, "rejected", {"reason": reason})
        return Decision(approval.id, "rejected", "rejected: nothing was sent", {"reason": reason})

    def status(self, approval_id: str) -> Decision:
        self.expire_due()
        approval = self.store.get(approval_id)
        if approval is None:
            return Decision(approval_id, "unknown", "no such approval", {})
        return Decision(approval.id, approval.status, _describe(approval), dict(approval.outcome))

    async def _start_connection(self, approval: Approval) -> Decision:
        if self._connect is None:
            return self._finish(approval, "failed", "this fhirgate process cannot connect practices", {})
        name, base_url = approval.request["name"], approval.request["fhir_base_url"]
        try:
            started = await self._connect(name, base_url)
        except Exception as exc:  # the starter's errors are many (discovery, setup); its message says what to do
            self._audit.append(CONNECT, "failure", approval=approval.id, name=name, error=type(exc).__name__)
            return self._finish(approval, "failed", str(exc)[:500] or type(exc).__name__, {})
        self._audit.append(CONNECT, "started", approval=approval.id, name=name)
        return self._finish(approval, "started", f"sign in at the practice to finish connecting {name!r}", started)

    def _finish(self, approval: Approval, status: ApprovalStatus, detail: str, outcome: dict[str, Any]) -> Decision:
        self.store.finish(approval.id, status, outcome | {"detail": detail})
        return Decision(approval.id, status, detail, outcome)

    def _not_pending(self, approval_id: str, action: str) -> Decision:
        current = self.store.get(approval_id)
        kind = current.kind if current else "unknown"
        state = current.status if current else "unknown"
        self._audit.append(kind, "refused", approval=approval_id, reason=f"{action} on {state}")
        return Decision(approval_id, state, f"nothing was done: this approval is {state}", {})


def _describe(approval: Approval) -> str:
    return {
        "pending": f"waiting for the person to approve or reject (until {approval.expires_at:%H:%M:%S} UTC)",
        "approved": "approved; being carried out",
        "rejected": "rejected by the person; nothing was sent",
        "expired": "expired before the person decided; nothing was sent",
        "committed": "approved by the person and done",
        "failed": "approved, but it failed",
        "started": "approved; the person signs in at the practice next",
    }[approval.status] + (f" ({approval.outcome['detail']})" if approval.outcome.get("detail") else "")
