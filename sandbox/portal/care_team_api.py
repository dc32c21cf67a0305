"""The care team (§2.3): ``POST Clinical/CareTeam/Load`` and ``LoadExternal``.

Contract: the XHR guard (session, anti-forgery header, Referer ``/mychartcn/clinical/careteam``), an
empty body with the parameters in the query string. *Inferred:* a request with a body, or without
``ComponentNumber`` in the query, cannot bind and lands on FiveHundred.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.portal.signals import five_hundred
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard

__all__ = ["care_team_routes"]

PAGE = "/mychartcn/clinical/careteam"


def care_team_routes(state: PortalState) -> list[Route]:
    def endpoint(payload: dict[str, Any], *, standalone: bool) -> Any:
        async def handler(request: Request) -> Response:
            guarded = guard(state, request, PAGE)
            if isinstance(guarded, Response):
                return guarded
            if await request.body():
                return five_hundred(request, "body_not_empty")
            if "ComponentNumber" not in request.query_params:
                return five_hundred(request, "missing_query")
            if standalone and request.query_params.get("isPrimaryStandalone") != "true":
                return five_hundred(request, "missing_query")
            return JSONResponse(payload)

        return handler

    patient = state.config.patient
    return [
        Route("/mychartcn/Clinical/CareTeam/Load", endpoint(patient.care_team, standalone=True), methods=["POST"]),
        Route(
            "/mychartcn/Clinical/CareTeam/LoadExternal",
            endpoint(patient.care_team_external, standalone=False),
            methods=["POST"],
        ),
    ]
