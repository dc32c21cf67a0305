"""The message center (§2.4): the page with its CSP nonce, folders, the thread list with its timestamp
cursor, thread details, and the two-step attachment download (§2.4.4).

Contract: every ``api/conversations/*`` call needs the XHR guard (Referer
``/mychartcn/app/communication-center``) and a ``PageNonce`` in its JSON body from a recent page load;
``GetDocumentDetailsLegacy`` needs the guard but no nonce; the download needs only the session.
"""

from __future__ import annotations

import logging
from html import escape
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from sandbox.portal.message_list import conversation_page
from sandbox.portal.signals import current_session, five_hundred, identity_redirect
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard, json_object

__all__ = ["messages_routes"]

logger = logging.getLogger("fhirgate.sandbox.portal")

PAGE = "/mychartcn/app/communication-center"
_API = "/mychartcn/api/conversations"


def _page(nonce: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Message Center | Kaiser Permanente '
        f'(sandbox)</title><style nonce="{escape(nonce)}">#react-root{{min-height:100%}}</style></head>\n'
        '<body><div id="react-root"></div>\n'
        f'<script nonce="{escape(nonce)}">window.__pageConfig = {{"page": "communication-center"}};</script>'
        "</body></html>\n"
    )


def messages_routes(state: PortalState) -> list[Route]:
    center = state.config.patient.message_center
    by_id = {thread["conversation"]["hthId"]: thread["conversation"] for thread in center.get("threads", [])}
    documents: dict[str, Any] = center.get("documents", {})

    async def _nonced(request: Request) -> dict[str, Any] | Response:
        guarded = guard(state, request, PAGE)
        if isinstance(guarded, Response):
            return guarded
        body = await json_object(request)
        if body is None or not guarded.accepts_page_nonce(body.get("PageNonce")):
            return five_hundred(request, "page_nonce")
        return body

    async def page(request: Request) -> Response:
        session = current_session(state, request)
        if session is None:
            return identity_redirect(state, request)
        nonce = session.issue_page_nonce()
        response = HTMLResponse(_page(nonce))
        response.headers["Content-Security-Policy"] = f"script-src 'nonce-{nonce}' 'strict-dynamic'"
        return response

    async def folders(request: Request) -> Response:
        body = await _nonced(request)
        if isinstance(body, Response):
            return body
        listing = []
        for tag in center.get("folders", ()):
            inside = [t for t in center.get("threads", []) if t["folder"] == tag]
            unread = sum(1 for t in inside if t["conversation"]["tags"].get("Unread"))
            listing.append({"tag": tag, "totalCount": len(inside), "badgeCount": unread})
        return JSONResponse(listing)

    async def conversation_list(request: Request) -> Response:
        body = await _nonced(request)
        if isinstance(body, Response):
            return body
        tag, params = body.get("tag"), body.get("localLoadParams")
        if not isinstance(tag, int) or not isinstance(params, dict):
            return five_hundred(request, "bad_list_body")
        return JSONResponse(
            conversation_page(
                center,
                tag=tag,
                cursor=str(params.get("loadStartInstantISO") or ""),
                search=str(body.get("searchQuery") or ""),
            )
        )

    async def details(request: Request) -> Response:
        body = await _nonced(request)
        if isinstance(body, Response):
            return body
        conversation = by_id.get(str(body.get("id", "")))
        if conversation is None:
            # Inferred: the real answer for an unknown thread id was never captured.
            return JSONResponse({"error": "unknown conversation"}, status_code=404)
        return JSONResponse(conversation)

    async def document_details(request: Request) -> Response:
        guarded = guard(state, request, PAGE)
        if isinstance(guarded, Response):
            return guarded
        body = await json_object(request)
        document = documents.get(str((body or {}).get("dcsId", "")))
        if document is None:
            return JSONResponse({"error": "unknown document"}, status_code=404)  # inferred
        return JSONResponse(document["details"])

    async def download(request: Request) -> Response:
        if current_session(state, request) is None:
            return identity_redirect(state, request)
        document = documents.get(request.query_params.get("dcsid", ""))
        if document is None:
            return Response(status_code=404)  # inferred
        details = document["details"]
        return Response(
            document["content"],
            media_type=details["mimeType"],
            headers={"Content-Disposition": f'attachment; filename="{details["displayName"]}"'},
        )

    return [
        Route(PAGE, page, methods=["GET"]),
        Route(f"{_API}/GetFoldersList", folders, methods=["POST"]),
        Route(f"{_API}/GetConversationList", conversation_list, methods=["POST"]),
        Route(f"{_API}/GetConversationDetails", details, methods=["POST"]),
        Route("/mychartcn/api/documents/viewer/GetDocumentDetailsLegacy", document_details, methods=["POST"]),
        Route("/mychartcn/Documents/ViewDocument/Download", download, methods=["GET"]),
    ]
