"""The one exception tree for FHIR-facing failures; each class knows its OperationOutcome code and HTTP status.

It lives here, in the lowest layer that raises, so that search, store and facade share one tree and the
facade converts every member into an OperationOutcome at a single boundary::

    FhirError                         issue.code      HTTP
    ├── InvalidSearchError            invalid          400   bad value, bad _count, bad/foreign _cursor
    ├── UnsupportedSearchError        not-supported    400   unknown parameter, modifier, prefix or _sort
    ├── UnsupportedResourceTypeError  not-supported    404   resource type the server does not serve
    └── (gateway.facade.errors)
        ├── ResourceNotFoundError     not-found        404
        ├── AuthenticationError       login            401   missing or wrong bearer token
        ├── HostNotAllowedError       security         400   DNS rebinding guard
        └── MethodNotAllowedError     not-supported    405
"""

from __future__ import annotations

from typing import ClassVar


class FhirError(Exception):
    """Base of every error that becomes an OperationOutcome; ``diagnostics`` is safe to show to the caller."""

    issue_code: ClassVar[str] = "processing"
    http_status: ClassVar[int] = 400
    severity: ClassVar[str] = "error"

    def __init__(self, diagnostics: str) -> None:
        super().__init__(diagnostics)
        self.diagnostics = diagnostics


class InvalidSearchError(FhirError):
    """A search parameter value (or control parameter) cannot be understood."""

    issue_code = "invalid"
    http_status = 400


class UnsupportedSearchError(FhirError):
    """The search names a parameter, modifier, prefix or sort this server does not support."""

    issue_code = "not-supported"
    http_status = 400


class UnsupportedResourceTypeError(FhirError):
    """The resource type is not served by this endpoint."""

    issue_code = "not-supported"
    http_status = 404
