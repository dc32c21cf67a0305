"""The relationships roster (§2.2): ``POST Demographics/Relationships/GetRelationshipList``.

Contract: the XHR guard (session, anti-forgery header, Referer ``/mychartcn/AdvancedCarePlanning``) and
a form-encoded body. *Inferred:* a JSON or empty body cannot bind to the MVC action and lands on
FiveHundred; without ``disableUTF8=true`` the category ``Title`` keeps its accents.
"""

from __future__ import annotations

import copy
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.portal.signals import five_hundred
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard

__all__ = ["relationships_routes"]

PAGE = "/mychartcn/AdvancedCarePlanning"
_FORM = "application/x-www-form-urlencoded"


def _with_utf8_titles(roster: dict[str, Any]) -> dict[str, Any]:
    unfolded = copy.deepcopy(roster)
    for category in unfolded.get("CategoryData", {}).values():
        for item in category.get("CategoryItems", []):
            item["Title"] = item.get("TitleUtf8", item["Title"])
    return unfolded


def relationships_routes(state: PortalState) -> list[Route]:
    async def get_relationship_list(request: Request) -> Response:
        guarded = guard(state, request, PAGE)
        if isinstance(guarded, Response):
            return guarded
        if not request.headers.get("content-type", "").startswith(_FORM):
            return five_hundred(request, "not_form_encoded")
        form = parse_qs((await request.body()).decode("utf-8", "replace"))
        roster = state.config.patient.relationships
        if form.get("disableUTF8") != ["true"]:
            roster = _with_utf8_titles(roster)
        if form.get("getEOLDocs") != ["true"]:
            roster = {key: value for key, value in roster.items() if key != "EndOfLifeDocuments"}
        return JSONResponse(roster)

    return [
        Route("/mychartcn/Demographics/Relationships/GetRelationshipList", get_relationship_list, methods=["POST"]),
    ]
