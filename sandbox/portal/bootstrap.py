"""kp.org's side of sign-in and Epic's session bootstrap, plus keepalive and the error page.

Chain after the identity host: ``/pa/oidc/cb`` (session + cookies) -> ``/secure/inner-door`` ->
``/mychartcn/Home`` -> ``Authentication/Login`` -> ``default.asp?token=<one-time GUID>`` ->
``inside.asp`` -> ``/mychartcn/Home?lang=en-US`` (200: the success marker). The real chain has a
few more Epic hops (``logincheck.asp``, ``Home/HandleRedirect``); they are folded away here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from sandbox.portal import pages
from sandbox.portal.cookies import set_epic_ticket, set_session_cookies
from sandbox.portal.sessions import PortalSession
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
Handler = Callable[[Request, PortalSession], Awaitable[Response]]


class _Bootstrap:
    """The sign-in and session-bootstrap endpoints, one method each; those that need a live session get it
    from ``signed_in``."""

    def __init__(self, state: PortalState) -> None:
        self.state = state

    def routes(self) -> list[Route]:
        keepalive = self.signed_in(self.keepalive)
        return [
            Route("/sign-on", self.sign_on, methods=["GET"]),
            Route("/secure/inner-door", self.signed_in(self.inner_door), methods=["GET"]),
            Route("/pa/oidc/cb", self.oidc_callback, methods=["GET"]),
            Route(HOME_PATH, self.signed_in(self.home), methods=["GET"]),
            Route("/mychartcn/Authentication/Login", self.signed_in(self.epic_login), methods=["GET"]),
            Route("/mychartcn/default.asp", self.signed_in(self.epic_default), methods=["GET"]),
            Route("/mychartcn/inside.asp", self.signed_in(self.epic_inside), methods=["GET"]),
            Route("/mychartcn/keepalive.asp", keepalive, methods=["GET"]),
            Route("/mychartcn/Home/KeepAlive", keepalive, methods=["GET"]),
            Route("/mychartcn/Home/FiveHundred", self.error_page, methods=["GET"]),
        ]

    def signed_in(self, handler: Handler) -> Callable[[Request], Awaitable[Response]]:
        """``handler`` given the live session; without one, off to the identity host."""

        async def endpoint(request: Request) -> Response:
            session = current_session(self.state, request)
            if session is None:
                return identity_redirect(self.state, request)
            return await handler(request, session)

        return endpoint

    async def sign_on(self, request: Request) -> Response:
        return redirect(request, "/secure/inner-door")

    async def inner_door(self, request: Request, session: PortalSession) -> Response:
        # The kp.org gatekeeper: signed in -> MyChart, otherwise (signed_in) off to the identity host.
        return redirect(request, HOME_PATH)

    async def oidc_callback(self, request: Request) -> Response:
        code = request.query_params.get("code", "")
        oauth_state = request.query_params.get("state", "")
        username = self.state.ledger.redeem(code, oauth_state)
        if username is None:
            logger.info("oidc callback rejected: unknown code or state")
            body = pages.sign_in_dead_page("This sign-in link is no longer valid. Please sign in again.")
            return HTMLResponse(body, status_code=400)
        session = self.state.sessions.create(username)
        response = redirect(request, "/secure/inner-door")
        set_session_cookies(response, session)
        return response

    async def home(self, request: Request, session: PortalSession) -> Response:
        if not session.epic_ready:
            postlogin = quote(f"{HOME_PATH}?lang=en-US", safe="")
            return redirect(request, f"/mychartcn/Authentication/Login?postloginurl={postlogin}")
        return HTMLResponse(pages.dashboard_page(self.state.display_name(session)))

    async def epic_login(self, request: Request, session: PortalSession) -> Response:
        token = session.issue_handoff()
        return redirect(request, f"/mychartcn/default.asp?token={token}&js=1&canSetCookie=1&lang=en-US")

    async def epic_default(self, request: Request, session: PortalSession) -> Response:
        if not session.redeem_handoff(request.query_params.get("token", "")):
            # Inferred: what Epic does with a replayed hand-off token was never captured.
            return five_hundred(request, "bad_handoff_token")
        session.epic_ready = True
        response = redirect(request, "/mychartcn/inside.asp?lang=en-US")
        set_epic_ticket(response)
        return response

    async def epic_inside(self, request: Request, session: PortalSession) -> Response:
        return redirect(request, f"{HOME_PATH}?lang=en-US")

    async def keepalive(self, request: Request, session: PortalSession) -> Response:
        return HTMLResponse(pages.keepalive_page())

    async def error_page(self, request: Request) -> Response:
        # 200, not 500: the real page's status after the bounce was not captured, and a redirect-following
        # client then sees "HTML where JSON was expected" (§1.4), which is the case to exercise.
        return HTMLResponse(pages.five_hundred_page())


def bootstrap_routes(state: PortalState) -> list[Route]:
    return _Bootstrap(state).routes()
