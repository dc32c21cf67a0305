"""The responses that tell a client what went wrong, exactly as kp.org signals it (§1.4).

- session dead on ``/mychartcn/*`` or ``/mycare/*``: 302 to the identity host's authorization URL;
- anti-forgery or request-contract failure on ``/mychartcn/*``: 302 to ``/mychartcn/Home/FiveHundred``.
"""

from __future__ import annotations

import logging
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse

from sandbox.portal.cookies import SESSION_COOKIE
from sandbox.portal.sessions import PortalSession
from sandbox.portal.state import PortalState

__all__ = [
    "CLIENT_ID",
    "authorization_url",
    "current_session",
    "five_hundred",
    "identity_redirect",
    "origin",
    "redirect",
]

logger = logging.getLogger("fhirgate.sandbox.portal")

CLIENT_ID = "KPORGOauthClientPAWebSessionV1"
FIVE_HUNDRED_PATH = "/mychartcn/Home/FiveHundred"


def origin(request: Request) -> str:
    """The sandbox's own base URL (it plays every kp.org host)."""
    return str(request.base_url).rstrip("/")


def redirect(request: Request, path: str) -> RedirectResponse:
    """A 302 to an absolute URL on this origin."""
    return RedirectResponse(origin(request) + path, status_code=302)


def authorization_url(state: PortalState, request: Request) -> str:
    """A fresh authorization request, as kp.org's OAuth client builds it."""
    base = origin(request)
    query = urlencode(
        {
            "response_type": "code",
            "client_id": CLIENT_ID,
            "redirect_uri": f"{base}/pa/oidc/cb",
            "scope": "openid",
            "state": state.ledger.issue_state(),
            "nonce": state.ledger.issue_nonce(),
        }
    )
    return f"{base}/as/authorization.oauth2?{query}"


def identity_redirect(state: PortalState, request: Request) -> RedirectResponse:
    """The unambiguous session-dead signal."""
    logger.info("no live session path=%s -> identity", request.url.path)
    return RedirectResponse(authorization_url(state, request), status_code=302)


def five_hundred(request: Request, reason: str) -> RedirectResponse:
    """The anti-forgery / contract bounce (not an expiry)."""
    logger.info("request rejected path=%s reason=%s -> FiveHundred", request.url.path, reason)
    return redirect(request, FIVE_HUNDRED_PATH)


def current_session(state: PortalState, request: Request) -> PortalSession | None:
    """The live session behind the request's cookies (refreshing it), or None."""
    return state.sessions.active(request.cookies.get(SESSION_COOKIE))
