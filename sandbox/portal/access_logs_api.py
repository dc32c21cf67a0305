"""Access logs (§2.5): ``POST api/access-logs/GetPortalAccessLogEntries`` and ``GetThirdPartyAccessLogEntries``.

Contract: the XHR guard (Referer ``/mychartcn/app/access-logs?lang=en-US&from=landingpage``), a JSON body
``{"startingLine": N}`` (-1 = newest page), 50 entries a page. Lines are numbered from the oldest entry
(1) up; ``nextLineToParse`` is the line to read next going back, 0 when nothing older remains (*inferred*).
Quirk kept: from its second page on, the third-party log answers the cursor it was given again, so
nothing beyond two pages is reachable.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.portal.signals import five_hundred
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard, json_object

__all__ = ["PAGE_SIZE", "access_logs_routes", "log_page"]

PAGE = "/mychartcn/app/access-logs"
PAGE_QUERY = {"lang": "en-US", "from": "landingpage"}
PAGE_SIZE = 50


def log_page(entries: list[dict[str, Any]], starting_line: int, *, repeat_cursor: bool) -> dict[str, Any]:
    """One page of a newest-first log for ``startingLine`` (-1 = the newest line)."""
    total = len(entries)
    top = total if starting_line < 0 else min(starting_line, total)
    first_index = total - top  # entries[0] is line ``total``
    page = entries[first_index : first_index + PAGE_SIZE]
    next_line = max(0, top - len(page))
    if repeat_cursor and starting_line >= 0 and next_line > 0:
        next_line = starting_line
    return {"entries": page, "nextLineToParse": next_line}


def access_logs_routes(state: PortalState) -> list[Route]:
    def endpoint(log_name: str, *, repeat_cursor: bool) -> Any:
        async def handler(request: Request) -> Response:
            guarded = guard(state, request, PAGE, PAGE_QUERY)
            if isinstance(guarded, Response):
                return guarded
            body = await json_object(request)
            starting = None if body is None else body.get("startingLine")
            if not isinstance(starting, int) or isinstance(starting, bool):
                return five_hundred(request, "bad_starting_line")
            entries = state.config.patient.access_logs.get(log_name, [])
            return JSONResponse(log_page(entries, starting, repeat_cursor=repeat_cursor))

        return handler

    return [
        Route(
            "/mychartcn/api/access-logs/GetPortalAccessLogEntries",
            endpoint("portal", repeat_cursor=False),
            methods=["POST"],
        ),
        Route(
            "/mychartcn/api/access-logs/GetThirdPartyAccessLogEntries",
            endpoint("third_party", repeat_cursor=True),
            methods=["POST"],
        ),
    ]
