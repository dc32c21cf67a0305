"""Pending approvals: what a person must approve before fhirgate reaches outside (a refill, a message,
connecting a practice), kept in the home so any fhirgate process serving that home can show and decide it.

A row holds the request to replay, the preview the person sees (label, value pairs) and a SHA-256 digest
over both. Deciding is one atomic UPDATE from ``pending`` (and not expired), so an approval is used once
across processes and restarts; the executor re-checks the digest against a fresh preview before sending.
When an approval is decided, the request and preview are erased (message text does not linger).

Table ``approvals`` in ``FHIRGATE_HOME/approvals.sqlite3`` (0600).
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

__all__ = [
    "APPROVAL_TTL",
    "Approval",
    "ApprovalKind",
    "ApprovalStatus",
    "ApprovalStore",
    "canonical_preview",
    "preview_digest",
]

ApprovalKind = Literal["refill", "send-message", "connect"]
ApprovalStatus = Literal["pending", "approved", "rejected", "expired", "committed", "failed", "started"]
APPROVAL_TTL = timedelta(minutes=10)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS approvals (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    request_json TEXT NOT NULL,
    preview_json TEXT NOT NULL,
    digest TEXT NOT NULL,
    created_at REAL NOT NULL,
    expires_at REAL NOT NULL,
    status TEXT NOT NULL,
    outcome_json TEXT NOT NULL DEFAULT '{}',
    channel TEXT NOT NULL DEFAULT ''
)
"""


def canonical_preview(preview: Mapping[str, Any]) -> dict[str, bool | int | str]:
    """The preview as text the person can read: absent values dropped, everything else a bool, int or str
    (the same whether it came from a WriteOutcome or from the facade's Parameters)."""
    return {
        str(key): value if isinstance(value, bool | int) else str(value)
        for key, value in preview.items()
        if value is not None
    }


def preview_digest(kind: str, request: Mapping[str, Any], preview: Mapping[str, Any]) -> str:
    body = {"kind": kind, "request": dict(request), "preview": canonical_preview(preview)}
    return hashlib.sha256(json.dumps(body, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


@dataclass(frozen=True)
class Approval:
    id: str
    kind: ApprovalKind
    request: dict[str, str]
    preview: dict[str, bool | int | str]
    digest: str
    created_at: datetime
    expires_at: datetime
    status: ApprovalStatus
    outcome: dict[str, Any]
    channel: str

    @property
    def intact(self) -> bool:
        """The stored preview and request still hash to the digest taken when it was submitted."""
        return preview_digest(self.kind, self.request, self.preview) == self.digest


class ApprovalStore:
    def __init__(
        self, path: Path, *, clock: Callable[[], datetime] = lambda: datetime.now(UTC), ttl: timedelta = APPROVAL_TTL
    ) -> None:
        self.path = path
        self._clock = clock
        self._ttl = ttl
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        if not path.exists():
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600))
        with self._connect() as conn:
            conn.execute(_SCHEMA)

    def submit(self, kind: ApprovalKind, request: Mapping[str, str], preview: Mapping[str, Any]) -> Approval:
        now = self._clock()
        shown = canonical_preview(preview)
        approval_id = secrets.token_urlsafe(12)
        with self._connect() as conn:
            conn.execute(
                "INSERT INTO approvals (id, kind, request_json, preview_json, digest, created_at, expires_at, status)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 'pending')",
                (
                    approval_id,
                    kind,
                    json.dumps(dict(request), sort_keys=True),
                    json.dumps(shown),
                    preview_digest(kind, request, shown),
                    now.timestamp(),
                    (now + self._ttl).timestamp(),
                ),
            )
        found = self.get(approval_id)
        assert found is not None
        return found

    def get(self, approval_id: str) -> Approval | None:
        with self._connect() as conn:
            row = conn.execute("SELECT * FROM approvals WHERE id = ?", (approval_id,)).fetchone()
        return _approval(row) if row else None

    def pending(self) -> list[Approval]:
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM approvals WHERE status = 'pending' AND expires_at > ? ORDER BY created_at",
                (self._clock().timestamp(),),
            ).fetchall()
        return [_approval(row) for row in rows]

    def expire_due(self) -> list[Approval]:
        """Mark pending approvals past their expiry as expired (erasing their content); returns them."""
        now = self._clock().timestamp()
        with self._connect() as conn:
            rows = conn.execute(
                "SELECT * FROM approvals WHERE status = 'pending' AND expires_at <= ?", (now,)
            ).fetchall()
            conn.execute(
                "UPDATE approvals SET status = 'expired', request_json = '{}', preview_json = '{}'"
                " WHERE status = 'pending' AND expires_at <= ?",
                (now,),
            )
        return [_approval(row) for row in rows]

    def claim(self, approval_id: str, new_status: ApprovalStatus, channel: str) -> Approval | None:
        """Move a pending, unexpired approval to ``new_status`` exactly once; None if that is not possible.

        The returned approval still carries its request and preview (read in the same transaction)."""
        with self._connect() as conn:
            conn.execute("BEGIN IMMEDIATE")
            row = conn.execute(
                "SELECT * FROM approvals WHERE id = ? AND status = 'pending' AND expires_at > ?",
                (approval_id, self._clock().timestamp()),
            ).fetchone()
            if row is None:
                conn.execute("ROLLBACK")
                return None
            conn.execute(
                "UPDATE approvals SET status = ?, channel = ?, request_json = CASE WHEN ? = 'approved'"
                " THEN request_json ELSE '{}' END, preview_json = CASE WHEN ? = 'approved' THEN preview_json"
                " ELSE '{}' END WHERE id = ?",
                (new_status, channel, new_status, new_status, approval_id),
            )
            conn.execute("COMMIT")
        return _approval(row)

    def finish(self, approval_id: str, status: ApprovalStatus, outcome: Mapping[str, Any]) -> None:
        """Record how an approved request ended and erase what it carried."""
        with self._connect() as conn:
            conn.execute(
                "UPDATE approvals SET status = ?, outcome_json = ?, request_json = '{}', preview_json = '{}'"
                " WHERE id = ?",
                (status, json.dumps(dict(outcome), default=str), approval_id),
            )

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        conn = sqlite3.connect(self.path, timeout=10, isolation_level=None)
        conn.row_factory = sqlite3.Row
        try:
            yield conn
        finally:
            conn.close()


def _approval(row: sqlite3.Row) -> Approval:
    return Approval(
        id=row["id"],
        kind=row["kind"],
        request=json.loads(row["request_json"]),
        preview=json.loads(row["preview_json"]),
        digest=row["digest"],
        created_at=datetime.fromtimestamp(row["created_at"], UTC),
        expires_at=datetime.fromtimestamp(row["expires_at"], UTC),
        status=row["status"],
        outcome=json.loads(row["outcome_json"]),
        channel=row["channel"],
    )
