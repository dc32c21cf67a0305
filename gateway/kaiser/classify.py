"""Reading a portal response before its body: is the session dead, was the contract broken, retry later?

KAISER_API.md §1.4 lists how kp.org says "session dead": a redirect to the identity host (or back to
the sign-in entry points), 401/403, or an HTML page where JSON was expected. A redirect to
``FiveHundred`` and a 502 on ``/mycare`` are contract errors, never expiry. 429/5xx are retryable.
Bodies are never quoted in messages: they may hold PHI.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx2

from gateway.kaiser.errors import ContractBounce, MalformedPayload, PortalContractError, PortalRejected, SessionExpired

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_SIGN_IN_PATHS = ("/sign-on", "/secure/inner-door", "/mychartcn/authentication/login", "/as/")
_MAX_RETRY_AFTER = 60.0


class Retryable(Exception):
    """A transient answer (429/5xx): retry after ``delay`` seconds, or a backoff when None."""

    def __init__(self, reason: str, delay: float | None) -> None:
        super().__init__(reason)
        self.delay = delay


def classify(response: httpx2.Response, surface: str, identity_url: str, *, expect_json: bool) -> None:
    """Raise the error ``response`` stands for; return quietly when it is a usable answer."""
    status = response.status_code
    if 300 <= status < 400:
        location = response.headers.get("location", "")
        if is_sign_in_redirect(location, identity_url):
            raise SessionExpired(f"{surface}: the portal session has expired (redirect to sign-in)")
        if "FiveHundred" in location:
            raise ContractBounce(f"{surface}: the portal rejected the request contract (anti-forgery/nonce)")
        raise PortalContractError(f"{surface}: unexpected redirect (HTTP {status})")
    if status in (401, 403):
        raise SessionExpired(f"{surface}: the portal answered {status}; sign in again")
    if status == 502 and "/mycare/v1.0/" in str(response.request.url):
        raise PortalContractError(f"{surface}: the /mycare gateway rejected the app header contract (502)")
    if status in RETRY_STATUSES:
        raise Retryable(f"HTTP {status}", retry_after(response))
    if status >= 400:
        raise PortalContractError(f"{surface}: HTTP {status}")
    content_type = response.headers.get("content-type", "").lower()
    if "html" in content_type and (expect_json or looks_like_sign_in(response.text)):
        raise SessionExpired(f"{surface}: the portal served an HTML page where JSON was expected")


def is_sign_in_redirect(location: str, identity_url: str) -> bool:
    if not location:
        return False
    target = urlsplit(location)
    identity_host = urlsplit(identity_url).netloc
    if target.netloc and target.netloc == identity_host and target.path.startswith("/as/"):
        return True
    if "identityauth." in target.netloc:
        return True
    return target.path.lower().startswith(_SIGN_IN_PATHS)


def retry_after(response: httpx2.Response) -> float | None:
    value = response.headers.get("retry-after")
    if value is None:
        return None
    try:
        return min(_MAX_RETRY_AFTER, max(0.0, float(value)))
    except ValueError:
        return None


def looks_like_sign_in(text: str) -> bool:
    """The Ping sign-in form or Epic's timed-out shell (for endpoints that legitimately answer HTML)."""
    lowered = text[:20000].lower()
    if "pf.username" in lowered or ("sign in" in lowered and "password" in lowered):
        return True
    return "session has timed out" in lowered or "authentication/login" in lowered


def json_body(response: httpx2.Response, surface: str, key: str) -> Any:
    """The parsed JSON of a 200, refusing 200s that carry the portal's own failure codes (§3.3)."""
    content_type = response.headers.get("content-type", "")
    if "json" not in content_type:
        raise MalformedPayload(surface, key, f"expected JSON, got {content_type or 'no content type'}")
    try:
        body = response.json()
    except ValueError as exc:
        raise MalformedPayload(surface, key, f"unparseable JSON ({exc.__class__.__name__})") from None
    reject_failure_codes(body, surface)
    return body


def reject_failure_codes(body: Any, surface: str) -> None:
    """Epic's ``{"error": N}`` and Kaiser's ``executionContext.statusCode`` other than ``"000"``."""
    if not isinstance(body, dict):
        return
    error = body.get("error")
    if isinstance(error, int) and not isinstance(error, bool) and error != 0:  # {"error": 0} is success
        raise PortalRejected(surface, f"error={error}")
    context = body.get("executionContext")
    if isinstance(context, dict) and "statusCode" in context:
        code = str(context.get("statusCode"))
        if code not in _SUCCESS_CODES:
            raise PortalRejected(surface, f"statusCode={code}")


# "8051" came back alongside full data with no message (§2.7): a warning, not a failure.
_SUCCESS_CODES = frozenset({"000", "8051"})
