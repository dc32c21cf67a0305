"""The one boundary where failures become OperationOutcome responses.

``outcome_response`` converts a ``FhirError`` (any member of the tree), a starlette ``HTTPException``
(unmatched route, wrong method) or any unexpected exception (500 ``exception``, no traceback in the body).
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.exceptions import HTTPException
from starlette.requests import Request

from gateway.facade.errors import (
    AuthenticationError,
    InvalidBodyError,
    MethodNotAllowedError,
    PayloadTooLargeError,
    ResourceNotFoundError,
    ThrottledError,
)
from gateway.facade.quoting import DIAGNOSTICS_LIMIT, bounded_quote
from gateway.facade.responses import FhirJSONResponse
from gateway.search import FhirError

logger = logging.getLogger(__name__)

_HTTP_EXCEPTIONS: dict[int, type[FhirError]] = {
    404: ResourceNotFoundError,
    405: MethodNotAllowedError,
    413: PayloadTooLargeError,
}


def operation_outcome(code: str, diagnostics: str, *, severity: str = "error") -> dict[str, Any]:
    """An OperationOutcome with a single issue."""
    return {
        "resourceType": "OperationOutcome",
        "issue": [{"severity": severity, "code": code, "diagnostics": diagnostics}],
    }


def _as_fhir_error(exc: Exception) -> FhirError | None:
    if isinstance(exc, FhirError):
        return exc
    if isinstance(exc, HTTPException):
        error_type = _HTTP_EXCEPTIONS.get(exc.status_code)
        if error_type is MethodNotAllowedError:
            return MethodNotAllowedError("fhirgate's facade is read-only (the record is Kaiser's): use GET")
        if error_type is not None:
            return error_type(exc.detail)
        if 400 <= exc.status_code < 500:
            return InvalidBodyError(exc.detail)
    return None


def outcome_response(exc: Exception) -> FhirJSONResponse:
    """The OperationOutcome response for ``exc``."""
    error = _as_fhir_error(exc)
    if error is None:
        logger.error("unhandled error type=%s", type(exc).__name__, exc_info=exc)
        body = operation_outcome("exception", "Internal server error; see the fhirgate log")
        return FhirJSONResponse(body, status_code=500)
    headers: dict[str, str] = {}
    if isinstance(exc, HTTPException) and exc.headers:
        headers.update(exc.headers)
    if isinstance(error, AuthenticationError):
        headers["WWW-Authenticate"] = (
            'Bearer realm="fhirgate", error="invalid_token"' if error.invalid_token else 'Bearer realm="fhirgate"'
        )
    if isinstance(error, ThrottledError):
        headers["Retry-After"] = "1"
    diagnostics = bounded_quote(error.diagnostics, DIAGNOSTICS_LIMIT)
    body = operation_outcome(error.issue_code, diagnostics, severity=error.severity)
    return FhirJSONResponse(body, status_code=error.http_status, headers=headers)


async def handle_exception(request: Request, exc: Exception) -> FhirJSONResponse:
    """Starlette exception handler: registered for ``FhirError``, ``HTTPException`` and ``Exception``."""
    return outcome_response(exc)
