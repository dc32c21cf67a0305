"""The MyChart XHR contract the clinical surfaces check, in the portal's order (§1.4, §1.6, §1.7).

A dead session redirects to the identity host; a missing or unknown ``__RequestVerificationToken``
header, or a ``Referer`` other than the page that owns the call, bounces to FiveHundred. *Inferred:*
the Referer check (KAISER_API.md says tokens are scoped to the Referer page, §2.11; the sandbox
enforces the pairing on the POST's own Referer).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs, urlsplit

from starlette.requests import Request
from starlette.responses import Response

from sandbox.portal.sessions import PortalSession
from sandbox.portal.signals import current_session, five_hundred, identity_redirect
from sandbox.portal.state import PortalState

__all__ = ["CSRF_HEADER", "anti_forgery_ok", "guard", "json_object", "referer_matches"]

CSRF_HEADER = "__RequestVerificationToken"


def referer_matches(request: Request, page_path: str, query: Mapping[str, str] | None = None) -> bool:
    """True when the Referer is ``page_path`` on any origin, carrying every ``query`` pair."""
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.path != page_path:
        return False
    params = parse_qs(referer.query)
    return all(params.get(name) == [value] for name, value in (query or {}).items())


def anti_forgery_ok(state: PortalState, session: PortalSession, request: Request) -> bool:
    """Whether the request's ``__RequestVerificationToken`` header was issued to ``session`` (and is young
    enough for the ``csrf_max_age`` fault switch)."""
    token = request.headers.get(CSRF_HEADER)
    return session.accepts_csrf(token, state.sessions.now(), state.config.faults.csrf_max_age)


def guard(
    state: PortalState, request: Request, page_path: str | None = None, query: Mapping[str, str] | None = None
) -> PortalSession | Response:
    """The live session behind ``request``, or the response the portal gives a broken contract; the Referer
    is checked against ``page_path`` only when one is given (test results and compose do not check it)."""
    session = current_session(state, request)
    if session is None:
        return identity_redirect(state, request)
    if not anti_forgery_ok(state, session, request):
        return five_hundred(request, "anti_forgery")
    if page_path is not None and not referer_matches(request, page_path, query):
        return five_hundred(request, "referer")
    return session


async def json_object(request: Request) -> dict[str, Any] | None:
    """The JSON object body, or None when the MVC action could not bind it."""
    try:
        body = json.loads(await request.body())
    except ValueError:
        return None
    return body if isinstance(body, dict) else None
