"""The root of the one exception tree for FHIR-facing failures; each class knows its OperationOutcome code and
HTTP status.

It lives here, in the lowest layer that raises, so that search, store, facade, writes, bulk and the SMART
server share one tree and the facade converts every member into an OperationOutcome at a single boundary
(``gateway.facade.outcomes``). The whole tree, with its table of codes and statuses, is drawn once:
docs/architecture.md ("The error tree")."""

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
