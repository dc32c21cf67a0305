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

    def __init_subclass__(cls, *, code: str | None = None, status: int | None = None, **kwargs: object) -> None:
        """A member names its row of the table in its class line: ``class X(FhirError, code=..., status=...)``."""
        super().__init_subclass__(**kwargs)
        if code is not None:
            cls.issue_code = code
        if status is not None:
            cls.http_status = status

    def __init__(self, diagnostics: str) -> None:
        super().__init__(diagnostics)
        self.diagnostics = diagnostics


class InvalidSearchError(FhirError, code="invalid", status=400):
    """A search parameter value (or control parameter) cannot be understood."""


class UnsupportedSearchError(FhirError, code="not-supported", status=400):
    """The search names a parameter, modifier, prefix or sort this server does not support."""


class UnsupportedResourceTypeError(FhirError, code="not-supported", status=404):
    """The resource type is not served by this endpoint."""
