"""A hostile SMART server's answers for the fuzz tests: real-shaped discovery documents and token
responses, perturbed or replaced (any JSON, bytes that are not JSON, an oversized token), with any
status and content type."""

from __future__ import annotations

import json
from typing import Any

import httpx2
from hypothesis import strategies as st

from tests.fuzz.perturbations import Huge, built, edits, hostile_values, perturbed

BASE = "https://ehr.practice.test/fhir"
REDIRECT = "http://127.0.0.1:8999/callback"
SMART_CONFIGURATION: dict[str, Any] = {
    "issuer": BASE,
    "authorization_endpoint": "https://ehr.practice.test/oauth/authorize",
    "token_endpoint": "https://ehr.practice.test/oauth/token",
    "revocation_endpoint": "https://ehr.practice.test/oauth/revoke",
    "scopes_supported": ["openid", "fhirUser", "launch/patient", "patient/*.read", "offline_access"],
    "capabilities": ["launch-standalone", "client-confidential-symmetric", "context-standalone-patient"],
    "code_challenge_methods_supported": ["S256"],
    "token_endpoint_auth_methods_supported": ["client_secret_basic", "private_key_jwt"],
}
CAPABILITY: dict[str, Any] = {
    "resourceType": "CapabilityStatement",
    "rest": [
        {
            "mode": "server",
            "security": {
                "extension": [
                    {
                        "url": "http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris",
                        "extension": [
                            {"url": "authorize", "valueUri": "https://ehr.practice.test/oauth/authorize"},
                            {"url": "token", "valueUri": "https://ehr.practice.test/oauth/token"},
                        ],
                    }
                ]
            },
        }
    ],
}
TOKEN_RESPONSE: dict[str, Any] = {
    "access_token": "issued-access-token",
    "token_type": "Bearer",
    "expires_in": 3600,
    "refresh_token": "issued-refresh-token",
    "scope": "launch/patient patient/*.read offline_access",
    "patient": "pt-123",
    "id_token": "eyJhbGciOiJub25lIn0.eyJmaGlyVXNlciI6IlBhdGllbnQvcHQtMTIzIiwiYXVkIjoic29tZW9uZS1lbHNlIn0.",
}
TOKEN_ERROR: dict[str, Any] = {"error": "invalid_grant", "error_description": "code expired"}
STATUSES = st.sampled_from([200, 200, 200, 201, 204, 301, 400, 401, 403, 404, 429, 500, 503])
CONTENT_TYPES = st.sampled_from(["application/json", "application/json;charset=utf-8", "text/html", "", "text/plain"])


class Answer:
    """One drawn server answer: status, content type and body (a perturbed document or raw bytes)."""

    def __init__(self, status: int, content_type: str, body: bytes) -> None:
        self.status, self.content_type, self.body = status, content_type, body

    def __repr__(self) -> str:
        return f"Answer({self.status}, {self.content_type!r}, {self.body[:120]!r}...)"

    def response(self) -> httpx2.Response:
        return httpx2.Response(self.status, headers={"content-type": self.content_type}, content=self.body)


def answers(document: dict[str, Any]) -> st.SearchStrategy[Answer]:
    """``document`` perturbed, or replaced by any JSON value, or by bytes that are not JSON at all."""
    bodies = st.one_of(
        edits.map(lambda applied: _dumped(perturbed(document, applied))),
        hostile_values.map(lambda value: _dumped(built(value))),
        st.sampled_from([b"", b"{", b"<html>Sign in</html>", b"\xff\xfe\x00", b"null", b"[]"]),
        st.just(_dumped({**document, "access_token": Huge("A", 300_000).text()})),
        _retyped(document),
    )
    return st.builds(Answer, STATUSES, CONTENT_TYPES, bodies)


FOUND_VALUES: st.SearchStrategy[Any] = st.sampled_from(
    [Huge("E", 300_000), Huge("\u202e", 5_000), [], {"x": 1}, 7, True, "\x00 \u200f", None]
)
"""Values that once crashed or bloated the SMART client (issue 9: a list `expires_in`, an object
`error_description`, a number for `rest`, a 300,000-character `error` or `token_type`), kept drawn often."""


def _retyped(document: dict[str, Any]) -> st.SearchStrategy[bytes]:
    """``document`` with one top-level member replaced by one of ``FOUND_VALUES``."""
    keys = st.sampled_from(sorted({*document, "error", "error_description", "expires_at"}))
    return st.builds(lambda key, value: _dumped({**document, key: built(value)}), keys, FOUND_VALUES)


def _dumped(value: Any) -> bytes:
    return json.dumps(value).encode()
