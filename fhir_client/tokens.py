"""`TokenSet`: what a token endpoint answered, with the expiry made absolute.

The access and refresh tokens are secrets: `repr` hides them, and they are only ever written
to the keychain. The rest (expiry, scope, patient, fhirUser) is metadata.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from fhir_client.errors import TokenEndpointError, quoted

__all__ = ["TokenSet", "id_token_claims"]

DEFAULT_LIFETIME = 3600.0


@dataclass(frozen=True)
class TokenSet:
    access_token: str = field(repr=False)
    expires_at: float
    refresh_token: str | None = field(default=None, repr=False)
    scope: str = ""
    patient: str | None = None
    fhir_user: str | None = None
    id_token: str | None = field(default=None, repr=False)

    @classmethod
    def from_response(cls, body: dict[str, Any], *, now: float) -> TokenSet:
        """Read a token response (`now` is the time the request was sent, in epoch seconds)."""
        access = body.get("access_token")
        if not isinstance(access, str) or not access:
            raise TokenEndpointError("the token endpoint answered without an access_token")
        token_type = str(body.get("token_type", "bearer"))
        if token_type.lower() != "bearer":
            issued = quoted(token_type)
            raise TokenEndpointError(f"the token endpoint issued a '{issued}' token; only Bearer is supported")
        expires_in = body.get("expires_in")
        digits = isinstance(expires_in, int | str) and str(expires_in).isdigit()
        lifetime = float(str(expires_in)) if digits else None
        refresh = body.get("refresh_token")
        patient = body.get("patient")
        id_token = body.get("id_token")
        claims = id_token_claims(id_token) if isinstance(id_token, str) else {}
        fhir_user = claims.get("fhirUser") or body.get("fhirUser")
        return cls(
            access_token=access,
            expires_at=now + (lifetime if lifetime is not None else DEFAULT_LIFETIME),
            refresh_token=refresh if isinstance(refresh, str) and refresh else None,
            scope=str(body.get("scope") or ""),
            patient=patient if isinstance(patient, str) and patient else None,
            fhir_user=fhir_user if isinstance(fhir_user, str) else None,
            id_token=id_token if isinstance(id_token, str) else None,
        )


def id_token_claims(id_token: str) -> dict[str, Any]:
    """The claims of an OpenID id_token, read without verifying its signature.

    Only used to name who is connected (`fhirUser`); nothing is authorized on the strength of it —
    the FHIR server checks the access token on every read of that resource.
    """
    parts = id_token.split(".")
    if len(parts) != 3:
        return {}
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except ValueError:
        return {}
    return claims if isinstance(claims, dict) else {}
