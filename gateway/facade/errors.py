"""The facade's leaves of the ``gateway.search.errors.FhirError`` tree: each class carries its OperationOutcome
issue code and HTTP status; ``gateway.facade.outcomes`` turns every member into an OperationOutcome at the
one boundary. The whole tree, with its table of codes and statuses, is drawn once: docs/architecture.md."""

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
    """The request cannot be read: its body is not JSON, nests deeper than the facade parses, is not what the
    operation takes, or starlette refused the request before any handler ran (e.g. a form over its limits)."""

    issue_code = "invalid"
    http_status = 400


class MissingParameterError(FhirError):
    """An operation was called without a parameter it requires."""

    issue_code = "required"
    http_status = 400


class SourceLoginRequiredError(FhirError):
    """The record's source (the Kaiser portal) needs the person to sign in again before it can be asked."""

    issue_code = "login"
    http_status = 401


class ConflictError(FhirError):
    """The request contradicts what the server holds (a confirmation for other content, or one used already)."""

    issue_code = "conflict"
    http_status = 409


class UnsupportedOptionError(FhirError):
    """The operation does not offer the option asked for (e.g. a refill picked up rather than mailed)."""

    issue_code = "not-supported"
    http_status = 422


class BusinessRuleError(FhirError):
    """The request is well formed but a rule refuses it (an expired confirmation, a blocker in the preview)."""

    issue_code = "business-rule"
    http_status = 422


class UpstreamFailureError(FhirError):
    """The record's source could not be reached, or refused what was sent to it."""

    issue_code = "exception"
    http_status = 502
