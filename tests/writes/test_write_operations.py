"""Preview -> confirmation token -> commit, against the sandbox portal, with the audit trail."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from gateway.kaiser.portal_client import PortalClient
from gateway.writes.audit import AuditLog
from gateway.writes.confirmation import ConfirmationGuard
from gateway.writes.message import MessageDraft
from gateway.writes.operations import WriteOperations
from tests.writes.conftest import SignedInPortal

SECRET_TEXT = "My private question about dosage."


def _operations(portal: SignedInPortal, tmp_path: Path) -> WriteOperations:
    @asynccontextmanager
    async def clients() -> AsyncIterator[PortalClient]:
        yield portal.client

    return WriteOperations(clients, ConfirmationGuard(b"s" * 32, tmp_path / "used"), AuditLog(tmp_path / "audit.log"))


def _fillable_rx(portal: SignedInPortal) -> str:
    for rx in portal.config.patient.rx_details["prescriptions"]["fillable"]:
        if rx["mailable"] == "true" and int(rx["refillsRemaining"]) > 0:
            return str(rx["afcInfo"]["rxnbr"])
    raise AssertionError("no mailable prescription")


async def test_refill_previews_then_commits_with_the_token_once(portal: SignedInPortal, tmp_path: Path) -> None:
    ops = _operations(portal, tmp_path)
    rx = _fillable_rx(portal)
    preview = await ops.refill(rx, resource_id="mr1", confirm=None)
    assert preview.status == "preview" and preview.confirmation_token
    assert portal.config.writes.placed_orders == []

    committed = await ops.refill(rx, resource_id="mr1", confirm=preview.confirmation_token)
    assert committed.status == "committed" and committed.reference
    assert len(portal.config.writes.placed_orders) == 1

    replay = await ops.refill(rx, resource_id="mr1", confirm=preview.confirmation_token)
    assert replay.status == "refused" and replay.refusal == "reused"
    assert len(portal.config.writes.placed_orders) == 1
    phases = [e["phase"] for e in AuditLog(tmp_path / "audit.log").events()]
    assert phases == ["preview", "commit", "refused"]


async def test_a_token_for_another_prescription_sends_nothing(portal: SignedInPortal, tmp_path: Path) -> None:
    ops = _operations(portal, tmp_path)
    rx = _fillable_rx(portal)
    token = (await ops.refill(rx, resource_id="mr1", confirm=None)).confirmation_token
    other = next(
        str(r["afcInfo"]["rxnbr"])
        for r in portal.config.patient.rx_details["prescriptions"]["fillable"]
        if str(r["afcInfo"]["rxnbr"]) != rx
    )
    refused = await ops.refill(other, resource_id="mr2", confirm=token)
    assert refused.status == "refused" and portal.config.writes.placed_orders == []


async def test_message_commit_and_audit_never_contain_the_text(portal: SignedInPortal, tmp_path: Path) -> None:
    ops = _operations(portal, tmp_path)
    draft = MessageDraft("ALEX SAMPLE MD", "Medication", "Dose question", SECRET_TEXT)
    preview = await ops.send_message(draft, confirm=None)
    assert preview.status == "preview" and preview.content["text"] == SECRET_TEXT

    changed = MessageDraft("ALEX SAMPLE MD", "Medication", "Dose question", SECRET_TEXT + " Also: refill?")
    mismatch = await ops.send_message(changed, confirm=preview.confirmation_token)
    assert mismatch.status == "refused" and mismatch.refusal == "mismatch"
    assert portal.config.writes.sent_messages == []

    sent = await ops.send_message(draft, confirm=preview.confirmation_token)
    assert sent.status == "committed" and len(portal.config.writes.sent_messages) == 1
    audit_text = (tmp_path / "audit.log").read_text()
    assert SECRET_TEXT not in audit_text and "Dose question" not in audit_text
    assert [json.loads(line)["phase"] for line in audit_text.splitlines()] == ["preview", "refused", "commit"]


async def test_a_chain_that_fails_halfway_is_reported_and_audited(portal: SignedInPortal, tmp_path: Path) -> None:
    ops = _operations(portal, tmp_path)
    draft = MessageDraft("ALEX SAMPLE MD", "101", "Subject", "Body")
    token = (await ops.send_message(draft, confirm=None)).confirmation_token
    portal.config.writes.fail_at = "SendMedicalAdviceRequest"
    failed = await ops.send_message(draft, confirm=token)
    assert failed.status == "failed" and failed.detail and "SendMedicalAdviceRequest" in failed.detail
    assert AuditLog(tmp_path / "audit.log").events()[-1]["phase"] == "failure"
