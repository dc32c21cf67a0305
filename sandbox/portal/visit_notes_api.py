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


def visit_notes_routes(state: PortalState) -> list[Route]:
    documents = state.config.patient.visit_documents
    pdfs: dict[str, bytes] = {
        str(docs.details["avsInfo"]["avsSnapshots"][0]["dcsID"]): docs.avs_pdf
        for docs in documents.values()
        if docs.avs_pdf is not None
    }
    validated: set[tuple[str, str, str]] = set()  # (session token, csn, hnoID)
    download_tokens: dict[str, str] = {}  # token -> dcsID

    async def visit_post(
        request: Request, page: str, csn_field: str
    ) -> tuple[PortalSession, dict[str, Any], VisitDocuments] | Response:
        body = await json_object(request)
        if body is None:
            return five_hundred(request, "unreadable_body")
        csn = str(body.get(csn_field) or "")
        guarded = guard(state, request, page, {"csn": csn})
        if isinstance(guarded, Response):
            return guarded
        docs = documents.get(csn)
        if docs is None:
            return _not_found("csn")
        return guarded, body, docs

    async def details(request: Request) -> Response:
        found = await visit_post(request, DETAILS_PAGE, "csn")
        return found if isinstance(found, Response) else JSONResponse(found[2].details)

    async def notes(request: Request) -> Response:
        found = await visit_post(request, DETAILS_PAGE, "CSN")  # uppercase here, as captured
        return found if isinstance(found, Response) else JSONResponse(found[2].notes)

    async def validate(request: Request) -> Response:
        found = await visit_post(request, NOTE_PAGE, "csn")
        if isinstance(found, Response):
            return found
        session, body, docs = found
        note = next((n for n in docs.notes["noteList"] if n["hnoID"] == body.get("hnoID")), None)
        if note is None or body.get("lrpID") != docs.notes["lrpID"] or body.get("hnoDAT") != note["hnoDAT"]:
            return JSONResponse({"success": False})
        validated.add((session.token, str(body["csn"]), note["hnoID"]))
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

    async def report_content(request: Request) -> Response:
        body = await json_object(request)
        if body is None or not str(body.get("nonce") or ""):
            return five_hundred(request, "report_body")
        is_avs = body.get("reportMnemonic") == "AMB_AVS"
        found = await visit_post(request, DETAILS_PAGE if is_avs else NOTE_PAGE, "csn")
        if isinstance(found, Response):
            return found
        session, body, docs = found
        if is_avs:
            return _report(docs.avs_html) if docs.avs_html else _not_found("report")
        hno_id = str(body.get("contextID") or "")
        if body.get("contextINI") != "HNO" or body.get("reportID") != docs.notes["lrpID"]:
            return _not_found("report")
        if (session.token, str(body["csn"]), hno_id) not in validated:
            return five_hundred(request, "note_not_validated")
        html = docs.note_html.get(hno_id)
        return _report(html) if html is not None else _not_found("note")

    async def document_details(request: Request) -> Response:
        body = await json_object(request)
        if body is None:
            return five_hundred(request, "unreadable_body")
        guarded = guard(state, request, DETAILS_PAGE)
        if isinstance(guarded, Response):
            return guarded
        dcs_id = str(body.get("dcsId") or "")
        if dcs_id not in pdfs or body.get("fileExtension") != "PDF":
            return _not_found("document")
        token = secrets.token_urlsafe(24)
        download_tokens[token] = dcs_id
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

    async def download(request: Request) -> Response:
        if current_session(state, request) is None:
            return identity_redirect(state, request)
        dcs_id = download_tokens.get(request.query_params.get("token", ""))
        if dcs_id is None or dcs_id != request.query_params.get("dcsid"):
            return _not_found("download")
        headers = {"Content-Disposition": 'inline; filename="After Visit Summary.pdf"'}
        return Response(pdfs[dcs_id], media_type="application/pdf", headers=headers)

    return [
        Route("/mychartcn/api/visits/past-details/GetVisitDetailsPast", details, methods=["POST"]),
        Route("/mychartcn/api/visit-notes/GetVisitNotes", notes, methods=["POST"]),
        Route("/mychartcn/api/visit-notes/ValidateVisitNote", validate, methods=["POST"]),
        Route("/mychartcn/api/report-content/LoadReportContent", report_content, methods=["POST"]),
        Route("/mychartcn/api/documents/viewer/GetDocumentDetails", document_details, methods=["POST"]),
        Route("/mychartcn/Documents/ViewDocument/DownloadOrStream", download, methods=["GET"]),
    ]
