"""What `connect_practice` / `complete_oauth` say when connecting cannot go on: argument checks
before anything is sent, and one actionable message per failure kind.

`fhir_client`'s SMART messages end with CLI advice (`fhirgate connect ...`); in a chat the fix
is a tool call, so that advice is replaced here, and no message carries a traceback. What the
practice's server said is quoted inside an untrusted fence; what the model sent, bounded.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from mcp.server.mcpserver.exceptions import ToolError

from fhir_client import AuthorizationError, DiscoveryError, FhirTransportError, SmartError, TokenEndpointError, safe_url
from mcp_server.untrusted.fencing import fenced_quote
from mcp_server.untrusted.quoting import bounded_text, quote_input

__all__ = ["begin_failure", "check_base_url", "check_practice_name", "complete_failure"]

_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,39}")
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_EXAMPLE = "e.g. https://fhir4.healow.com/fhir/r4/ABCDEF"
_CLI_ADVICE = re.compile(r"[;:,] (?:start again|run) .*$")
_AGAIN = "Call connect_practice again for a fresh sign-in link (each link works once)."


def check_practice_name(name: str) -> None:
    """Refuse names that cannot be a source name (or would hide the Kaiser record)."""
    if name.lower() == "kaiser":
        raise ToolError("'kaiser' names the Kaiser record itself: choose another name for the practice, e.g. 'dr-lee'.")
    if not _NAME.fullmatch(name):
        raise ToolError(
            f"{quote_input(name, 60)} cannot name a practice: use 1-40 letters, digits and '-', e.g. 'dr-lee'."
        )


def _shown(url: str) -> str:
    try:
        return bounded_text(safe_url(url.strip()))
    except ValueError:
        return "that address"


def check_base_url(url: str) -> None:
    """Refuse what cannot be a practice's FHIR base URL before any request is sent."""
    try:
        parts = urlsplit(url.strip())
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # e.g. a port out of range
        valid = False
    if not valid:
        raise ToolError(
            f"{_shown(url)!r} is not a FHIR base URL: give the practice's FHIR R4 address, starting with https:// "
            f"({_EXAMPLE}); its patient-app or developer page lists it."
        )
    if parts.scheme == "http" and parts.hostname not in _LOOPBACK:
        raise ToolError(
            f"{_shown(url)!r} uses plain http: tokens are only ever sent over https (plain http only to this "
            "computer). Use the practice's https:// address."
        )
    if parts.query or parts.fragment:
        raise ToolError(f"{_shown(url)!r} has a ?query or #fragment: give the FHIR base URL alone ({_EXAMPLE}).")


def _without_cli_advice(error: Exception) -> str:
    """The error's text without its CLI advice, fenced: it quotes what the practice's server answered."""
    return fenced_quote(_CLI_ADVICE.sub("", str(error)).rstrip(". "))


def begin_failure(error: Exception, name: str, url: str) -> str:
    """The message for `connect_practice` failing after its arguments were accepted."""
    start = f"Could not start connecting {name!r}"
    if isinstance(error, DiscoveryError | FhirTransportError):
        return (
            f"{start}: {_without_cli_advice(error)}. Check that {_shown(url)} is the practice's FHIR R4 base URL "
            "and that its server is online, then call connect_practice again."
        )
    if isinstance(error, SmartError):
        return f"{start}: {_without_cli_advice(error)}. fhirgate cannot connect to this server as it is configured."
    if isinstance(error, ValueError):  # fhirgate's own setup is missing something (client id, secret, key)
        return (
            f"{start}: {error}. The HEALOW_* variables go in the `env` of fhirgate's entry in Claude Desktop's "
            "config (then restart Claude Desktop), or the user connects once with `fhirgate connect`."
        )
    return f"{start}: {_without_cli_advice(error)}."


def complete_failure(error: Exception) -> str:
    """The message for `complete_oauth` failing: what went wrong, and that a new link is needed."""
    if isinstance(error, AuthorizationError):
        return f"The practice's answer cannot be used: {_without_cli_advice(error)}. {_AGAIN}"
    if isinstance(error, TokenEndpointError):
        return (
            f"The practice refused the sign-in code: {_without_cli_advice(error)}. Codes are single-use and expire "
            f"within minutes. {_AGAIN}"
        )
    if isinstance(error, FhirTransportError | DiscoveryError):
        return f"Could not reach the practice to finish connecting: {_without_cli_advice(error)}. Try again later."
    return f"Connecting failed: {_without_cli_advice(error)}. {_AGAIN}"
