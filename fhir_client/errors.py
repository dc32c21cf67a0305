"""The exception tree of the FHIR client.

Every failure the client reports is a `FhirClientError`::

    FhirClientError                 anything this package raises on purpose
    ├── InvalidFhirRequest          refused before sending: bad resource type or id, foreign `next` link
    ├── FhirTransportError          no HTTP answer (connect/read failure, timeout) after the retries
    ├── FhirHTTPError               an HTTP error status; carries the OperationOutcome when the server sent one
    ├── InvalidFhirResponse         a 2xx answer that is not JSON, or not the resourceType asked for
    └── SmartError                  SMART App Launch failures, each with what the user should do
        ├── DiscoveryError          no usable smart-configuration or CapabilityStatement OAuth URIs
        ├── AuthorizationError      the redirect: state mismatch, user denied, no code
        ├── TokenEndpointError      the token endpoint refused (OAuth `error` + description)
        └── ReconnectRequired       no valid refresh token left: run `fhirgate connect` again

Messages name the method, the URL without credentials, the status and the server's own
diagnostics. They never contain request headers, so no token can leak through `str(error)`;
a value a server sent is quoted through `quoted` (printable, bounded), however hostile.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit, urlunsplit

__all__ = [
    "AuthorizationError",
    "DiscoveryError",
    "FhirClientError",
    "FhirHTTPError",
    "FhirTransportError",
    "InvalidFhirRequest",
    "InvalidFhirResponse",
    "ReconnectRequired",
    "SmartError",
    "TokenEndpointError",
    "describe_outcome",
    "quoted",
    "safe_url",
]

QUOTE_LIMIT = 100
"""At most this many characters of a value a server sent are quoted in a message."""


def safe_url(url: str) -> str:
    """Return `url` without userinfo or fragment, fit for messages and logs."""
    parts = urlsplit(url)
    netloc = parts.hostname or ""
    if parts.port is not None:
        netloc = f"{netloc}:{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))


OUTCOME_TEXT_LIMIT = 500
OUTCOME_ISSUE_LIMIT = 10


def quoted(value: object, limit: int = QUOTE_LIMIT) -> str:
    """A value a server sent, fit for a message: printable characters only (no control or bidi marks),
    whitespace runs as one space, at most `limit` characters (then `…`), however long the original."""
    text = " ".join(str(value)[: limit * 4].split())
    printable = "".join(char for char in text if char.isprintable())
    return printable if len(printable) <= limit else f"{printable[:limit]}…"


class FhirClientError(Exception):
    """Base class of every error the FHIR client raises on purpose."""


class InvalidFhirRequest(FhirClientError):
    """The request was refused before it was sent (unsafe id, foreign paging link, ...)."""


class FhirTransportError(FhirClientError):
    """The server could not be reached, or did not answer, even after retrying."""

    def __init__(self, message: str, *, url: str, attempts: int) -> None:
        self.url = safe_url(url)
        self.attempts = attempts
        super().__init__(f"{message} (GET {self.url}, {attempts} attempt{'s' if attempts != 1 else ''})")


class InvalidFhirResponse(FhirClientError):
    """A successful HTTP answer whose body is not the FHIR JSON that was asked for."""

    def __init__(self, message: str, *, url: str) -> None:
        self.url = safe_url(url)
        super().__init__(f"{message} (GET {self.url})")


class FhirHTTPError(FhirClientError):
    """The server answered with an HTTP error status.

    `operation_outcome` is the OperationOutcome body when the server sent one, and
    `diagnostics` a one-line summary of its issues (empty when there were none).
    `retry_after` is the server's requested wait in seconds, when it gave one.
    """

    def __init__(
        self,
        status_code: int,
        operation_outcome: dict[str, Any] | None,
        url: str,
        *,
        retry_after: float | None = None,
    ) -> None:
        self.status_code = status_code
        self.operation_outcome = operation_outcome
        self.url = safe_url(url)
        self.retry_after = retry_after
        self.diagnostics = describe_outcome(operation_outcome)
        message = f"HTTP {status_code} for GET {self.url}"
        if self.diagnostics:
            message = f"{message}: {self.diagnostics}"
        super().__init__(message)


def describe_outcome(outcome: dict[str, Any] | None) -> str:
    """Summarise an OperationOutcome's issues on one line: `severity code: text; ...`.

    The server wrote it, so it is bounded like any quoted value: each text at most
    `OUTCOME_TEXT_LIMIT` printable characters, at most `OUTCOME_ISSUE_LIMIT` issues.
    """
    if not outcome:
        return ""
    issues = outcome.get("issue")
    if not isinstance(issues, list):
        return ""
    parts: list[str] = []
    shown = [issue for issue in issues if isinstance(issue, dict)]
    for issue in shown[:OUTCOME_ISSUE_LIMIT]:
        label = " ".join(quoted(issue[key], 40) for key in ("severity", "code") if isinstance(issue.get(key), str))
        details = issue.get("details")
        text = issue.get("diagnostics") or (details.get("text") if isinstance(details, dict) else None)
        if isinstance(text, str) and text.strip():
            said = quoted(text, OUTCOME_TEXT_LIMIT)
            parts.append(f"{label}: {said}" if label else said)
        elif label:
            parts.append(label)
    if len(shown) > OUTCOME_ISSUE_LIMIT:
        parts.append(f"{len(shown) - OUTCOME_ISSUE_LIMIT} more issue(s)")
    return "; ".join(parts)


class SmartError(FhirClientError):
    """A SMART App Launch step failed; the message says what the user can do about it."""


class DiscoveryError(SmartError):
    """The server advertises no usable SMART endpoints."""


class AuthorizationError(SmartError):
    """The authorization redirect was refused or does not belong to this launch."""


class TokenEndpointError(SmartError):
    """The token endpoint refused a request. `error` is the OAuth error code (`invalid_grant`, ...)."""

    def __init__(self, message: str, *, error: str | None = None, status_code: int | None = None) -> None:
        self.error = error
        self.status_code = status_code
        super().__init__(message)


class ReconnectRequired(SmartError):
    """The source's refresh token is gone, expired, revoked or already used: connect again."""
