"""``api/implants/GetImplants`` (§2.12): CSRF, Referer ``/mychartcn/app/implants``, body ``{}``, no paging."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.portal.signals import five_hundred
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard, json_object

__all__ = ["implants_routes"]


def implants_routes(state: PortalState) -> list[Route]:
    async def get_implants(request: Request) -> Response:
        guarded = guard(state, request, "/mychartcn/app/implants")
        if isinstance(guarded, Response):
            return guarded
        if await json_object(request) is None:
            return five_hundred(request, "unreadable_body")
        return JSONResponse(state.config.patient.implants)

    return [Route("/mychartcn/api/implants/GetImplants", get_implants, methods=["POST"])]
