"""The guarded write operations: preview -> confirmation token -> commit, every step audited.

Without a token an operation only previews (read-only calls) and, when the preview is committable,
issues a token bound to the exact previewed content and the current portal session. With a token it
re-runs the preview, redeems the token against it (other content, expired or reused -> refused, nothing
sent), then commits. A chain that fails halfway is reported as failed with what the portal said and
is never retried automatically.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from gateway.kaiser.errors import KaiserError
from gateway.kaiser.portal_client import PortalClient
from gateway.writes.approvals import Approval, preview_digest
from gateway.writes.audit import AuditLog
from gateway.writes.confirmation import ConfirmationGuard, ConfirmationRejected
from gateway.writes.errors import WriteChainError
from gateway.writes.message import MessageChain, MessageDraft, MessagePreview
from gateway.writes.refill import PreparedRefill, RefillChain

Status = Literal["preview", "committed", "failed", "refused"]
ClientFactory = Callable[[], AbstractAsyncContextManager[PortalClient]]

REFILL = "refill"
SEND_MESSAGE = "send-message"


@dataclass
class WriteOutcome:
    operation: str
    status: Status
    content: dict[str, Any]
    warnings: list[str] = field(default_factory=list)
    confirmation_token: str | None = None
    confirmation_expires: datetime | None = None
    reference: str | None = None
    detail: str | None = None
    refusal: str | None = None  # malformed | mismatch | expired | reused | not-committable | changed


def session_fingerprint(client: PortalClient) -> str:
    """Binds a confirmation to the signed-in session without putting a cookie into the token."""
    values = sorted(f"{c.get('name')}={c.get('value')}" for c in client.session.cookies)
    return hashlib.sha256("\n".join(values).encode()).hexdigest()[:32]


class WriteOperations:
    def __init__(self, clients: ClientFactory, guard: ConfirmationGuard, audit: AuditLog) -> None:
        self._clients = clients
        self._guard = guard
        self._audit = audit

    async def refill(self, rx_number: str, *, resource_id: str, confirm: str | None) -> WriteOutcome:
        async with self._clients() as client:
            chain = RefillChain(client)
            prepared = await chain.prepare(rx_number)
            preview = prepared.preview
            bound = {**preview.content, "session": session_fingerprint(client)}
            ids = {"resource_id": resource_id, "rx_number": rx_number}
            if confirm is None:
                return self._previewed(REFILL, preview.content, preview.warnings, bound, ids)
            refused = self._redeem(REFILL, confirm, bound, preview.warnings, preview.content, ids)
            if refused is not None:
                return refused
            return await self._place_refill(chain, prepared, ids)

    async def send_message(self, draft: MessageDraft, *, confirm: str | None) -> WriteOutcome:
        async with self._clients() as client:
            chain = MessageChain(client)
            preview = await chain.preview(draft)
            bound = {**preview.content, "session": session_fingerprint(client)}
            shown = _message_summary(preview.content)
            ids = _message_ids(shown)
            if confirm is None:
                return self._previewed(SEND_MESSAGE, shown, preview.warnings, bound, ids)
            refused = self._redeem(SEND_MESSAGE, confirm, bound, preview.warnings, shown, ids)
            if refused is not None:
                return refused
            return await self._send(chain, preview, draft, shown, ids)

    async def send_options(self) -> dict[str, list[str]]:
        """Whom a message can go to and under which topics, as the portal lists them (a read)."""
        async with self._clients() as client:
            recipients, topics = await MessageChain(client).options()
        return {
            "recipient": [str(row.get("displayName")) for row in recipients if row.get("displayName")],
            "topic": [
                str(row.get("displayName")) for row in topics if isinstance(row, dict) and row.get("displayName")
            ],
        }

    async def commit_approved(self, approval: Approval) -> WriteOutcome:
        """Commit what a person approved: re-run the preview, and send only when it is exactly what they saw
        (same digest) and has no blocker. The approval itself is the authority here, not a token."""
        async with self._clients() as client:
            if approval.kind == REFILL:
                rx_number, resource_id = approval.request["rx_number"], approval.request["resource_id"]
                chain = RefillChain(client)
                prepared = await chain.prepare(rx_number)
                ids = {"resource_id": resource_id, "rx_number": rx_number, "approval": approval.id}
                refused = self._check_approved(approval, prepared.preview.content, prepared.preview.warnings, ids)
                return refused or await self._place_refill(chain, prepared, ids)
            if approval.kind == SEND_MESSAGE:
                draft = MessageDraft(
                    **{key: approval.request[key] for key in ("recipient", "topic", "subject", "text")}
                )
                message_chain = MessageChain(client)
                preview = await message_chain.preview(draft)
                shown = _message_summary(preview.content)
                ids = _message_ids(shown) | {"approval": approval.id}
                refused = self._check_approved(approval, shown, preview.warnings, ids)
                return refused or await self._send(message_chain, preview, draft, shown, ids)
        raise ValueError(f"not a write: {approval.kind}")

    def _check_approved(
        self, approval: Approval, shown: dict[str, Any], warnings: list[str], ids: dict[str, Any]
    ) -> WriteOutcome | None:
        if warnings:
            self._audit.append(approval.kind, "refused", reason="not-committable", warnings=warnings, **ids)
            return WriteOutcome(
                approval.kind,
                "refused",
                shown,
                list(warnings),
                refusal="not-committable",
                detail="the preview now shows blockers; nothing was sent",
            )
        if preview_digest(approval.kind, approval.request, shown) != approval.digest:
            self._audit.append(approval.kind, "refused", reason="changed", **ids)
            return WriteOutcome(
                approval.kind,
                "refused",
                shown,
                refusal="changed",
                detail="what would be sent now differs from what was approved; nothing was sent",
            )
        return None

    async def _place_refill(self, chain: RefillChain, prepared: PreparedRefill, ids: dict[str, Any]) -> WriteOutcome:
        preview = prepared.preview
        try:
            result = await chain.place(prepared)
        except (WriteChainError, KaiserError) as exc:
            return self._failed(REFILL, preview.content, exc, ids)
        status: Status = "committed" if result.succeeded else "failed"
        self._audit.append(
            REFILL,
            "commit" if result.succeeded else "failure",
            order_number=result.order_number,
            execution_status=result.execution_status,
            rx_response_code=result.rx_response_code,
            **ids,
        )
        detail = (
            None
            if result.succeeded
            else (
                f"the pharmacy did not accept the order (status {result.execution_status}, "
                f"prescription {result.rx_response_code}); nothing was retried"
            )
        )
        return WriteOutcome(REFILL, status, preview.content, reference=result.order_number or None, detail=detail)

    async def _send(
        self,
        chain: MessageChain,
        preview: MessagePreview,
        draft: MessageDraft,
        shown: dict[str, Any],
        ids: dict[str, Any],
    ) -> WriteOutcome:
        try:
            result = await chain.send(preview, draft)
        except (WriteChainError, KaiserError) as exc:
            return self._failed(SEND_MESSAGE, shown, exc, ids)
        self._audit.append(SEND_MESSAGE, "commit", conversation_id=result.conversation_id, **ids)
        return WriteOutcome(SEND_MESSAGE, "committed", shown, reference=result.conversation_id)

    def _previewed(
        self, operation: str, shown: dict[str, Any], warnings: list[str], bound: dict[str, Any], ids: dict[str, Any]
    ) -> WriteOutcome:
        outcome = WriteOutcome(operation, "preview", shown, warnings=list(warnings))
        if not warnings:
            token = self._guard.issue(operation, bound)
            outcome.confirmation_token = token.value
            outcome.confirmation_expires = token.expires_at
        self._audit.append(operation, "preview", can_confirm=not warnings, warnings=warnings, **ids)
        return outcome

    def _redeem(
        self,
        operation: str,
        token: str,
        bound: dict[str, Any],
        warnings: list[str],
        shown: dict[str, Any],
        ids: dict[str, Any],
    ) -> WriteOutcome | None:
        if warnings:
            self._audit.append(operation, "refused", reason="not-committable", warnings=warnings, **ids)
            return WriteOutcome(
                operation,
                "refused",
                shown,
                warnings=list(warnings),
                refusal="not-committable",
                detail="the preview now shows blockers; nothing was sent",
            )
        try:
            self._guard.redeem(token, operation, bound)
        except ConfirmationRejected as exc:
            self._audit.append(operation, "refused", reason=exc.reason, **ids)
            return WriteOutcome(operation, "refused", shown, refusal=exc.reason, detail=str(exc))
        return None

    def _failed(self, operation: str, shown: dict[str, Any], exc: Exception, ids: dict[str, Any]) -> WriteOutcome:
        step = exc.step if isinstance(exc, WriteChainError) else "portal"
        maybe_sent = isinstance(exc, WriteChainError) and exc.sent
        self._audit.append(operation, "failure", step=step, error=str(exc)[:200], may_have_been_sent=maybe_sent, **ids)
        detail = f"failed at {step}: {exc}" + (
            "; the portal may have received it — check kp.org before trying again"
            if maybe_sent
            else "; nothing was sent"
        )
        return WriteOutcome(operation, "failed", shown, detail=detail)


def _message_ids(shown: dict[str, Any]) -> dict[str, Any]:
    """What the audit log keeps of a message: who, which topic and its size (never subject or text)."""
    return {key: shown[key] for key in ("recipient", "topic", "lines", "characters")}


def _message_summary(content: dict[str, Any]) -> dict[str, Any]:
    """What a preview shows of a message: all of it (the person approves exactly what is sent)."""
    text = str(content.get("text", ""))
    return {
        "recipient": content.get("recipient"),
        "topic": content.get("topic"),
        "subject": content.get("subject"),
        "text": text,
        "lines": len(text.split("\n")) if text else 0,
        "characters": len(text),
    }
