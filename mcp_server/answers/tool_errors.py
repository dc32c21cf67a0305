"""Turning client failures into `ToolError`s the model can act on.

Each message says what failed (status, the server's diagnostics) and what to try next.
Messages are built from our exceptions' own fields, which never hold request headers,
so no token reaches the model; tracebacks never do either. What a server wrote (diagnostics)
is quoted inside an untrusted fence; what the model sent (source, resource type, id) is quoted
bounded, never in full.
"""

from __future__ import annotations

from mcp.server.mcpserver.exceptions import ToolError

from fhir_client import (
    FhirClientError,
    FhirHTTPError,
    FhirTransportError,
    InvalidFhirRequest,
    InvalidFhirResponse,
    ReconnectRequired,
    SmartError,
)
from mcp_server.answers.cursor import InvalidCursorError
from mcp_server.sources.registry import UnknownSourceError
from mcp_server.untrusted.fencing import fenced_quote
from mcp_server.untrusted.quoting import bounded_text, quote_input

__all__ = ["DIAGNOSTICS_QUOTE_LIMIT", "to_tool_error"]

DIAGNOSTICS_QUOTE_LIMIT = 300
"""Characters of a server's diagnostics an error quotes (they often echo the argument sent)."""

_STATUS_ADVICE = {
    400: "The server rejected the request. Check the search parameter names and value formats "
    "(FHIR syntax, e.g. date=ge2024-01-01, code=http://loinc.org|2823-3); drop any parameter the "
    "diagnostics call unknown or unsupported, then call fhir_search again.",
    401: "The source refused the credentials. Ask the user to sign in again "
    "(`fhirgate login kaiser` or `fhirgate connect NAME URL`); retrying will not help.",
    403: "The source does not allow this request for the signed-in user (scope or permission). "
    "Ask the user; retrying will not help.",
    404: "Nothing exists at that address. Check the resource type and id; fhir_search finds ids.",
    410: "That resource was deleted on the source.",
    422: "The server understood the request but cannot process it; adjust the parameters per the diagnostics.",
    429: "The source is rate-limiting requests. Wait before trying again.",
}


def _issue_codes(error: FhirHTTPError) -> set[str]:
    issues = (error.operation_outcome or {}).get("issue")
    return {str(i.get("code")) for i in issues if isinstance(i, dict)} if isinstance(issues, list) else set()


def _said(error: FhirHTTPError) -> str:
    # Servers echo arguments in diagnostics: the quote bounds that echo too.
    return f"the server said {fenced_quote(error.diagnostics, limit=DIAGNOSTICS_QUOTE_LIMIT)}"


def _http_message(error: FhirHTTPError, source: str, target: str, login_hint: str | None) -> str:
    if error.status_code == 401 and login_hint:
        return f"{login_hint}. Retrying will not help until then."
    if error.status_code == 404 and "not-supported" in _issue_codes(error):
        return f"Source {source} does not support {target}: {_said(error) if error.diagnostics else 'unsupported'}."
    message = f"{target} on source {source} failed with HTTP {error.status_code}"
    if error.diagnostics:
        message += f": {_said(error)}"
    advice = _STATUS_ADVICE.get(error.status_code)
    if advice is None:
        advice = (
            "The source had a server-side problem; try again later, or tell the user to run `fhirgate doctor`."
            if error.status_code >= 500
            else "Check the request against the diagnostics above."
        )
    if error.status_code == 429 and error.retry_after is not None:
        advice = f"The source is rate-limiting requests; it asks to wait {round(error.retry_after)} s."
    return f"{message}. {advice}"


def to_tool_error(error: Exception, *, source: str, target: str, login_hint: str | None = None) -> ToolError:
    """A `ToolError` for `error`, met while working on `target` (e.g. `Observation/123`) at `source`.

    `login_hint` (from the `RecordSource`) replaces the generic advice when the source answers 401.
    `source` and `target` may carry what the model sent, so they are quoted bounded.
    """
    shown_source, target = quote_input(source), bounded_text(target)
    if isinstance(error, UnknownSourceError):
        if not error.known:
            return ToolError(
                f"Unknown source {quote_input(error.name)}: no sources are configured. Ask the user to run "
                "`fhirgate login kaiser` or `fhirgate connect NAME URL`."
            )
        known = ", ".join(repr(name) for name in error.known)
        return ToolError(f"Unknown source {quote_input(error.name)}. Use one of: {known}.")
    if isinstance(error, InvalidCursorError):
        return ToolError(
            f"Invalid cursor: {error}. Pass the exact `next cursor` value from the previous reply, "
            "with the same arguments, or run the query again without a cursor."
        )
    if isinstance(error, ReconnectRequired):
        return ToolError(
            f"Source {shown_source}'s refresh token was revoked or has expired: call connect_practice again "
            f'(or ask the user to run "fhirgate connect {bounded_text(source)} URL").'
        )
    if isinstance(error, SmartError):
        return ToolError(f"Signing in to source {shown_source} failed: {fenced_quote(error)}.")
    if isinstance(error, FhirHTTPError):
        return ToolError(_http_message(error, shown_source, target, login_hint))
    if isinstance(error, FhirTransportError):
        return ToolError(
            f"Could not reach source {shown_source} after {error.attempts} attempt(s). It may be down or "
            "offline; try again later, or tell the user to run `fhirgate doctor`."
        )
    if isinstance(error, InvalidFhirResponse):
        return ToolError(
            f"Source {shown_source} answered {target} with something that is not the expected FHIR JSON "
            f"({fenced_quote(error)}). The session may have expired; tell the user to run `fhirgate doctor`."
        )
    if isinstance(error, InvalidFhirRequest):
        return ToolError(f"Request not sent: {bounded_text(error)}.")
    if isinstance(error, FhirClientError):
        return ToolError(f"{target} on source {shown_source} failed: {fenced_quote(error)}.")
    raise TypeError(f"no tool error mapping for {type(error).__name__}") from error
