"""gateway.facade — the starlette FHIR R4 REST facade over a ``ResourceStore``.

Routes under ``/fhir``: ``metadata`` (public), read, vread, history-instance, search-type (GET and
``POST _search``), search-system (``?_type=``), ``Patient/{id}/$everything``; SMART discovery at
``/.well-known/smart-configuration`` (public). Every failure becomes an OperationOutcome in
``gateway.facade.outcomes``. Searches first refresh stale surfaces through an injected ``Refresher``.
"""

from gateway.facade.app import PUBLIC_PATHS, create_facade_app
from gateway.facade.body_limits import MAX_BODY_BYTES, MAX_JSON_DEPTH, read_json
from gateway.facade.capability import build_capability_statement
from gateway.facade.errors import (
    AuthenticationError,
    HostNotAllowedError,
    InvalidBodyError,
    MethodNotAllowedError,
    NotAcceptableError,
    ResourceNotFoundError,
    ThrottledError,
)
from gateway.facade.extension import FacadeExtension
from gateway.facade.outcomes import operation_outcome, outcome_response
from gateway.facade.quoting import bounded_quote
from gateway.facade.refresh import DEFAULT_TTL, Refresher, RefreshFailed, RefreshPolicy
from gateway.facade.responses import FHIR_JSON, FhirJSONResponse, JsonText
from gateway.facade.settings import DEFAULT_MAX_IN_FLIGHT, LOOPBACK_HOSTS, FacadeSettings
from gateway.facade.smart import smart_configuration

__all__ = [
    "DEFAULT_MAX_IN_FLIGHT",
    "DEFAULT_TTL",
    "FHIR_JSON",
    "LOOPBACK_HOSTS",
    "MAX_BODY_BYTES",
    "MAX_JSON_DEPTH",
    "PUBLIC_PATHS",
    "AuthenticationError",
    "FacadeExtension",
    "FacadeSettings",
    "FhirJSONResponse",
    "HostNotAllowedError",
    "InvalidBodyError",
    "JsonText",
    "MethodNotAllowedError",
    "NotAcceptableError",
    "RefreshFailed",
    "RefreshPolicy",
    "Refresher",
    "ResourceNotFoundError",
    "ThrottledError",
    "bounded_quote",
    "build_capability_statement",
    "create_facade_app",
    "operation_outcome",
    "outcome_response",
    "read_json",
    "smart_configuration",
]
