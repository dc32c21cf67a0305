"""Cookie names (the real ones, KAISER_API.md §1.3) and how the portal sets them.

Cookies are host-only (one loopback origin serves every kp.org host) and never ``Secure``, since
the sandbox speaks plain HTTP.
"""

from __future__ import annotations

import secrets

from starlette.responses import Response

from sandbox.portal.sessions import PortalSession

__all__ = [
    "DEVICE_TRUST_COOKIE",
    "EPIC_TICKET_COOKIE",
    "SESSION_COOKIE",
    "set_device_trust",
    "set_epic_ticket",
    "set_ping_session",
    "set_session_cookies",
]

SESSION_COOKIE = "MyChartSessionToken4mychartcn"
ACCESS_COOKIE = "MyChartAccessToken4mychartcn"
EPIC_TICKET_COOKIE = "MyChartNetAuthenticationTicket4mychartcn"
DEVICE_TRUST_COOKIE = "PF.PERSISTENT"
PING_SESSION_COOKIE = "PF"

_DEVICE_TRUST_SECONDS = 180 * 24 * 3600


def set_session_cookies(response: Response, session: PortalSession) -> None:
    """The cookies ``/pa/oidc/cb`` sets once the sign-in is complete."""
    http_only = {
        SESSION_COOKIE: session.token,
        ACCESS_COOKIE: session.access_token,
        "KPSessionId": session.kp_session_id,
        "MyChart_Session": secrets.token_hex(16),
        "HSESSIONID": secrets.token_hex(12),
        "ImpSessionRoP": "0",
    }
    for name, value in http_only.items():
        response.set_cookie(name, value, path="/", httponly=True, samesite="lax")
    # Read by the page scripts, so not HttpOnly.
    for name in ("isAuth", "isSignedOn"):
        response.set_cookie(name, "true", path="/", samesite="lax")


def set_epic_ticket(response: Response) -> None:
    """The cookie Epic's own bootstrap (``default.asp``) adds."""
    response.set_cookie(EPIC_TICKET_COOKIE, secrets.token_hex(24), path="/", httponly=True, samesite="lax")


def set_ping_session(response: Response) -> None:
    """Ping's own session cookie, set when a sign-in attempt succeeds."""
    response.set_cookie(PING_SESSION_COOKIE, secrets.token_urlsafe(24), path="/", httponly=True, samesite="lax")


def set_device_trust(response: Response, value: str) -> None:
    """The long-lived device-trust cookie that lets later sign-ins skip MFA."""
    response.set_cookie(
        DEVICE_TRUST_COOKIE, value, max_age=_DEVICE_TRUST_SECONDS, path="/", httponly=True, samesite="lax"
    )
