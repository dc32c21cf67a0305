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
from sandbox.portal.sessions import PortalSession
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


class _MessageCenter:
    """The message-center endpoints, one method each, over what they share: the patient's message center,
    its threads by id and its attachment documents."""

    def __init__(self, state: PortalState) -> None:
        self.state = state
        self.center = state.config.patient.message_center
        self.by_id = {t["conversation"]["hthId"]: t["conversation"] for t in self.center.get("threads", [])}
        self.documents: dict[str, Any] = self.center.get("documents", {})

    def routes(self) -> list[Route]:
        return [
            Route(PAGE, self.page, methods=["GET"]),
            Route(f"{_API}/GetFoldersList", self.folders, methods=["POST"]),
            Route(f"{_API}/GetConversationList", self.conversation_list, methods=["POST"]),
            Route(f"{_API}/GetConversationDetails", self.details, methods=["POST"]),
            Route("/mychartcn/api/documents/viewer/GetDocumentDetailsLegacy", self.document_details, methods=["POST"]),
            Route("/mychartcn/Documents/ViewDocument/Download", self.download, methods=["GET"]),
        ]

    async def guarded_body(self, request: Request) -> tuple[PortalSession, dict[str, Any] | None] | Response:
        """The session and JSON object body (None when unreadable) of an XHR from the message center, or the
        response the portal gives a broken contract."""
        guarded = guard(self.state, request, PAGE)
        if isinstance(guarded, Response):
            return guarded
        return guarded, await json_object(request)

    async def nonced(self, request: Request) -> dict[str, Any] | Response:
        """``guarded_body`` for an ``api/conversations/*`` call, which also needs a recent ``PageNonce``."""
        found = await self.guarded_body(request)
        if isinstance(found, Response):
            return found
        session, body = found
        if body is None or not session.accepts_page_nonce(body.get("PageNonce")):
            return five_hundred(request, "page_nonce")
        return body

    async def page(self, request: Request) -> Response:
        session = current_session(self.state, request)
        if session is None:
            return identity_redirect(self.state, request)
        nonce = session.issue_page_nonce()
        response = HTMLResponse(_page(nonce))
        response.headers["Content-Security-Policy"] = f"script-src 'nonce-{nonce}' 'strict-dynamic'"
        return response

    async def folders(self, request: Request) -> Response:
        body = await self.nonced(request)
        if isinstance(body, Response):
            return body
        listing = []
        for tag in self.center.get("folders", ()):
            inside = [t for t in self.center.get("threads", []) if t["folder"] == tag]
            unread = sum(1 for t in inside if t["conversation"]["tags"].get("Unread"))
            listing.append({"tag": tag, "totalCount": len(inside), "badgeCount": unread})
        return JSONResponse(listing)

    async def conversation_list(self, request: Request) -> Response:
        body = await self.nonced(request)
        if isinstance(body, Response):
            return body
        tag, params = body.get("tag"), body.get("localLoadParams")
        if not isinstance(tag, int) or not isinstance(params, dict):
            return five_hundred(request, "bad_list_body")
        return JSONResponse(
            conversation_page(
                self.center,
                tag=tag,
                cursor=str(params.get("loadStartInstantISO") or ""),
                search=str(body.get("searchQuery") or ""),
            )
        )

    async def details(self, request: Request) -> Response:
        body = await self.nonced(request)
        if isinstance(body, Response):
            return body
        conversation = self.by_id.get(str(body.get("id", "")))
        if conversation is None:
            # Inferred: the real answer for an unknown thread id was never captured.
            return JSONResponse({"error": "unknown conversation"}, status_code=404)
        return JSONResponse(conversation)

    async def document_details(self, request: Request) -> Response:
        found = await self.guarded_body(request)
        if isinstance(found, Response):
            return found
        document = self.documents.get(str((found[1] or {}).get("dcsId", "")))
        if document is None:
            return JSONResponse({"error": "unknown document"}, status_code=404)  # inferred
        return JSONResponse(document["details"])

    async def download(self, request: Request) -> Response:
        if current_session(self.state, request) is None:
            return identity_redirect(self.state, request)
        document = self.documents.get(request.query_params.get("dcsid", ""))
        if document is None:
            return Response(status_code=404)  # inferred
        details = document["details"]
        return Response(
            document["content"],
            media_type=details["mimeType"],
            headers={"Content-Disposition": f'attachment; filename="{details["displayName"]}"'},
        )


def messages_routes(state: PortalState) -> list[Route]:
    return _MessageCenter(state).routes()
