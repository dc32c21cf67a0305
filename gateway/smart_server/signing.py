"""The id_token signer: an RS256 key (kept by the composition root in the keychain as a JWK) and the
JWKS that publishes its public half."""

from __future__ import annotations

import json
import time
from typing import Any

from joserfc import jwt
from joserfc.jwk import RSAKey

__all__ = ["IdTokenSigner", "new_signing_key"]

ID_TOKEN_TTL_SECONDS = 3600


def new_signing_key() -> str:
    """A fresh private signing key as JWK JSON (to store as a secret)."""
    key = RSAKey.generate_key(2048, parameters={"use": "sig", "alg": "RS256"}, auto_kid=True)
    return json.dumps(key.as_dict(private=True))


class IdTokenSigner:
    def __init__(self, private_jwk: str) -> None:
        self._key = RSAKey.import_key(json.loads(private_jwk))

    def jwks(self) -> dict[str, Any]:
        public = self._key.as_dict(private=False)
        return {"keys": [{**public, "use": "sig", "alg": "RS256"}]}

    def id_token(self, *, issuer: str, client_id: str, subject: str, fhir_user: str) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer,
            "sub": subject,
            "aud": client_id,
            "iat": now,
            "exp": now + ID_TOKEN_TTL_SECONDS,
            "fhirUser": fhir_user,
        }
        header = {"alg": "RS256", "typ": "JWT", "kid": self._key.kid}
        return jwt.encode(header, claims, self._key)
