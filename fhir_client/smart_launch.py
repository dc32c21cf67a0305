"""The standalone patient launch: authorize URL out, redirect (or pasted code) in, tokens stored.

`begin_launch` discovers the server, makes the PKCE S256 verifier and the `state`, remembers the
launch (metadata in the catalog, the verifier and any client secret in the keychain) and returns
the authorize URL. `complete_launch` checks the redirect's `state`, exchanges the code with the
verifier and stores the tokens. The two halves may run in different processes
(`fhirgate connect --complete`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Sequence
from urllib.parse import parse_qs, urlsplit

import httpx2
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749.parameters import prepare_grant_uri
from authlib.oauth2.rfc7636 import create_s256_code_challenge

from fhir_client.client_auth import ClientAuthMethod, ClientCredentials
from fhir_client.errors import AuthorizationError, SmartError, safe_url
from fhir_client.rate_limit import RequestPacer
from fhir_client.scopes import requested_scopes
from fhir_client.smart_discovery import discover_smart_configuration
from fhir_client.source_catalog import SourceCatalog, SourceRecord
from fhir_client.source_secrets import SecretBackend, SourceSecrets
from fhir_client.token_requests import exchange_code
from fhir_client.tokens import TokenSet

__all__ = ["begin_launch", "code_from_redirect", "complete_launch"]

logger = logging.getLogger(__name__)


async def begin_launch(
    name: str,
    base_url: str,
    credentials: ClientCredentials,
    *,
    catalog: SourceCatalog,
    secrets: SecretBackend,
    redirect_uri: str,
    key_id: str | None = None,
    scopes: Sequence[str] | None = None,
    rate_limit_per_minute: int = 250,
    transport: httpx2.AsyncBaseTransport | None = None,
    practice_code: str | None = None,
    accept: str | None = None,
    pacer: RequestPacer | None = None,
) -> str:
    """Discover `base_url`, remember a pending launch of source `name`, return the authorize URL.

    Scopes are chosen from what the server lists (`requested_scopes`; `offline_access` only for a
    confidential client) unless `scopes` overrides them. `practice_code` is sent as an authorize
    parameter for servers that ask for one. The `pacer` counts the discovery calls and the
    authorize call the browser will make (eClinicalWorks counts `/authorize` too).
    """
    base = base_url.rstrip("/")
    if pacer is not None:
        for _ in range(2):  # the smart-configuration and the browser's /authorize
            await pacer.acquire()
    async with httpx2.AsyncClient(transport=transport, timeout=30.0, follow_redirects=False) as http:
        config = await discover_smart_configuration(http, base)
    if config.code_challenge_methods and "S256" not in config.code_challenge_methods:
        raise SmartError(f"{safe_url(base)} does not offer PKCE S256, which fhirgate requires")
    confidential = credentials.method is not ClientAuthMethod.NONE
    scope = " ".join(scopes if scopes is not None else requested_scopes(config, confidential=confidential))
    extra = {"practice_code": practice_code} if practice_code else {}
    verifier = generate_token(64)
    state = generate_token(32)
    url = prepare_grant_uri(
        config.authorization_endpoint,
        credentials.client_id,
        "code",
        redirect_uri=redirect_uri,
        scope=scope,
        state=state,
        code_challenge=create_s256_code_challenge(verifier),
        code_challenge_method="S256",
        aud=base,
        **extra,
    )
    source_secrets = SourceSecrets(secrets, name)
    source_secrets.set_code_verifier(verifier)
    if credentials.client_secret:
        source_secrets.set_client_secret(credentials.client_secret)
    previous = catalog.get(name)
    catalog.put(
        SourceRecord(
            name=name,
            base_url=base,
            client_id=credentials.client_id,
            auth_method=credentials.method.value,
            redirect_uri=redirect_uri,
            smart_configuration=json.dumps(config.to_json()),
            scope=scope,
            key_id=key_id,
            state="pending",
            patient_id=previous.patient_id if previous else None,
            launch_state=state,
            rate_limit_per_minute=rate_limit_per_minute,
            accept=accept,
        )
    )
    logger.info("smart launch begun source=%s discovery=%s", name, config.source)
    return str(url)


def code_from_redirect(url_or_code: str, expected_state: str | None) -> str:
    """The authorization code from the redirect URL (its `state` checked), or a pasted bare code."""
    text = url_or_code.strip()
    if "://" not in text and "?" not in text:
        if not text:
            raise AuthorizationError("no authorization code was given")
        return text
    query = parse_qs(urlsplit(text).query)
    if "error" in query:
        description = query.get("error_description", [""])[0]
        reason = query["error"][0]
        if reason == "access_denied":
            raise AuthorizationError(f"access was not granted at the practice's consent page ({description or reason})")
        raise AuthorizationError(f"the practice refused the authorization: {reason} {description}".rstrip())
    state = query.get("state", [None])[0]
    if expected_state is None or state != expected_state:
        raise AuthorizationError(
            "the redirect's state does not match this launch (a stale or forged redirect); "
            "start again with `fhirgate connect`"
        )
    code = query.get("code", [None])[0]
    if not code:
        raise AuthorizationError("the redirect carries no authorization code")
    return code


async def complete_launch(
    name: str,
    url_or_code: str,
    credentials: ClientCredentials,
    *,
    catalog: SourceCatalog,
    secrets: SecretBackend,
    transport: httpx2.AsyncBaseTransport | None = None,
    clock: Callable[[], float] = time.time,
    pacer: RequestPacer | None = None,
) -> tuple[SourceRecord, TokenSet]:
    """Finish the pending launch of `name`: check the redirect, exchange the code, store tokens."""
    record = catalog.get(name)
    if record is None or record.state != "pending" or record.launch_state is None:
        raise AuthorizationError(f"no launch of {name!r} is pending: run `fhirgate connect {name} URL` first")
    code = code_from_redirect(url_or_code, record.launch_state)
    source_secrets = SourceSecrets(secrets, name)
    verifier = source_secrets.code_verifier()
    if verifier is None:
        raise AuthorizationError("this launch's PKCE verifier is gone from the keychain; run `fhirgate connect` again")
    if pacer is not None:
        await pacer.acquire()
    sent_at = clock()
    body = await exchange_code(
        credentials,
        record.configuration.token_endpoint,
        code=code,
        code_verifier=verifier,
        redirect_uri=record.redirect_uri,
        transport=transport,
    )
    tokens = TokenSet.from_response(body, now=sent_at)
    patient = tokens.patient or _patient_from_fhir_user(tokens.fhir_user)
    if patient is None:
        raise SmartError(
            "the practice did not say which patient record was shared (no `patient` in the token response); "
            "make sure the app requests launch/patient and that you picked a patient on the consent page"
        )
    source_secrets.set_tokens(tokens.access_token, tokens.refresh_token)
    source_secrets.clear_launch()
    connected = catalog.update(
        name,
        state="connected",
        launch_state=None,
        patient_id=patient,
        fhir_user=tokens.fhir_user,
        scope=tokens.scope or record.scope,
        access_expires_at=tokens.expires_at,
    )
    logger.info("smart launch complete source=%s refresh_token=%s", name, tokens.refresh_token is not None)
    return connected, tokens


def _patient_from_fhir_user(fhir_user: str | None) -> str | None:
    if fhir_user and "Patient/" in fhir_user:
        return fhir_user.rsplit("Patient/", 1)[1].split("/")[0] or None
    return None
