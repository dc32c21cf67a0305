"""Past-visit details, visit notes and the After Visit Summary (§2.11), with the AVS PDF download chain.

Referer pairing: details, the note list, AVS content and document details are posted from
``/mychartcn/app/visits/past-details?csn=<CSN>``; ValidateVisitNote and note content from
``/mychartcn/app/visits/note?csn=<CSN>``. Note content is served only after ValidateVisitNote
succeeded for that note in the same session. ``DownloadOrStream`` is a plain GET (no anti-forgery header)
that wants the token GetDocumentDetails issued. *Inferred:* unknown ids answer 404 JSON.
"""

from __future__ import annotations

import secrets
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.patient.visit_notes import VisitDocuments
from sandbox.portal.sessions import PortalSession
from sandbox.portal.signals import current_session, five_hundred, identity_redirect
from sandbox.portal.state import PortalState
from sandbox.portal.xhr_contract import guard, json_object

__all__ = ["visit_notes_routes"]

DETAILS_PAGE = "/mychartcn/app/visits/past-details"
NOTE_PAGE = "/mychartcn/app/visits/note"
_REPORT_CSS = "<style>.NoteReport { font-family: sans-serif; }</style>"


def _not_found(what: str) -> JSONResponse:
    return JSONResponse({"error": f"unknown {what}"}, status_code=404)


def _report(content: str) -> JSONResponse:
    stylesheets = ["/mychartcn/en-US/styles/report/epicbase.css?v=1"]
    return JSONResponse(
        {"reportContent": content, "reportCss": _REPORT_CSS, "baseFontSize": 0, "stylesheets": stylesheets}
    )


class _VisitNotes:
    """The visit-notes endpoints, one method each, over what they share: the patient's visit documents, the
    AVS PDFs by dcsID, the notes validated per session and the download tokens GetDocumentDetails issued."""

    def __init__(self, state: PortalState) -> None:
        self.state = state
        self.documents = state.config.patient.visit_documents
        self.pdfs: dict[str, bytes] = {
            str(docs.details["avsInfo"]["avsSnapshots"][0]["dcsID"]): docs.avs_pdf
            for docs in self.documents.values()
            if docs.avs_pdf is not None
        }
        self.validated: set[tuple[str, str, str]] = set()  # (session token, csn, hnoID)
        self.download_tokens: dict[str, str] = {}  # token -> dcsID

    def routes(self) -> list[Route]:
        return [
            Route("/mychartcn/api/visits/past-details/GetVisitDetailsPast", self.details, methods=["POST"]),
            Route("/mychartcn/api/visit-notes/GetVisitNotes", self.notes, methods=["POST"]),
            Route("/mychartcn/api/visit-notes/ValidateVisitNote", self.validate, methods=["POST"]),
            Route("/mychartcn/api/report-content/LoadReportContent", self.report_content, methods=["POST"]),
            Route("/mychartcn/api/documents/viewer/GetDocumentDetails", self.document_details, methods=["POST"]),
            Route("/mychartcn/Documents/ViewDocument/DownloadOrStream", self.download, methods=["GET"]),
        ]

    async def guarded_body(
        self, request: Request, page: str, csn_field: str | None = None
    ) -> tuple[PortalSession, dict[str, Any]] | Response:
        """The session and JSON body of a POST from ``page`` (Referer carrying the body's ``csn_field`` as
        ``csn`` when given), or the response the portal gives a broken contract."""
        body = await json_object(request)
        if body is None:
            return five_hundred(request, "unreadable_body")
        query = None if csn_field is None else {"csn": str(body.get(csn_field) or "")}
        guarded = guard(self.state, request, page, query)
        if isinstance(guarded, Response):
            return guarded
        return guarded, body

    async def visit_post(
        self, request: Request, page: str, csn_field: str
    ) -> tuple[PortalSession, dict[str, Any], VisitDocuments] | Response:
        """``guarded_body`` plus the visit its ``csn_field`` names (404 JSON for an unknown one)."""
        found = await self.guarded_body(request, page, csn_field)
        if isinstance(found, Response):
            return found
        session, body = found
        docs = self.documents.get(str(body.get(csn_field) or ""))
        if docs is None:
            return _not_found("csn")
        return session, body, docs

    async def details(self, request: Request) -> Response:
        found = await self.visit_post(request, DETAILS_PAGE, "csn")
        return found if isinstance(found, Response) else JSONResponse(found[2].details)

    async def notes(self, request: Request) -> Response:
        found = await self.visit_post(request, DETAILS_PAGE, "CSN")  # uppercase here, as captured
        return found if isinstance(found, Response) else JSONResponse(found[2].notes)

    async def validate(self, request: Request) -> Response:
        found = await self.visit_post(request, NOTE_PAGE, "csn")
        if isinstance(found, Response):
            return found
        session, body, docs = found
        note = next((n for n in docs.notes["noteList"] if n["hnoID"] == body.get("hnoID")), None)
        if note is None or body.get("lrpID") != docs.notes["lrpID"] or body.get("hnoDAT") != note["hnoDAT"]:
            return JSONResponse({"success": False})
        self.validated.add((session.token, str(body["csn"]), note["hnoID"]))
        return JSONResponse(
            {
                "isAddendum": note["isAddendum"],
                "success": True,
                "noteISO": note["iso"],
                "displayName": note["displayName"],
                "isNoteSensitive": note["isNoteSensitive"],
                "isEncounterSensitive": docs.details["isEncounterSensitive"],
            }
        )

    async def report_content(self, request: Request) -> Response:
        body = await json_object(request)
        if body is None or not str(body.get("nonce") or ""):
            return five_hundred(request, "report_body")
        is_avs = body.get("reportMnemonic") == "AMB_AVS"
        found = await self.visit_post(request, DETAILS_PAGE if is_avs else NOTE_PAGE, "csn")
        if isinstance(found, Response):
            return found
        session, body, docs = found
        if is_avs:
            return _report(docs.avs_html) if docs.avs_html else _not_found("report")
        hno_id = str(body.get("contextID") or "")
        if body.get("contextINI") != "HNO" or body.get("reportID") != docs.notes["lrpID"]:
            return _not_found("report")
        if (session.token, str(body["csn"]), hno_id) not in self.validated:
            return five_hundred(request, "note_not_validated")
        html = docs.note_html.get(hno_id)
        return _report(html) if html is not None else _not_found("note")

    async def document_details(self, request: Request) -> Response:
        found = await self.guarded_body(request, DETAILS_PAGE)
        if isinstance(found, Response):
            return found
        _, body = found
        dcs_id = str(body.get("dcsId") or "")
        if dcs_id not in self.pdfs or body.get("fileExtension") != "PDF":
            return _not_found("document")
        token = secrets.token_urlsafe(24)
        self.download_tokens[token] = dcs_id
        url = f"/Documents/ViewDocument/DownloadOrStream?dcsid={quote(dcs_id)}&displayName=After%20Visit%20Summary"
        return JSONResponse(
            {
                "dcsId": dcs_id,
                "token": token,
                "displayName": "After Visit Summary",
                "fileDescription": "After Visit Summary",
                "downloadUrl": f"{url}&dcsExt=PDF&token={token}",
                "mimeType": "application/pdf",
                "legacyEncryption": False,
            }
        )

    async def download(self, request: Request) -> Response:
        if current_session(self.state, request) is None:
            return identity_redirect(self.state, request)
        dcs_id = self.download_tokens.get(request.query_params.get("token", ""))
        if dcs_id is None or dcs_id != request.query_params.get("dcsid"):
            return _not_found("download")
        headers = {"Content-Disposition": 'inline; filename="After Visit Summary.pdf"'}
        return Response(self.pdfs[dcs_id], media_type="application/pdf", headers=headers)


def visit_notes_routes(state: PortalState) -> list[Route]:
    return _VisitNotes(state).routes()
