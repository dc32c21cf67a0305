"""Pending approvals in the home: decided once across processes (two stores on one file), expire, and
forget their content once decided."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from gateway.writes.approvals import ApprovalStore

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=UTC)
PREVIEW = {"recipient": "ALEX SAMPLE MD", "text": "Private words", "characters": 13, "urgent": False}


def test_an_approval_is_claimed_once_even_by_two_processes(tmp_path: Path) -> None:
    first = ApprovalStore(tmp_path / "approvals.sqlite3", clock=lambda: NOW)
    second = ApprovalStore(tmp_path / "approvals.sqlite3", clock=lambda: NOW)
    approval = first.submit("send-message", {"text": "Private words"}, PREVIEW)
    assert (tmp_path / "approvals.sqlite3").stat().st_mode & 0o777 == 0o600
    assert second.get(approval.id) == approval and approval.intact
    claimed = second.claim(approval.id, "approved", "web")
    assert claimed is not None and claimed.request == {"text": "Private words"}
    assert first.claim(approval.id, "approved", "elicitation") is None
    assert first.claim(approval.id, "rejected", "web") is None
    first.finish(approval.id, "committed", {"reference": "c-1"})
    done = second.get(approval.id)
    assert done is not None and done.status == "committed" and done.request == {} and done.preview == {}


def test_an_expired_approval_cannot_be_claimed_and_is_erased(tmp_path: Path) -> None:
    now = [NOW]
    store = ApprovalStore(tmp_path / "approvals.sqlite3", clock=lambda: now[0], ttl=timedelta(minutes=10))
    approval = store.submit("send-message", {"text": "Private words"}, PREVIEW)
    assert [a.id for a in store.pending()] == [approval.id]
    now[0] = NOW + timedelta(minutes=10, seconds=1)
    assert store.pending() == [] and store.claim(approval.id, "approved", "web") is None
    assert [a.id for a in store.expire_due()] == [approval.id]
    expired = store.get(approval.id)
    assert expired is not None and expired.status == "expired" and expired.preview == {}


def test_a_rewritten_preview_no_longer_matches_its_digest(tmp_path: Path) -> None:
    store = ApprovalStore(tmp_path / "approvals.sqlite3", clock=lambda: NOW)
    approval = store.submit("send-message", {"text": "Private words"}, PREVIEW)
    import sqlite3

    with sqlite3.connect(store.path) as conn:
        conn.execute("UPDATE approvals SET preview_json = ? WHERE id = ?", ('{"text": "Other words"}', approval.id))
    changed = store.get(approval.id)
    assert changed is not None and not changed.intact
