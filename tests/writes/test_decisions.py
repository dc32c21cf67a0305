"""Deciding an approval: a write that crashes mid-way still ends the approval (failed, once), audited
without its content."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from gateway.writes.approvals import Approval, ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.decisions import ApprovalDecisions
from gateway.writes.operations import WriteOperations, WriteOutcome


class CrashingWrites:
    def __init__(self) -> None:
        self.calls = 0

    async def commit_approved(self, approval: Approval) -> WriteOutcome:
        self.calls += 1
        raise RuntimeError("Private words leaked into an exception")


async def test_a_crashing_commit_fails_the_approval_once(tmp_path: Path) -> None:
    writes = CrashingWrites()
    audit = AuditLog(tmp_path / "audit.log")
    decisions = ApprovalDecisions(
        ApprovalStore(tmp_path / "approvals.sqlite3"), audit, writes=cast(WriteOperations, writes)
    )
    approval = decisions.store.submit("send-message", {"text": "Private words"}, {"text": "Private words"})
    first = await decisions.approve(approval.id, "web")
    again = await decisions.approve(approval.id, "web")
    assert (first.status, again.status, writes.calls) == ("failed", "failed", 1)
    assert "RuntimeError" in first.detail and "check kp.org" in first.detail
    assert [e["phase"] for e in audit.events()] == ["approved", "failure", "refused"]
    assert "Private words" not in (tmp_path / "audit.log").read_text()
