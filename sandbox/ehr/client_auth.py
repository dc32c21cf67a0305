"""Who is calling the sandbox token endpoint: client authentication as a practice checks it.

Confidential clients send their secret (HTTP Basic or in the form) or a `private_key_jwt`
assertion signed RS384 with a key from their registered JWKS; the assertion's `iss` and `sub`
are the client id, `aud` the token endpoint, it expires within five minutes and its `jti` is
never seen twice. Public clients send only `client_id` (PKCE protects their codes).
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
from collections.abc import Callable, Mapping
from urllib.parse import unquote

from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from sandbox.ehr.config import EhrClient, EhrConfig
from sandbox.ehr.grants import GrantError

__all__ = ["JWT_BEARER", "ClientAuthenticator"]

JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
MAX_ASSERTION_LIFETIME = 300


class ClientAuthenticator:
    def __init__(self, config: EhrConfig, clock: Callable[[], float]) -> None:
        self._config = config
        self._clock = clock
        self._seen_jti: set[str] = set()
        self._lock = threading.Lock()

    def authenticate(self, form: Mapping[str, str], authorization: str | None, token_url: str) -> EhrClient:
        """The calling client, or `GrantError("invalid_client", ...)`."""
        if authorization and authorization.lower().startswith("basic "):
            client_id, secret = _basic(authorization)
            return self._check_secret(client_id, secret)
        if form.get("client_assertion_type") == JWT_BEARER:
            return self._check_assertion(form.get("client_assertion", ""), token_url)
        client_id = form.get("client_id", "")
        client = self._config.client(client_id)
        if client is None:
            raise GrantError("invalid_client", "unknown client_id")
        if "client_secret" in form:
            return self._check_secret(client_id, form["client_secret"])
        if client.auth != "public":
            raise GrantError("invalid_client", "this client must authenticate (client secret or private_key_jwt)")
        return client

    def _check_secret(self, client_id: str, secret: str) -> EhrClient:
        client = self._config.client(client_id)
        if client is None or client.auth != "client_secret" or client.client_secret is None:
            raise GrantError("invalid_client", "unknown client or not a client-secret client")
        if not secrets.compare_digest(secret.encode(), client.client_secret.encode()):
            raise GrantError("invalid_client", "client authentication failed")
        return client

    def _check_assertion(self, assertion: str, token_url: str) -> EhrClient:
        try:
            issuer = _unverified_issuer(assertion)
            client = self._config.client(issuer)
            if client is None or client.auth != "private_key_jwt" or not client.jwks:
                raise GrantError("invalid_client", "unknown client or not a private_key_jwt client")
            token = jwt.decode(assertion, KeySet.import_key_set(client.jwks), algorithms=["RS384"])  # type: ignore[arg-type]
        except JoseError:
            raise GrantError(
                "invalid_client", "client assertion signature is not valid (RS384, registered key)"
            ) from None
        claims = token.claims
        now = self._clock()
        if claims.get("iss") != client.client_id or claims.get("sub") != client.client_id:
            raise GrantError("invalid_client", "client assertion iss/sub must be the client_id")
        if claims.get("aud") != token_url and token_url not in (claims.get("aud") or []):
            raise GrantError("invalid_client", "client assertion aud must be the token endpoint URL")
        exp = claims.get("exp")
        if not isinstance(exp, int | float) or exp < now or exp > now + MAX_ASSERTION_LIFETIME + 5:
            raise GrantError("invalid_client", "client assertion exp must be in the next five minutes")
        jti = claims.get("jti")
        with self._lock:
            if not isinstance(jti, str) or jti in self._seen_jti:
                raise GrantError("invalid_client", "client assertion jti missing or replayed")
            self._seen_jti.add(jti)
        return client


def _unverified_issuer(assertion: str) -> str:
    # Only to find which client's JWKS to verify the signature with.
    parts = assertion.split(".")
    if len(parts) != 3:
        raise GrantError("invalid_client", "client assertion is not a JWT")
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except ValueError:
        raise GrantError("invalid_client", "client assertion is not a JWT") from None
    return str(claims.get("iss", "")) if isinstance(claims, dict) else ""


def _basic(authorization: str) -> tuple[str, str]:
    try:
        decoded = base64.b64decode(authorization.split(" ", 1)[1]).decode()
    except ValueError:
        raise GrantError("invalid_client", "malformed Basic credentials") from None
    client_id, _, secret = decoded.partition(":")
    return unquote(client_id), unquote(secret)
