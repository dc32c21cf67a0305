"""Token endpoint calls (code exchange, refresh, revocation) and what their failures mean.

authlib makes the requests; this module turns every way they fail into a `TokenEndpointError`
whose message tells the user what happened and what to do, without echoing any credential.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable
from typing import Any

import httpx2
from authlib.integrations.base_client import OAuthError
from authlib.integrations.httpx_client import AsyncOAuth2Client

from fhir_client.client_auth import ClientCredentials
from fhir_client.errors import TokenEndpointError, quoted, safe_url
from fhir_client.oauth_client import oauth_client

__all__ = ["exchange_code", "refresh_tokens", "revoke_token", "token_error_message"]

logger = logging.getLogger(__name__)

_ADVICE = {
    "invalid_grant": "the grant was refused: it expired, was revoked or was already used",
    "invalid_client": (
        "the practice did not accept this app's credentials: check the client id, the client secret, "
        "or that the app's JWKS (public key) is registered"
    ),
    "unauthorized_client": "this app is not allowed to use this grant type at the practice",
    "invalid_scope": "the practice refused the requested scopes",
    "invalid_request": "the practice rejected the token request as malformed",
    "unsupported_grant_type": "the practice does not support this grant type",
    "temporarily_unavailable": "the practice's sign-in service is temporarily unavailable; try again later",
}


def token_error_message(error: object, description: object, *, during: str) -> str:
    """What a refusal means; the server's `error` code and `error_description` (a string, else left out)
    are quoted bounded and printable, since a hostile server may send anything there."""
    code = quoted(error)
    advice = _ADVICE.get(code, "the practice refused the request")
    detail = f" ({quoted(description, 200)})" if isinstance(description, str) and description.strip() else ""
    return f"{during}: {advice} [{code}]{detail}"


class _MalformedExpiry(ValueError):
    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


def _check_expiry(response: httpx2.Response) -> httpx2.Response:
    """authlib turns `expires_in` / `expires_at` into ints and lets a TypeError escape for anything that
    is not a number, so a token answer is checked here first (an authlib compliance hook)."""
    try:
        body = response.json()
    except ValueError:
        return response  # authlib itself reports a body that is not a JSON object
    if isinstance(body, dict) and "error" not in body:
        for key in ("expires_in", "expires_at"):
            if key in body and not _whole_seconds(body[key]):
                raise _MalformedExpiry(key)
    return response


def _checking(oauth: AsyncOAuth2Client) -> AsyncOAuth2Client:
    for hook in ("access_token_response", "refresh_token_response"):
        oauth.register_compliance_hook(hook, _check_expiry)
    return oauth


def _whole_seconds(value: object) -> bool:
    if isinstance(value, str):
        return value.isascii() and value.isdigit()
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


async def _call(request: Awaitable[Any], *, during: str, url: str) -> dict[str, Any]:
    try:
        result = await request
    except OAuthError as exc:
        message = token_error_message(exc.error, exc.description, during=during)
        raise TokenEndpointError(message, error=quoted(exc.error)) from None
    except _MalformedExpiry as exc:
        raise TokenEndpointError(
            f"{during}: the token endpoint {safe_url(url)} answered with an {exc.key} that is not a number of seconds"
        ) from None
    except httpx2.HTTPStatusError as exc:
        status = exc.response.status_code
        hint = " (rate limited; try again in a minute)" if status == 429 else ""
        raise TokenEndpointError(
            f"{during}: the token endpoint {safe_url(url)} answered HTTP {status}{hint}", status_code=status
        ) from None
    except httpx2.TransportError as exc:
        raise TokenEndpointError(f"{during}: could not reach {safe_url(url)} ({type(exc).__name__})") from None
    except ValueError:
        raise TokenEndpointError(f"{during}: the token endpoint {safe_url(url)} did not answer with JSON") from None
    return dict(result)


async def exchange_code(
    credentials: ClientCredentials,
    token_endpoint: str,
    *,
    code: str,
    code_verifier: str,
    redirect_uri: str,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """Trade an authorization code (with its PKCE verifier) for tokens."""
    oauth = _checking(oauth_client(credentials, token_endpoint, redirect_uri=redirect_uri, transport=transport))
    async with oauth:
        body = await _call(
            oauth.fetch_token(
                token_endpoint,
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
                redirect_uri=redirect_uri,
            ),
            during="exchanging the authorization code",
            url=token_endpoint,
        )
    logger.info("smart token exchange ok endpoint=%s", safe_url(token_endpoint))
    return body


async def refresh_tokens(
    credentials: ClientCredentials,
    token_endpoint: str,
    refresh_token: str,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> dict[str, Any]:
    """Use a refresh token; the answer may carry a new (rotated) refresh token."""
    async with _checking(oauth_client(credentials, token_endpoint, transport=transport)) as oauth:
        return await _call(
            oauth.refresh_token(token_endpoint, refresh_token=refresh_token),
            during="refreshing the access token",
            url=token_endpoint,
        )


async def revoke_token(
    credentials: ClientCredentials,
    revocation_endpoint: str,
    token: str,
    token_type_hint: str,
    *,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> bool:
    """Ask the server to revoke `token` (RFC 7009); whether it said yes."""
    async with oauth_client(credentials, revocation_endpoint, transport=transport) as oauth:
        try:
            response = await oauth.revoke_token(revocation_endpoint, token=token, token_type_hint=token_type_hint)
        except httpx2.TransportError as exc:
            logger.warning("smart revoke failed error=%s", type(exc).__name__)
            return False
    logger.info("smart revoke status=%d", response.status_code)
    return bool(response.is_success)
