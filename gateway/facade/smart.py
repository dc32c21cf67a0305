"""SMART discovery for the facade: ``/.well-known/smart-configuration`` and the CapabilityStatement security block.

Two ways in: the static facade token (``fhirgate token``: scripts, `fhirgate mcp`, full access) and, when
the composition root enables the SMART server (``gateway.smart_server``), SMART App Launch for registered
apps (standalone launch, authorization code + PKCE S256, scopes enforced on every read).
"""

from __future__ import annotations

from typing import Any

AUTHORIZE_PATH = "/smart/authorize"
TOKEN_PATH = "/oauth/token"
REVOKE_PATH = "/oauth/revoke"
JWKS_PATH = "/oauth/jwks"
OAUTH_URIS = "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris"

SECURITY_DESCRIPTION = (
    "Every request except /metadata and /.well-known/smart-configuration requires "
    "'Authorization: Bearer <token>' with the local facade token (shown by `fhirgate token`, replaced by "
    "`fhirgate token --rotate`). There is no OAuth authorization server: no launch, no scopes, no refresh. "
    "The server listens on loopback only and accepts only loopback Host names with its own port."
)
SMART_SECURITY_DESCRIPTION = (
    "Every request except /metadata and /.well-known/smart-configuration requires 'Authorization: Bearer "
    "<token>': either the local facade token (`fhirgate token`, full access) or a SMART App Launch access "
    "token of an app registered with `fhirgate apps add` (standalone launch, PKCE S256, the person's consent "
    "in the local web app; read-only, limited to the granted patient/ scopes). Loopback only."
)

SECURITY_SERVICE = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/restful-security-service",
            "code": "SMART-on-FHIR",
            "display": "SMART-on-FHIR",
        }
    ],
    "text": "Static bearer token (SMART-style Authorization header, no OAuth flow)",
}

CAPABILITIES = (
    "launch-standalone",
    "client-public",
    "client-confidential-symmetric",
    "context-standalone-patient",
    "permission-offline",
    "permission-patient",
    "permission-v1",
    "permission-v2",
    "sso-openid-connect",
)


def security_block(*, cors: bool) -> dict[str, Any]:
    """``CapabilityStatement.rest.security`` (static token only)."""
    return {"cors": cors, "service": [SECURITY_SERVICE], "description": SECURITY_DESCRIPTION}


def smart_security_block(origin: str, *, cors: bool) -> dict[str, Any]:
    """``CapabilityStatement.rest.security`` with the SMART oauth-uris extension, for a server at ``origin``."""
    service = {**SECURITY_SERVICE, "text": "SMART App Launch (OAuth 2.0) or the static facade token"}
    uris = {"authorize": AUTHORIZE_PATH, "token": TOKEN_PATH, "revoke": REVOKE_PATH}
    return {
        "cors": cors,
        "extension": [{"url": OAUTH_URIS, "extension": [{"url": k, "valueUri": origin + v} for k, v in uris.items()]}],
        "service": [service],
        "description": SMART_SECURITY_DESCRIPTION,
    }


def smart_configuration(origin: str | None = None, *, scopes: tuple[str, ...] = ()) -> dict[str, Any]:
    """The SMART App Launch discovery document. Without ``origin`` (no SMART server), modelled honestly
    for a static-token server: no endpoints, no grant types."""
    if origin is None:
        return {
            "capabilities": [],
            "grant_types_supported": [],
            "response_types_supported": [],
            "scopes_supported": [],
            "code_challenge_methods_supported": [],
            "token_endpoint_auth_methods_supported": [],
            "fhirgate_authentication": {
                "type": "static-bearer-token",
                "header": "Authorization: Bearer <token>",
                "obtain": "run `fhirgate token` on this machine",
                "description": SECURITY_DESCRIPTION,
            },
        }
    return {
        "issuer": origin + "/fhir",
        "jwks_uri": origin + JWKS_PATH,
        "authorization_endpoint": origin + AUTHORIZE_PATH,
        "token_endpoint": origin + TOKEN_PATH,
        "revocation_endpoint": origin + REVOKE_PATH,
        "grant_types_supported": ["authorization_code", "refresh_token"],
        "response_types_supported": ["code"],
        "code_challenge_methods_supported": ["S256"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic", "none"],
        "scopes_supported": list(scopes),
        "capabilities": list(CAPABILITIES),
        "id_token_signing_alg_values_supported": ["RS256"],
    }
