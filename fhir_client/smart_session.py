"""`SmartSession` and `SmartAuth`: a connected source's tokens, kept fresh.

The access token is refreshed proactively inside 60 s of expiry and reactively once on a 401.
Refreshes are serialized per source with an `asyncio.Lock`: eClinicalWorks rotates refresh
tokens and accepts each only once, so two concurrent refreshes would lock the user out. Inside
the lock a caller first checks whether another caller already refreshed; the new refresh token
is written to the keychain before the new access token is handed to anyone.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncGenerator, Callable, Generator

import httpx2

from fhir_client.client_auth import ClientAuthMethod, ClientCredentials
from fhir_client.errors import ReconnectRequired, TokenEndpointError
from fhir_client.rate_limit import RequestPacer
from fhir_client.source_catalog import SourceCatalog, SourceRecord
from fhir_client.source_secrets import SourceSecrets
from fhir_client.tokens import TokenSet

__all__ = ["REFRESH_MARGIN", "SmartAuth", "SmartSession", "credentials_for"]

logger = logging.getLogger(__name__)

#: Refresh when the access token has less than this many seconds left.
REFRESH_MARGIN = 60.0
_LAST_CALL_RESOLUTION = 10.0  # seconds; `last call` is for `fhirgate sources`, not an audit trail


def credentials_for(record: SourceRecord, secrets: SourceSecrets) -> ClientCredentials:
    """The client credentials of `record`, with its secret or private key from the keychain."""
    method = ClientAuthMethod(record.auth_method)
    return ClientCredentials(
        client_id=record.client_id,
        method=method,
        client_secret=secrets.client_secret(),
        private_jwk=secrets.private_jwk(record.key_id),
    )


class SmartSession:
    """The live tokens of one connected source. One instance per source and process."""

    def __init__(
        self,
        name: str,
        catalog: SourceCatalog,
        secrets: SourceSecrets,
        *,
        transport: httpx2.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.time,
        pacer: RequestPacer | None = None,
    ) -> None:
        self.name = name
        self._pacer = pacer  # token calls count against the practice's per-minute limit
        self._catalog = catalog
        self._secrets = secrets
        self._transport = transport
        self._clock = clock
        self._lock = asyncio.Lock()
        self.refresh_count = 0
        self._last_call_written = 0.0
        self._access, self._refresh = secrets.tokens()
        record = self._record()
        self._expires_at = record.access_expires_at or 0.0

    def __repr__(self) -> str:
        return f"SmartSession({self.name!r})"

    def _record(self) -> SourceRecord:
        record = self._catalog.get(self.name)
        if record is None:
            raise ReconnectRequired(f"source {self.name!r} is not connected: run `fhirgate connect {self.name} URL`")
        return record

    def _reconnect(self, why: str) -> ReconnectRequired:
        self._refresh = None  # callers queued on the lock fail fast instead of reusing a dead token
        self._catalog.update(self.name, state="reconnect")
        logger.warning("smart reconnect required source=%s reason=%s", self.name, why)
        return ReconnectRequired(
            f"source {self.name!r} needs to be connected again ({why}): run `fhirgate connect {self.name} URL`"
        )

    async def access_token(self) -> str:
        """A usable access token, refreshed first if it expires within the margin."""
        access = self._access
        if access is None:
            raise self._reconnect("no access token is stored")
        if self._expires_at - self._clock() <= REFRESH_MARGIN:
            return await self.refresh(stale=access)
        return access

    async def refresh(self, *, stale: str) -> str:
        """Replace the access token `stale` (no-op if another caller already replaced it)."""
        async with self._lock:
            self._adopt_tokens_rotated_elsewhere()
            if self._access is not None and self._access != stale and self._expires_at - self._clock() > REFRESH_MARGIN:
                return self._access
            if self._refresh is None:
                raise self._reconnect("the practice gave no refresh token")
            record = self._record()
            if self._pacer is not None:
                await self._pacer.acquire()
            sent_at = self._clock()
            # authlib loads with the first refresh, not with the source (oauth_client.py says why).
            from fhir_client.token_requests import refresh_tokens

            try:
                body = await refresh_tokens(
                    credentials_for(record, self._secrets),
                    record.configuration.token_endpoint,
                    self._refresh,
                    transport=self._transport,
                )
            except TokenEndpointError as exc:
                if exc.error in ("invalid_grant", "invalid_client"):
                    raise self._reconnect(str(exc)) from None
                raise
            tokens = TokenSet.from_response(body, now=sent_at)
            new_refresh = tokens.refresh_token or self._refresh
            self._secrets.set_tokens(tokens.access_token, new_refresh)  # persist before first use
            self._catalog.update(self.name, access_expires_at=tokens.expires_at, state="connected")
            self._access, self._refresh, self._expires_at = tokens.access_token, new_refresh, tokens.expires_at
            self.refresh_count += 1
            logger.info("smart refresh ok source=%s rotated=%s", self.name, tokens.refresh_token is not None)
            return tokens.access_token

    def _adopt_tokens_rotated_elsewhere(self) -> None:
        # Another process (the CLI beside `fhirgate mcp`) may have refreshed already: its new
        # refresh token is in the keychain and ours is spent. Take its tokens instead of
        # presenting a used refresh token.
        access, refresh = self._secrets.tokens()
        if refresh is not None and refresh != self._refresh and access is not None:
            self._access, self._refresh = access, refresh
            self._expires_at = self._record().access_expires_at or 0.0
            logger.info("smart tokens rotated by another process source=%s", self.name)

    def note_call(self) -> None:
        now = self._clock()
        if now - self._last_call_written >= _LAST_CALL_RESOLUTION:
            self._last_call_written = now
            self._catalog.update(self.name, last_call_at=now)


class SmartAuth(httpx2.Auth):
    """An `httpx2.Auth` for `FhirClient`: bearer from a `SmartSession`, one refresh + retry on 401."""

    def __init__(self, session: SmartSession) -> None:
        self.session = session

    def __repr__(self) -> str:
        return f"SmartAuth({self.session.name!r})"

    def sync_auth_flow(self, request: httpx2.Request) -> Generator[httpx2.Request, httpx2.Response, None]:
        raise RuntimeError("SmartAuth works with the async FhirClient only")

    async def async_auth_flow(self, request: httpx2.Request) -> AsyncGenerator[httpx2.Request, httpx2.Response]:
        token = await self.session.access_token()
        request.headers["Authorization"] = f"Bearer {token}"
        response = yield request
        self.session.note_call()
        if response.status_code == 401:
            logger.info("smart 401, refreshing once source=%s", self.session.name)
            token = await self.session.refresh(stale=token)
            request.headers["Authorization"] = f"Bearer {token}"
            yield request
