"""The facade's leaves of the ``gateway.search.errors.FhirError`` tree: each class carries its OperationOutcome
issue code and HTTP status; ``gateway.facade.outcomes`` turns every member into an OperationOutcome at the
one boundary. The whole tree, with its table of codes and statuses, is drawn once: docs/architecture.md."""

from __future__ import annotations

from gateway.search import FhirError


class ResourceNotFoundError(FhirError, code="not-found", status=404):
    """No resource (or version) with that type and id is stored."""


class AuthenticationError(FhirError, code="login", status=401):
    """The request carries no bearer token, or the wrong one."""

    def __init__(self, diagnostics: str, *, invalid_token: bool = False) -> None:
        super().__init__(diagnostics)
        self.invalid_token = invalid_token


class HostNotAllowedError(FhirError, code="security", status=421):
    """The Host header is not a loopback name and port this facade answers to (DNS rebinding guard)."""


class MethodNotAllowedError(FhirError, code="not-supported", status=405):
    """The HTTP method is not supported on this path."""


class NotAcceptableError(FhirError, code="not-supported", status=406):
    """The client asked for a representation other than FHIR JSON."""


class ThrottledError(FhirError, code="throttled", status=429):
    """More requests are in flight than the facade serves at once; retry shortly."""


class PayloadTooLargeError(FhirError, code="too-long", status=413):
    """The request body is larger than the facade reads."""


class InvalidBodyError(FhirError, code="invalid", status=400):
    """The request cannot be read: its body is not JSON, nests deeper than the facade parses, is not what the
    operation takes, or starlette refused the request before any handler ran (e.g. a form over its limits)."""


class MissingParameterError(FhirError, code="required", status=400):
    """An operation was called without a parameter it requires."""


class SourceLoginRequiredError(FhirError, code="login", status=401):
    """The record's source (the Kaiser portal) needs the person to sign in again before it can be asked."""


class ConflictError(FhirError, code="conflict", status=409):
    """The request contradicts what the server holds (a confirmation for other content, or one used already)."""


class UnsupportedOptionError(FhirError, code="not-supported", status=422):
    """The operation does not offer the option asked for (e.g. a refill picked up rather than mailed)."""


class BusinessRuleError(FhirError, code="business-rule", status=422):
    """The request is well formed but a rule refuses it (an expired confirmation, a blocker in the preview)."""


class UpstreamFailureError(FhirError, code="exception", status=502):
    """The record's source could not be reached, or refused what was sent to it."""
