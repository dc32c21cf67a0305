"""HTTP-layer leaves of the ``gateway.search.errors.FhirError`` tree (the whole tree is drawn there)::

FhirError
├── ResourceNotFoundError   not-found      404
├── AuthenticationError     login          401   (adds WWW-Authenticate: Bearer)
├── HostNotAllowedError     security       421   DNS rebinding guard (wrong host name or port)
├── MethodNotAllowedError   not-supported  405   the record is Kaiser's: no PUT, PATCH, DELETE, create
├── NotAcceptableError      not-supported  406   XML or another format than FHIR JSON was asked for
├── ThrottledError          throttled      429   too many requests in flight
├── PayloadTooLargeError    too-long       413   request body over the limit
├── InvalidBodyError        invalid        400   body not JSON, or nested too deep
└── BadRequestError         invalid        400   any other request starlette refused (e.g. a form too large)
"""

from __future__ import annotations

from gateway.search import FhirError


class ResourceNotFoundError(FhirError):
    """No resource (or version) with that type and id is stored."""

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
    """The Host header is not a loopback name and port this facade answers to (DNS rebinding guard)."""

    issue_code = "security"
    http_status = 421


class MethodNotAllowedError(FhirError):
    """The HTTP method is not supported on this path."""

    issue_code = "not-supported"
    http_status = 405


class NotAcceptableError(FhirError):
    """The client asked for a representation other than FHIR JSON."""

    issue_code = "not-supported"
    http_status = 406


class ThrottledError(FhirError):
    """More requests are in flight than the facade serves at once; retry shortly."""

    issue_code = "throttled"
    http_status = 429


class PayloadTooLargeError(FhirError):
    """The request body is larger than the facade reads."""

    issue_code = "too-long"
    http_status = 413


class InvalidBodyError(FhirError):
    """The request body is not JSON, or nests deeper than the facade parses."""

    issue_code = "invalid"
    http_status = 400


class BadRequestError(FhirError):
    """A request starlette refused before any handler ran (e.g. a form over its size limits)."""

    issue_code = "invalid"
    http_status = 400
