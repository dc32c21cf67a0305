"""SMART discovery for the facade: ``/.well-known/smart-configuration`` and the CapabilityStatement security block.

fhirgate has no OAuth server: the facade is guarded by one static bearer token that the user copies
from ``fhirgate token`` into a client. SMART has no grant type for that, so the configuration lists no
endpoints and no grant types (clients must not start a launch), and says how to authenticate instead.
"""

from __future__ import annotations

from typing import Any

SECURITY_DESCRIPTION = (
    "Every request except /metadata and /.well-known/smart-configuration requires "
    "'Authorization: Bearer <token>' with the local facade token (shown by `fhirgate token`, replaced by "
    "`fhirgate token --rotate`). There is no OAuth authorization server: no launch, no scopes, no refresh. "
    "The server listens on loopback only and accepts only loopback Host names with its own port."
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


def security_block(*, cors: bool) -> dict[str, Any]:
    """``CapabilityStatement.rest.security``."""
    return {"cors": cors, "service": [SECURITY_SERVICE], "description": SECURITY_DESCRIPTION}


def smart_configuration() -> dict[str, Any]:
    """The SMART App Launch discovery document, modelled honestly for a static-token server."""
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
