"""`GrantLedger`: the sandbox EHR's authorization codes, access tokens and refresh tokens.

Codes are single-use and bound to the client, redirect URI and PKCE S256 challenge. Refresh
tokens rotate and are single-use like eClinicalWorks': each refresh returns a new one and the
presented one dies; presenting a used one is refused. Thread-safe: the FHIR API checks access
tokens from starlette's threadpool while the token endpoint runs on the event loop.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass

from authlib.oauth2.rfc7636 import create_s256_code_challenge

__all__ = ["CODE_LIFETIME", "Grant", "GrantError", "GrantLedger"]

CODE_LIFETIME = 120.0


class GrantError(Exception):
    """An OAuth error for the token endpoint to return (`error` code + description)."""

    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


@dataclass(frozen=True)
class Grant:
    """What a patient consented to: which app, which scopes, which patient."""

    client_id: str
    scope: str
    patient_id: str
    fhir_user: str


@dataclass
class _Code:
    grant: Grant
    redirect_uri: str
    code_challenge: str
    expires_at: float


@dataclass
class _Token:
    grant: Grant
    expires_at: float
    used: bool = False


class GrantLedger:
    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._codes: dict[str, _Code] = {}
        self._access: dict[str, _Token] = {}
        self._refresh: dict[str, _Token] = {}
        self.refresh_count = 0

    def issue_code(self, grant: Grant, redirect_uri: str, code_challenge: str) -> str:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _Code(grant, redirect_uri, code_challenge, self._clock() + CODE_LIFETIME)
        return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str, code_verifier: str) -> Grant:
        with self._lock:
            pending = self._codes.pop(code, None)
        if pending is None or pending.expires_at < self._clock():
            raise GrantError("invalid_grant", "authorization code is unknown, expired or already used")
        if pending.grant.client_id != client_id:
            raise GrantError("invalid_grant", "authorization code was issued to another client")
        if pending.redirect_uri != redirect_uri:
            raise GrantError("invalid_grant", "redirect_uri does not match the authorization request")
        if not code_verifier or create_s256_code_challenge(code_verifier) != pending.code_challenge:
            raise GrantError("invalid_grant", "PKCE code_verifier does not match the code_challenge")
        return pending.grant

    def issue_tokens(self, grant: Grant, access_ttl: int, refresh_ttl: int) -> tuple[str, str]:
        access, refresh = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        now = self._clock()
        with self._lock:
            self._access[access] = _Token(grant, now + access_ttl)
            self._refresh[refresh] = _Token(grant, now + refresh_ttl)
        return access, refresh

    def use_refresh_token(self, token: str, client_id: str) -> Grant:
        """Spend `token` (single use) and return its grant."""
        with self._lock:
            held = self._refresh.get(token)
            if held is None:
                raise GrantError("invalid_grant", "refresh token is unknown or revoked")
            if held.grant.client_id != client_id:
                raise GrantError("invalid_grant", "refresh token was issued to another client")
            if held.used:
                raise GrantError("invalid_grant", "refresh token was already used")
            if held.expires_at < self._clock():
                raise GrantError("invalid_grant", "refresh token has expired")
            held.used = True
            self.refresh_count += 1
            return held.grant

    def revoke(self, token: str) -> None:
        with self._lock:
            self._access.pop(token, None)
            self._refresh.pop(token, None)

    def access_grant(self, token: str) -> Grant | None:
        """The grant of a live access token, or `None`."""
        with self._lock:
            held = self._access.get(token)
        if held is None or held.expires_at < self._clock():
            return None
        return held.grant

    def expire_access_tokens(self) -> None:
        """Make every access token invalid now (tests: a server-side 401 before expiry)."""
        with self._lock:
            self._access.clear()
