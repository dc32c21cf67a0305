"""The result PDF chain (KAISER_API.md §2.6.3): GetDocumentGenerationInfo, GetDocumentDetails, DownloadOrStream.

Step 1 answers ``"Generating"`` (no id) for an IMAGING order's first ``pdf_generating_calls`` asks (in
any session: Kaiser builds the PDF once), then ``"Generated"`` with the dcsId. Steps 2 and 3 share their
paths with the visit-notes AVS chain, so ``result_document_routes`` wraps those routes: a result document
is served here, anything else (body replayed) goes on to the wrapped route. *Inferred:* the "Generating"
count, 404 JSON for unknown ids, and the download token in the URL (as the AVS chain models it).
"""

from __future__ import annotations

import json
import secrets
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import Message, Receive, Scope, Send

from sandbox.patient.model import LabOrder
from sandbox.patient.result_pdf import dcs_id, result_pdf
from sandbox.portal.signals import current_session, five_hundred, identity_redirect
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard, json_object

__all__ = ["result_document_routes"]

PAGE = "/mychartcn/app/test-results"
DETAILS_PATH = "/mychartcn/api/documents/viewer/GetDocumentDetails"
DOWNLOAD_PATH = "/mychartcn/Documents/ViewDocument/DownloadOrStream"


class _Documents:
    def __init__(self, state: PortalState) -> None:
        self.state = state
        orders = state.config.patient.lab_orders
        self.by_key = {o.key: o for o in orders if o.detail["results"][0]["reportDetails"]["isDownloadablePDFReport"]}
        self.by_dcs = {dcs_id(o): o for o in self.by_key.values()}
        self.asked: dict[str, int] = {}  # order key -> times asked
        self.tokens: dict[str, str] = {}  # download token -> dcsId

    async def generation_info(self, request: Request) -> Response:
        body = await json_object(request)
        if body is None:
            return five_hundred(request, "unreadable_body")
        session = guard(self.state, request, PAGE)
        if isinstance(session, Response):
            return session
        order = self.by_key.get(str(body.get("orderKey") or ""))
        if order is None:
            return JSONResponse({"documentID": "", "generationStatus": "NotAvailable"})
        asked = self.asked.get(order.key, 0)
        self.asked[order.key] = asked + 1
        if order.list_entry["orderMetadata"]["resultType"] == "IMAGING" and asked < self.generating_calls:
            return JSONResponse({"documentID": "", "generationStatus": "Generating"})
        return JSONResponse({"documentID": dcs_id(order), "generationStatus": "Generated"})

    @property
    def generating_calls(self) -> int:
        return self.state.config.pdf_generating_calls

    async def details(self, request: Request, body: dict[str, object]) -> Response:
        session = guard(self.state, request, PAGE)
        if isinstance(session, Response):
            return session
        dcs = str(body.get("dcsId") or "")
        order = self.by_dcs[dcs]
        if body.get("fileExtension") != "PDF":
            return JSONResponse({"error": "unknown document"}, status_code=404)
        token = secrets.token_urlsafe(24)
        self.tokens[token] = dcs
        name = f"{order.list_entry['name']} (result)"
        url = f"/Documents/ViewDocument/DownloadOrStream?dcsid={quote(dcs)}&displayName={quote(name)}"
        return JSONResponse(
            {
                "dcsId": dcs,
                "token": token,
                "displayName": name,
                "fileDescription": name,
                "downloadUrl": f"{url}&dcsExt=PDF&token={token}",
                "mimeType": "application/pdf",
                "legacyEncryption": False,
            }
        )

    def download(self, request: Request, order: LabOrder) -> Response:
        if current_session(self.state, request) is None:
            return identity_redirect(self.state, request)
        if self.tokens.get(request.query_params.get("token", "")) != dcs_id(order):
            return JSONResponse({"error": "unknown download"}, status_code=404)
        headers = {"Content-Disposition": f'inline; filename="{order.list_entry["name"]}.pdf"'}
        return Response(result_pdf(order), media_type="application/pdf", headers=headers)


def result_document_routes(state: PortalState, document_routes: list[Route]) -> list[Route]:
    """Step 1, plus ``document_routes`` (the AVS chain's) with steps 2 and 3 taught to serve result PDFs first."""
    documents = _Documents(state)
    routes = [
        Route("/mychartcn/api/test-results/GetDocumentGenerationInfo", documents.generation_info, methods=["POST"])
    ]
    for route in document_routes:
        if route.path in (DETAILS_PATH, DOWNLOAD_PATH):
            routes.append(Route(route.path, _Dispatch(documents, route), methods=sorted(route.methods or ())))
        else:
            routes.append(route)
    return routes


class _Dispatch:
    """An ASGI endpoint: result documents here, everything else to the wrapped route (body replayed)."""

    def __init__(self, documents: _Documents, fallback: Route) -> None:
        self.documents = documents
        self.fallback = fallback

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        if scope["path"] == DOWNLOAD_PATH:
            order = self.documents.by_dcs.get(request.query_params.get("dcsid", ""))
            if order is not None:
                await self.documents.download(request, order)(scope, receive, send)
                return
            await self.fallback.handle(scope, receive, send)
            return
        raw = await request.body()
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        if isinstance(body, dict) and str(body.get("dcsId") or "") in self.documents.by_dcs:
            await (await self.documents.details(request, body))(scope, receive, send)
            return
        await self.fallback.handle(scope, _replay(raw), send)


def _replay(raw: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": raw, "more_body": False}

    return receive
