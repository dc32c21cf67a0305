"""How fhirgate authenticates itself to a token endpoint, on top of authlib's OAuth 2.0 client.

authlib 1.9's `AsyncOAuth2Client` is built on httpx2, so it does the PKCE, the client
authentication (`client_secret_basic`, `client_secret_post`, `private_key_jwt`, or none for a
public client) and the token requests; this module only chooses and configures it from the
`ClientCredentials` (client_auth.py). Imported only where a token request is made: authlib, joserfc
and cryptography take ~35 ms to load, which `fhirgate mcp` does not pay before its first answers.
"""

from __future__ import annotations

import json
from typing import Any

import httpx2
from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oauth2.rfc7523 import PrivateKeyJWT, private_key_jwt_sign
from joserfc.jwk import RSAKey

from fhir_client.client_auth import ClientAuthMethod, ClientCredentials

__all__ = ["ASSERTION_LIFETIME", "RS384PrivateKeyJWT", "oauth_client"]

#: SMART asks for client assertions that expire within five minutes.
ASSERTION_LIFETIME = 300
TOKEN_TIMEOUT = 30.0


class RS384PrivateKeyJWT(PrivateKeyJWT):  # type: ignore[misc]  # authlib is untyped
    """`private_key_jwt` with RS384, the key's `kid` in the header and a five-minute assertion.

    authlib signs a fresh assertion (with a new random `jti`) for every token request.
    """

    alg = "RS384"

    def __init__(self, token_endpoint: str, kid: str | None) -> None:
        super().__init__(token_endpoint, headers={"kid": kid} if kid else None, alg="RS384")

    def sign(self, auth: Any, token_endpoint: str) -> Any:
        return private_key_jwt_sign(
            RSAKey.import_key(auth.client_secret),
            client_id=auth.client_id,
            token_endpoint=token_endpoint,
            claims=None,  # a shared dict would keep the first jti forever
            header=self.headers,
            alg=self.alg,
            expires_in=ASSERTION_LIFETIME,
        )


def oauth_client(
    credentials: ClientCredentials,
    token_endpoint: str,
    *,
    redirect_uri: str | None = None,
    scope: str | None = None,
    transport: httpx2.AsyncBaseTransport | None = None,
) -> AsyncOAuth2Client:
    """An authlib client for `credentials` (close it after use)."""
    common: dict[str, Any] = {
        "client_id": credentials.client_id,
        "redirect_uri": redirect_uri,
        "scope": scope,
        "code_challenge_method": "S256",
        "transport": transport,
        "timeout": TOKEN_TIMEOUT,
        "follow_redirects": False,
    }
    if credentials.method is ClientAuthMethod.PRIVATE_KEY_JWT:
        jwk = json.loads(credentials.private_jwk or "{}")
        method: Any = RS384PrivateKeyJWT(token_endpoint, jwk.get("kid"))
        return AsyncOAuth2Client(
            client_secret=jwk, token_endpoint_auth_method=method, revocation_endpoint_auth_method=method, **common
        )
    return AsyncOAuth2Client(
        client_secret=credentials.client_secret,
        token_endpoint_auth_method=credentials.method.value,
        revocation_endpoint_auth_method=credentials.method.value,
        **common,
    )
