"""Authorization codes, access tokens and refresh tokens, kept as SHA-256 digests.

A code works once, within ``CODE_TTL``, for the client, redirect URI and PKCE verifier it was issued to.
Access tokens last ``ACCESS_TTL``. A refresh token works once: using it rotates it (the old one is gone).
Tokens issued from one code form a family; revoking any of them revokes the family.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from gateway.smart_server.database import SmartDatabase, digest

__all__ = ["ACCESS_TTL", "CODE_TTL", "REFRESH_TTL", "IssuedTokens", "TokenGrant", "TokenStore"]

CODE_TTL = timedelta(minutes=2)
ACCESS_TTL = timedelta(hours=1)
REFRESH_TTL = timedelta(days=90)


@dataclass(frozen=True)
class TokenGrant:
    """What a valid access token (or code) stands for."""

    client_id: str
    scope: str


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str | None
    grant: TokenGrant


def pkce_matches(verifier: str, challenge: str) -> bool:
    computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).decode().rstrip("=")
    return 43 <= len(verifier) <= 128 and secrets.compare_digest(computed, challenge)


class TokenStore:
    def __init__(self, database: SmartDatabase, *, clock: Callable[[], float] = time.time) -> None:
        self._db = database
        self._clock = clock

    def issue_code(self, client_id: str, redirect_uri: str, scope: str, challenge: str) -> str:
        code = secrets.token_urlsafe(32)
        with self._db.connect() as conn:
            conn.execute(
                "INSERT INTO codes VALUES (?, ?, ?, ?, ?, ?)",
                (digest(code), client_id, redirect_uri, scope, challenge, self._clock() + CODE_TTL.total_seconds()),
            )
        return code

    def redeem_code(self, code: str, client_id: str, redirect_uri: str, verifier: str) -> TokenGrant | None:
        """The grant of a code (spent now, whatever the outcome), or None if anything does not match."""
        with self._db.connect() as conn:
            row = conn.execute(
                "DELETE FROM codes WHERE digest = ? RETURNING client_id, redirect_uri, scope, challenge, expires_at",
                (digest(code),),
            ).fetchone()
        if row is None:
            return None
        owner, uri, scope, challenge, expires_at = row
        if owner != client_id or uri != redirect_uri or expires_at <= self._clock():
            return None
        return TokenGrant(client_id, scope) if pkce_matches(verifier, challenge) else None

    def issue(self, grant: TokenGrant, *, with_refresh: bool, family: str | None = None) -> IssuedTokens:
        family = family or secrets.token_urlsafe(16)
        access = secrets.token_urlsafe(32)
        refresh = secrets.token_urlsafe(32) if with_refresh else None
        now = self._clock()
        rows = [(digest(access), "access", grant.client_id, grant.scope, family, now + ACCESS_TTL.total_seconds())]
        if refresh is not None:
            rows.append(
                (digest(refresh), "refresh", grant.client_id, grant.scope, family, now + REFRESH_TTL.total_seconds())
            )
        with self._db.connect() as conn:
            conn.execute("DELETE FROM tokens WHERE expires_at <= ?", (now,))
            conn.executemany("INSERT INTO tokens VALUES (?, ?, ?, ?, ?, ?)", rows)
        return IssuedTokens(access, refresh, grant)

    def rotate(self, refresh_token: str, client_id: str) -> IssuedTokens | None:
        """New tokens for a refresh token (spent now); None if it is not valid for this client."""
        with self._db.connect() as conn:
            row = conn.execute(
                "DELETE FROM tokens WHERE digest = ? AND kind = 'refresh' "
                "RETURNING client_id, scope, family, expires_at",
                (digest(refresh_token),),
            ).fetchone()
        if row is None or row[0] != client_id or row[3] <= self._clock():
            return None
        return self.issue(TokenGrant(row[0], row[1]), with_refresh=True, family=row[2])

    def owner(self, token: str) -> str | None:
        """The client an access or refresh token was issued to."""
        with self._db.connect() as conn:
            row = conn.execute("SELECT client_id FROM tokens WHERE digest = ?", (digest(token),)).fetchone()
        return None if row is None else str(row[0])

    def access(self, access_token: str) -> TokenGrant | None:
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT client_id, scope FROM tokens WHERE digest = ? AND kind = 'access' AND expires_at > ?",
                (digest(access_token), self._clock()),
            ).fetchone()
        return None if row is None else TokenGrant(row[0], row[1])

    def revoke(self, token: str, client_id: str) -> None:
        """RFC 7009: revoking either token ends the whole grant (its access and refresh tokens)."""
        with self._db.connect() as conn:
            row = conn.execute(
                "SELECT family FROM tokens WHERE digest = ? AND client_id = ?", (digest(token), client_id)
            ).fetchone()
            if row is not None:
                conn.execute("DELETE FROM tokens WHERE family = ?", (row[0],))
