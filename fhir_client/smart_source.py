"""Connected SMART sources as `FhirClient`s, and disconnecting them.

`open_smart_client` wires a source's catalog row and keychain entries into a `FhirClient`:
`SmartAuth` for the tokens, a pacer at the source's limit (the home's shared `MinuteWindow` when
the caller passes one), the patient for `whoami` and for every compartment search, and the
source's `Accept` override.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable

import httpx2

from fhir_client.client import FhirClient
from fhir_client.errors import ReconnectRequired
from fhir_client.identity import SourceIdentity
from fhir_client.rate_limit import RateLimiter, RequestPacer
from fhir_client.smart_session import SmartAuth, SmartSession, credentials_for
from fhir_client.source_catalog import SourceCatalog
from fhir_client.source_secrets import SecretBackend, SourceSecrets

__all__ = ["disconnect_source", "open_smart_client"]

logger = logging.getLogger(__name__)


def open_smart_client(
    name: str,
    *,
    catalog: SourceCatalog,
    secrets: SecretBackend,
    transport: httpx2.AsyncBaseTransport | None = None,
    rate_limiter: RequestPacer | None = None,
    sleep: Callable[[float], Awaitable[None]] | None = None,
    clock: Callable[[], float] = time.time,
) -> FhirClient:
    """A `FhirClient` for the connected source `name` (its token transport may differ in tests)."""
    record = catalog.get(name)
    if record is None or record.state == "pending":
        raise ReconnectRequired(f"source {name!r} is not connected: run `fhirgate connect {name} URL`")
    pacer = rate_limiter or RateLimiter(record.rate_limit_per_minute)
    session = SmartSession(name, catalog, SourceSecrets(secrets, name), transport=transport, pacer=pacer)
    return FhirClient(
        record.base_url,
        auth=SmartAuth(session),
        transport=transport,
        rate_limiter=pacer,
        identity=SourceIdentity(patient_id=record.patient_id, fhir_user=record.fhir_user),
        sleep=sleep or asyncio.sleep,
        clock=clock,
        patient_compartment=True,
        accept=record.accept,
        granted_scopes=tuple(record.scope.split()),
    )


async def disconnect_source(
    name: str,
    *,
    catalog: SourceCatalog,
    secrets: SecretBackend,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> bool:
    """Revoke the source's tokens where the server offers revocation, then forget it.

    Returns whether the server confirmed a revocation. The local secrets and metadata are
    deleted either way.
    """
    record = catalog.get(name)
    if record is None:
        raise KeyError(name)
    source_secrets = SourceSecrets(secrets, name)
    access, refresh = source_secrets.tokens()
    revoked = False
    endpoint = record.configuration.revocation_endpoint
    if endpoint and (access or refresh):
        from fhir_client.token_requests import revoke_token  # authlib: loaded where a token request is made

        credentials = credentials_for(record, source_secrets)
        for token, hint in ((refresh, "refresh_token"), (access, "access_token")):
            if token:
                revoked = await revoke_token(credentials, endpoint, token, hint, transport=transport) or revoked
    source_secrets.clear()
    catalog.delete(name)
    logger.info("smart disconnect source=%s revoked=%s", name, revoked)
    return revoked
