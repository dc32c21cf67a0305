"""gateway.facade — the starlette FHIR R4 REST facade over a ``ResourceStore``.

Routes: ``GET /fhir/metadata`` (public), ``GET /fhir/{type}/{id}``, ``GET /fhir/{type}?...``; every failure
becomes an OperationOutcome in ``gateway.facade.outcomes``.
"""

from gateway.facade.app import LOOPBACK_HOSTS, PUBLIC_PATHS, create_facade_app
from gateway.facade.capability import build_capability_statement
from gateway.facade.errors import (
    AuthenticationError,
    HostNotAllowedError,
    MethodNotAllowedError,
    ResourceNotFoundError,
)
from gateway.facade.outcomes import operation_outcome, outcome_response
from gateway.facade.responses import FHIR_JSON, FhirJSONResponse, JsonText

__all__ = [
    "FHIR_JSON",
    "LOOPBACK_HOSTS",
    "PUBLIC_PATHS",
    "AuthenticationError",
    "FhirJSONResponse",
    "HostNotAllowedError",
    "JsonText",
    "MethodNotAllowedError",
    "ResourceNotFoundError",
    "build_capability_statement",
    "create_facade_app",
    "operation_outcome",
    "outcome_response",
]
