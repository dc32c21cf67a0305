"""The MyChart test-results surface: anti-forgery token, the page with its CSP nonce, GetList, GetDetails.

Contract (§1.6, §2.6): both POSTs need the ``__RequestVerificationToken`` header issued to this
session; GetDetails also needs a ``PageNonce`` from a recent test-results page load. Breaking the
contract bounces to FiveHundred; a dead session redirects to the identity host.
"""

from __future__ import annotations

import json
import logging

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sandbox.portal import pages
from sandbox.portal.results_list import build_result_list
from sandbox.portal.signals import current_session, five_hundred, identity_redirect
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard, json_object

__all__ = ["results_routes"]

logger = logging.getLogger("fhirgate.sandbox.portal")


class _TestResults:
    """The test-results endpoints, one method each, over what they share: the portal state and the patient's
    result details by order key."""

    def __init__(self, state: PortalState) -> None:
        self.state = state
        self.details = {order.key: order.detail for order in state.config.patient.lab_orders}

    def routes(self) -> list[Route]:
        return [
            Route("/mychartcn/Home/CSRFToken", self.csrf_token, methods=["GET"]),
            Route("/mychartcn/app/test-results", self.page, methods=["GET"]),
            Route("/mychartcn/api/test-results/GetList", self.get_list, methods=["POST"]),
            Route("/mychartcn/api/test-results/GetDetails", self.get_details, methods=["POST"]),
        ]

    async def csrf_token(self, request: Request) -> Response:
        session = current_session(self.state, request)
        if session is None:
            return identity_redirect(self.state, request)
        return HTMLResponse(pages.csrf_fragment(session.issue_csrf_token(self.state.sessions.now())))

    async def page(self, request: Request) -> Response:
        session = current_session(self.state, request)
        if session is None:
            return identity_redirect(self.state, request)
        nonce = session.issue_page_nonce()
        response = HTMLResponse(pages.lab_results_page(nonce))
        response.headers["Content-Security-Policy"] = f"script-src 'nonce-{nonce}' 'strict-dynamic'"
        return response

    async def get_list(self, request: Request) -> Response:
        guarded = guard(self.state, request)
        if isinstance(guarded, Response):
            return guarded
        body = await json_object(request)
        if body is None:
            # Inferred: a body the MVC action cannot bind lands on the generic error page.
            return five_hundred(request, "unreadable_body")
        max_results = body.get("maxResults", 50)
        if not isinstance(max_results, int) or isinstance(max_results, bool):
            return five_hundred(request, "bad_max_results")
        listing = build_result_list(
            self.state.config.patient.lab_orders,
            group_type=str(body.get("groupType", "ORDER")),
            search=str(body.get("searchString") or ""),
            max_results=max_results,
        )
        return JSONResponse(listing)

    async def get_details(self, request: Request) -> Response:
        guarded = guard(self.state, request)
        if isinstance(guarded, Response):
            return guarded
        body = await json_object(request)
        if body is None or not guarded.accepts_page_nonce(body.get("PageNonce")):
            return five_hundred(request, "page_nonce")
        order_key = str(body.get("orderKey", ""))
        detail = self.details.get(order_key)
        if detail is None:
            # Inferred: the real answer for an unknown key was never captured.
            return JSONResponse({"error": "unknown orderKey"}, status_code=404)
        if order_key in self.state.config.faults.malformed_detail_keys:
            text = json.dumps(detail)
            logger.info("fault malformed_detail served")
            return Response(text[: len(text) // 2], media_type="application/json")
        return JSONResponse(detail)


def results_routes(state: PortalState) -> list[Route]:
    return _TestResults(state).routes()
