"""kp.org's side of sign-in and Epic's session bootstrap, plus keepalive and the error page.

Chain after the identity host: ``/pa/oidc/cb`` (session + cookies) -> ``/secure/inner-door`` ->
``/mychartcn/Home`` -> ``Authentication/Login`` -> ``default.asp?token=<one-time GUID>`` ->
``inside.asp`` -> ``/mychartcn/Home?lang=en-US`` (200: the success marker). The real chain has a
few more Epic hops (``logincheck.asp``, ``Home/HandleRedirect``); they are folded away here.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from sandbox.portal import pages
from sandbox.portal.cookies import set_epic_ticket, set_session_cookies
from sandbox.portal.signals import (
    current_session,
    five_hundred,
    identity_redirect,
    redirect,
)
from sandbox.portal.state import PortalState

__all__ = ["bootstrap_routes"]

logger = logging.getLogger("fhirgate.sandbox.portal")

HOME_PATH = "/mychartcn/Home"


def bootstrap_routes(state: PortalState) -> list[Route]:
    async def sign_on(request: Request) -> Response:
        return redirect(request, "/secure/inner-door")

    async def inner_door(request: Request) -> Response:
        # The kp.org gatekeeper: signed in -> MyChart, otherwise off to the identity host.
        if current_session(state, request) is None:
            return identity_redirect(state, request)
        return redirect(request, HOME_PATH)

    async def oidc_callback(request: Request) -> Response:
        code = request.query_params.get("code", "")
        oauth_state = request.query_params.get("state", "")
        username = state.ledger.redeem(code, oauth_state)
        if username is None:
            logger.info("oidc callback rejected: unknown code or state")
            body = pages.sign_in_dead_page("This sign-in link is no longer valid. Please sign in again.")
            return HTMLResponse(body, status_code=400)
        session = state.sessions.create(username)
        response = redirect(request, "/secure/inner-door")
        set_session_cookies(response, session)
        return response

    async def home(request: Request) -> Response:
        session = current_session(state, request)
        if session is None:
            return identity_redirect(state, request)
        if not session.epic_ready:
            postlogin = quote(f"{HOME_PATH}?lang=en-US", safe="")
            return redirect(request, f"/mychartcn/Authentication/Login?postloginurl={postlogin}")
        return HTMLResponse(pages.dashboard_page(state.display_name(session)))

    async def epic_login(request: Request) -> Response:
        session = current_session(state, request)
        if session is None:
            return identity_redirect(state, request)
        token = session.issue_handoff()
        return redirect(request, f"/mychartcn/default.asp?token={token}&js=1&canSetCookie=1&lang=en-US")

    async def epic_default(request: Request) -> Response:
        session = current_session(state, request)
        if session is None:
            return identity_redirect(state, request)
        if not session.redeem_handoff(request.query_params.get("token", "")):
            # Inferred: what Epic does with a replayed hand-off token was never captured.
            return five_hundred(request, "bad_handoff_token")
        session.epic_ready = True
        response = redirect(request, "/mychartcn/inside.asp?lang=en-US")
        set_epic_ticket(response)
        return response

    async def epic_inside(request: Request) -> Response:
        if current_session(state, request) is None:
            return identity_redirect(state, request)
        return redirect(request, f"{HOME_PATH}?lang=en-US")

    async def keepalive(request: Request) -> Response:
        if current_session(state, request) is None:
            return identity_redirect(state, request)
        return HTMLResponse(pages.keepalive_page())

    async def error_page(request: Request) -> Response:
        # 200, not 500: the real page's status after the bounce was not captured, and a redirect-following
        # client then sees "HTML where JSON was expected" (§1.4), which is the case to exercise.
        return HTMLResponse(pages.five_hundred_page())

    return [
        Route("/sign-on", sign_on, methods=["GET"]),
        Route("/secure/inner-door", inner_door, methods=["GET"]),
        Route("/pa/oidc/cb", oidc_callback, methods=["GET"]),
        Route(HOME_PATH, home, methods=["GET"]),
        Route("/mychartcn/Authentication/Login", epic_login, methods=["GET"]),
        Route("/mychartcn/default.asp", epic_default, methods=["GET"]),
        Route("/mychartcn/inside.asp", epic_inside, methods=["GET"]),
        Route("/mychartcn/keepalive.asp", keepalive, methods=["GET"]),
        Route("/mychartcn/Home/KeepAlive", keepalive, methods=["GET"]),
        Route("/mychartcn/Home/FiveHundred", error_page, methods=["GET"]),
    ]
