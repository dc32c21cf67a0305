"""``Clinical/HealthIssues/LoadListData`` (§2.8), and the ``LoadListData`` contract allergies share (§2.9).

Contract: POST with query ``csn=undefined`` (the literal string), an integer ``ComponentNumber`` and
``noCache``; a JSON object body (``{}``); the anti-forgery header; Referer the owning page. *Inferred:*
a missing or wrong query parameter or an unbindable body bounces to FiveHundred like a bad token.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.portal.signals import five_hundred
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard, json_object

__all__ = ["list_data_route", "problems_routes"]


def list_data_route(state: PortalState, page: str, payload: Callable[[], dict[str, Any]]) -> Route:
    """``POST /mychartcn/<page>/LoadListData`` answering ``payload()``."""

    async def load_list_data(request: Request) -> Response:
        guarded = guard(state, request, f"/mychartcn/{page}")
        if isinstance(guarded, Response):
            return guarded
        query = request.query_params
        if query.get("csn") != "undefined" or not query.get("ComponentNumber", "").isdigit():
            return five_hundred(request, "list_data_query")
        if "noCache" not in query:
            return five_hundred(request, "list_data_cache_buster")
        if await json_object(request) is None:
            return five_hundred(request, "unreadable_body")
        return JSONResponse(payload())

    return Route(f"/mychartcn/{page}/LoadListData", load_list_data, methods=["POST"])


def problems_routes(state: PortalState) -> list[Route]:
    return [list_data_route(state, "Clinical/HealthIssues", lambda: state.config.patient.problem_list)]
