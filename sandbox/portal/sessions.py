"""Signed-in portal sessions: idle expiry, anti-forgery tokens and CSP page nonces.

A session is found by its ``MyChartSessionToken4mychartcn`` cookie; every authenticated request
refreshes its last-seen time. The clock is injected (``time.monotonic`` in production).

Anti-forgery tokens work as ASP.NET's do (KAISER_API.md §1.6): the server keeps no list of issued
tokens; a token is checked against a secret bound to the session's cookie, so any number of tokens
may be in use at once (a client fetching one per call, from many pages concurrently) and each stays
valid while the session lives. Their real lifetime is unknown; ``max_age`` (a fault switch) caps it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import struct
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from sandbox.portal.config import PortalConfig

__all__ = ["PortalSession", "SessionStore"]

logger = logging.getLogger("fhirgate.sandbox.portal")

_PAGE_NONCES_KEPT = 5
_SALT, _STAMP, _MAC = 12, 8, 24


@dataclass
class PortalSession:
    token: str
    username: str
    last_seen: float
    access_token: str = field(default_factory=lambda: secrets.token_urlsafe(32))
    kp_session_id: str = field(default_factory=lambda: secrets.token_hex(16))
    epic_ready: bool = False
    """Whether the Epic bootstrap chain (Authentication/Login -> default.asp -> inside.asp) ran."""
    epic_handoff: str | None = None
    csrf_key: bytes = field(default_factory=lambda: secrets.token_bytes(32), repr=False)
    """The secret behind the session's anti-forgery cookie token; request tokens are checked against it."""
    page_nonces: deque[str] = field(default_factory=lambda: deque(maxlen=_PAGE_NONCES_KEPT))

    def issue_handoff(self) -> str:
        """A one-time GUID for ``default.asp?token=...``."""
        self.epic_handoff = str(uuid.UUID(bytes=secrets.token_bytes(16), version=4))
        return self.epic_handoff

    def redeem_handoff(self, token: str) -> bool:
        expected, self.epic_handoff = self.epic_handoff, None
        return expected is not None and secrets.compare_digest(expected, token)

    def issue_csrf_token(self, now: float) -> str:
        """A fresh anti-forgery token, issued at ``now`` (the session clock) and bound to this session."""
        head = secrets.token_bytes(_SALT) + struct.pack(">d", now)
        return base64.urlsafe_b64encode(head + self._mac(head)).decode()

    def accepts_csrf(self, token: str | None, now: float, max_age: float | None = None) -> bool:
        """Whether ``token`` was issued to this session (and, with ``max_age``, not too long ago)."""
        try:
            raw = base64.urlsafe_b64decode((token or "").encode())
        except ValueError:
            return False
        head, mac = raw[: _SALT + _STAMP], raw[_SALT + _STAMP :]
        if len(raw) != _SALT + _STAMP + _MAC or not hmac.compare_digest(mac, self._mac(head)):
            return False
        (issued,) = struct.unpack(">d", head[_SALT:])
        return max_age is None or now - issued <= max_age

    def _mac(self, head: bytes) -> bytes:
        return hmac.new(self.csrf_key, head, hashlib.sha256).digest()[:_MAC]

    def issue_page_nonce(self) -> str:
        """A fresh CSP nonce (32 lowercase hex) for one test-results page load."""
        nonce = secrets.token_hex(16)
        self.page_nonces.append(nonce)
        return nonce

    def accepts_page_nonce(self, nonce: object) -> bool:
        return isinstance(nonce, str) and nonce in self.page_nonces


class SessionStore:
    """All live sessions of one portal instance."""

    def __init__(self, config: PortalConfig, clock: Callable[[], float]) -> None:
        self._config = config
        self._clock = clock
        self._sessions: dict[str, PortalSession] = {}

    def now(self) -> float:
        """The portal's clock (seconds), for anything a session dates: idle expiry, token age."""
        return self._clock()

    def create(self, username: str) -> PortalSession:
        session = PortalSession(token=secrets.token_urlsafe(32), username=username, last_seen=self._clock())
        self._sessions[session.token] = session
        logger.info("session created user=%s", username)
        return session

    def active(self, token: str | None) -> PortalSession | None:
        """The live session for a cookie value, refreshed; None when unknown or idle-expired."""
        if not token:
            return None
        session = self._sessions.get(token)
        if session is None:
            return None
        now = self._clock()
        idle = now - session.last_seen
        if self._config.faults.expire_all_sessions or idle > self._config.session_idle_seconds:
            del self._sessions[token]
            logger.info("session expired user=%s idle_seconds=%.0f", session.username, idle)
            return None
        session.last_seen = now
        return session
