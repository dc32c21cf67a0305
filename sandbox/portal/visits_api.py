"""The Visits page's lists (§2.10): ``LoadUpcoming`` and the paged ``LoadPast``.

Contracts: both need the anti-forgery header and Referer ``/mychartcn/Visits``. LoadUpcoming takes
``timeZone``, ``ComponentNumber`` and ``noCache`` and no body. LoadPast is a form post
(``serializedIndex=<top-level cursor>``, empty on page 1) with ``loadpast=1``, ``oldestRenderedDate``
as a UTC ISO instant with milliseconds and ``Z``, and ``numVisitsToRetrieve`` (default 10).
*Inferred:* a bad parameter, an unknown cursor, or the per-organization ``SerializedIndex`` (a JSON blob)
sent back as the cursor bounce to FiveHundred; the page size is capped at 100.
"""

from __future__ import annotations

import json
import re
import secrets
from typing import Any
from urllib.parse import parse_qs

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.patient.visits import ORG_ID
from sandbox.portal.signals import five_hundred
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard

__all__ = ["visits_routes"]

PAGE = "/mychartcn/Visits"
_UTC_MS = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z")
_DEFAULT_PAGE, _MAX_PAGE = 10, 100


def _past_page(past: tuple[dict[str, Any], ...], start: int, size: int, cursor: str) -> dict[str, Any]:
    page = list(past[start : start + size])
    more = start + size < len(past)
    oldest = page[-1] if page else None
    org_index = {"FromDAT": f"{54000 + start}.{len(page):02d}", "FromInst": oldest["Instant"] if oldest else ""}
    return {
        "ViewBagProperties": {},
        "SerializedIndex": cursor,
        "List": {
            ORG_ID: {
                "Organization": {"OrganizationId": ORG_ID, "Name": "Kaiser Permanente Northern California"},
                "List": page,
                "ListSize": len(page),
                "HasMoreData": more,
                "SerializedIndex": json.dumps(org_index, separators=(",", ":")),
            }
        },
        "CanSearch": False,
        "CanAllSearch": False,
        "CanSort": True,
    }


def visits_routes(state: PortalState) -> list[Route]:
    cursors: dict[str, int] = {}

    async def load_upcoming(request: Request) -> Response:
        guarded = guard(state, request, PAGE)
        if isinstance(guarded, Response):
            return guarded
        query = request.query_params
        if not query.get("timeZone") or not query.get("ComponentNumber", "").isdigit():
            return five_hundred(request, "upcoming_query")
        return JSONResponse(state.config.patient.visits.upcoming)

    async def load_past(request: Request) -> Response:
        guarded = guard(state, request, PAGE)
        if isinstance(guarded, Response):
            return guarded
        query = request.query_params
        if query.get("loadpast") != "1" or not _UTC_MS.fullmatch(query.get("oldestRenderedDate", "")):
            return five_hundred(request, "past_query")
        size_text = query.get("numVisitsToRetrieve", str(_DEFAULT_PAGE))
        if not size_text.isdigit() or int(size_text) < 1:
            return five_hundred(request, "past_page_size")
        if "form-urlencoded" not in request.headers.get("content-type", ""):
            return five_hundred(request, "past_content_type")
        form = parse_qs((await request.body()).decode("utf-8", "replace"), keep_blank_values=True)
        index = (form.get("serializedIndex") or [""])[0]
        start = 0 if index == "" else cursors.get(index)
        if start is None:
            return five_hundred(request, "past_cursor")
        size = min(int(size_text), _MAX_PAGE)
        cursor = "WP-24" + secrets.token_urlsafe(24)
        cursors[cursor] = start + size
        return JSONResponse(_past_page(state.config.patient.visits.past, start, size, cursor))

    return [
        Route("/mychartcn/Visits/VisitsList/LoadUpcoming", load_upcoming, methods=["POST"]),
        Route("/mychartcn/Visits/VisitsList/LoadPast", load_past, methods=["POST"]),
    ]
