"""Confirmation tokens: an HMAC over the exact previewed content, short-lived and single-use.

A token says "the user saw *this* preview of *this* operation within the last five minutes". The
commit recomputes the preview and must present a token whose digest matches it: a token for other
content, an expired one, or one already used is refused and nothing is sent. Used token ids are
appended to a file so a restart cannot make a token usable again.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

DEFAULT_TTL = timedelta(minutes=5)


class ConfirmationRejected(Exception):
    """The commit's token does not confirm this content (reason: malformed, mismatch, expired, reused)."""

    def __init__(self, reason: str, message: str) -> None:
        super().__init__(message)
        self.reason = reason


@dataclass(frozen=True)
class ConfirmationToken:
    value: str
    expires_at: datetime


def content_digest(operation: str, content: Mapping[str, Any]) -> str:
    canonical = json.dumps({"operation": operation, "content": content}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class ConfirmationGuard:
    def __init__(
        self,
        key: bytes,
        used_ids_path: Path,
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        ttl: timedelta = DEFAULT_TTL,
    ) -> None:
        if len(key) < 32:
            raise ValueError("confirmation key must be at least 32 bytes")
        self._key = key
        self._used_path = used_ids_path
        self._clock = clock
        self._ttl = ttl
        self._lock = threading.Lock()

    def issue(self, operation: str, content: Mapping[str, Any]) -> ConfirmationToken:
        expires = self._clock() + self._ttl
        claims = {
            "id": secrets.token_urlsafe(12),
            "op": operation,
            "exp": int(expires.timestamp()),
            "digest": content_digest(operation, content),
        }
        payload = _b64(json.dumps(claims, sort_keys=True).encode())
        return ConfirmationToken(value=f"{payload}.{self._sign(payload)}", expires_at=expires)

    def redeem(self, token: str, operation: str, content: Mapping[str, Any]) -> None:
        """Accept ``token`` for this content exactly once, or raise ConfirmationRejected."""
        payload, _, signature = token.partition(".")
        # Bytes, not str: compare_digest refuses non-ASCII text, and a forged token may carry any.
        if not payload or not hmac.compare_digest(signature.encode(), self._sign(payload).encode()):
            raise ConfirmationRejected("malformed", "the confirmation token is not one this gateway issued")
        try:
            claims = json.loads(_unb64(payload))
        except ValueError:
            raise ConfirmationRejected("malformed", "the confirmation token cannot be read") from None
        if claims.get("op") != operation or claims.get("digest") != content_digest(operation, content):
            raise ConfirmationRejected(
                "mismatch", "the confirmation token was issued for different content; preview again"
            )
        if self._clock().timestamp() > float(claims.get("exp", 0)):
            raise ConfirmationRejected("expired", "the confirmation token has expired; preview again")
        with self._lock:
            token_id = str(claims.get("id"))
            if token_id in self._used_ids():
                raise ConfirmationRejected("reused", "the confirmation token was already used; preview again")
            self._mark_used(token_id)

    def _sign(self, payload: str) -> str:
        return _b64(hmac.new(self._key, payload.encode(), hashlib.sha256).digest())

    def _used_ids(self) -> set[str]:
        try:
            return set(self._used_path.read_text(encoding="utf-8").split())
        except FileNotFoundError:
            return set()

    def _mark_used(self, token_id: str) -> None:
        self._used_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self._used_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            os.write(fd, (token_id + "\n").encode())
        finally:
            os.close(fd)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
