"""Upcoming orders (§2.13): the home feed that names them, their page (CSP nonce), and GetUpcomingOrders.

Contracts: ``MixedItemFeed`` is a form POST with the anti-forgery header and Referer ``/mychartcn/Home``
(a GET goes to ``/Home/FourOhFour``; a missing token to ``/Home/FiveHundred?aspxerrorpath=...``).
``app/upcoming-orders`` needs ``ordid`` (else it redirects home) and issues a page nonce.
``GetUpcomingOrders`` needs the token, the nonce as ``PageNonce`` and Referer the orders page.
"""

from __future__ import annotations

import logging
from html import escape
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sandbox.portal.signals import current_session, five_hundred, identity_redirect, redirect
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import anti_forgery_ok, guard, json_object

__all__ = ["orders_routes"]

logger = logging.getLogger("fhirgate.sandbox.portal")

PAGE = "/mychartcn/app/upcoming-orders"


def _page(nonce: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Upcoming Orders</title></head>\n'
        f'<body><div id="react-root"></div>\n<script nonce="{escape(nonce)}">window.__pageConfig = '
        '{"page": "upcoming-orders"};</script></body></html>\n'
    )


class _UpcomingOrders:
    """The upcoming-orders endpoints, one method each, over what they share: the portal state and the
    patient's upcoming orders (feed and order list)."""

    def __init__(self, state: PortalState) -> None:
        self.state = state
        self.orders = state.config.patient.upcoming_orders

    def routes(self) -> list[Route]:
        return [
            Route("/mychartcn/MixedItemFeed", self.feed, methods=["GET", "POST"]),
            Route(PAGE, self.page, methods=["GET"]),
            Route("/mychartcn/api/upcoming-orders/GetUpcomingOrders", self.get_upcoming_orders, methods=["POST"]),
        ]

    async def feed(self, request: Request) -> Response:
        if request.method == "GET":
            return redirect(request, "/mychartcn/Home/FourOhFour")
        session = current_session(self.state, request)
        if session is None:
            return identity_redirect(self.state, request)
        if not anti_forgery_ok(self.state, session, request):
            logger.info("request rejected path=%s reason=anti_forgery -> FiveHundred", request.url.path)
            return redirect(request, f"/mychartcn/Home/FiveHundred?aspxerrorpath={quote(request.url.path)}")
        guarded = guard(self.state, request, "/mychartcn/Home")
        if isinstance(guarded, Response):
            return guarded
        if "form-urlencoded" not in request.headers.get("content-type", ""):
            return five_hundred(request, "feed_content_type")
        return JSONResponse(self.orders.feed)

    async def page(self, request: Request) -> Response:
        session = current_session(self.state, request)
        if session is None:
            return identity_redirect(self.state, request)
        if not request.query_params.get("ordid"):
            return redirect(request, "/mychartcn/Home")
        nonce = session.issue_page_nonce()
        response = HTMLResponse(_page(nonce))
        response.headers["Content-Security-Policy"] = f"script-src 'nonce-{nonce}' 'strict-dynamic'"
        return response

    async def get_upcoming_orders(self, request: Request) -> Response:
        body = await json_object(request)
        if body is None:
            return five_hundred(request, "unreadable_body")
        selected = str(body.get("selectedOrderID") or "")
        guarded = guard(self.state, request, PAGE, {"ordid": selected})
        if isinstance(guarded, Response):
            return guarded
        if not guarded.accepts_page_nonce(body.get("PageNonce")):
            return five_hundred(request, "page_nonce")
        if selected not in self.orders.orders.get("orderList", {}):
            return JSONResponse({"error": "unknown order"}, status_code=404)  # inferred
        return JSONResponse(self.orders.orders)


def orders_routes(state: PortalState) -> list[Route]:
    return _UpcomingOrders(state).routes()
