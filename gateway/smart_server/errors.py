"""Errors of the SMART server.

``OAuthError`` (token, revocation, authorize: RFC 6749 §5.2 ``{"error": ...}`` bodies) is separate from
the facade's tree; ``ScopeRefusedError`` is a ``FhirError`` (403 ``forbidden`` OperationOutcome).
"""

from __future__ import annotations

from gateway.search import FhirError

__all__ = ["OAuthError", "ScopeRefusedError"]


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status


class ScopeRefusedError(FhirError, code="forbidden", status=403):
    """A SMART app's token does not cover this request (a type outside its scopes, or any write)."""
