"""HTTP-layer leaves of the ``gateway.search.errors.FhirError`` tree (the whole tree is drawn there)::

FhirError
├── ResourceNotFoundError   not-found      404
├── AuthenticationError     login          401   (adds WWW-Authenticate: Bearer)
├── HostNotAllowedError     security       400   DNS rebinding guard
└── MethodNotAllowedError   not-supported  405
"""

from __future__ import annotations

from gateway.search import FhirError


class ResourceNotFoundError(FhirError):
    """No resource with that type and id is stored."""

    issue_code = "not-found"
    http_status = 404


class AuthenticationError(FhirError):
    """The request carries no bearer token, or the wrong one."""

    issue_code = "login"
    http_status = 401

    def __init__(self, diagnostics: str, *, invalid_token: bool = False) -> None:
        super().__init__(diagnostics)
        self.invalid_token = invalid_token


class HostNotAllowedError(FhirError):
    """The Host header is not a loopback name this facade answers to (DNS rebinding guard)."""

    issue_code = "security"
    http_status = 400


class MethodNotAllowedError(FhirError):
    """The HTTP method is not supported on this path."""

    issue_code = "not-supported"
    http_status = 405
