"""Visit notes and the After Visit Summary of one past visit (§2.11).

Anti-forgery tokens are scoped to the Referer page, so one visit needs two: one for
``app/visits/past-details?csn=`` (details, note list, AVS content, document details) and one for
``app/visits/note?csn=`` (ValidateVisitNote, then the note's content). The AVS PDF comes from
``avsSnapshots[0].dcsID`` through GetDocumentDetails and a plain GET of its ``downloadUrl``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient

SURFACE = "visit-notes"


@dataclass
class VisitDocumentsRaw:
    """Everything fetched for one CSN, as the portal sent it."""

    csn: str
    details: dict[str, Any]
    notes: dict[str, Any]
    note_reports: dict[str, dict[str, Any]] = field(default_factory=dict)
    """``hnoID`` -> LoadReportContent body (notes whose validation failed are absent)."""
    avs_report: dict[str, Any] | None = None
    avs_document: dict[str, Any] | None = None
    """GetDocumentDetails body of the AVS PDF."""
    avs_pdf: bytes | None = None


def _pages(csn: str) -> tuple[str, str]:
    encoded = quote(csn, safe="")
    return f"app/visits/past-details?csn={encoded}", f"app/visits/note?csn={encoded}"


async def _post(client: PortalClient, path: str, body: dict[str, Any], page: str, csrf: str, key: str) -> Any:
    return await client.mychart_post_json(path, body, surface=SURFACE, key=key, referer_path=page, csrf=csrf)


async def fetch_visit_documents(client: PortalClient, csn: str) -> VisitDocumentsRaw:
    details_page, note_page = _pages(csn)
    csrf = await client.csrf_token(details_page)
    details = await _post(
        client, "api/visits/past-details/GetVisitDetailsPast", {"csn": csn, "eorgID": ""}, details_page, csrf, "details"
    )
    notes = await _post(
        client, "api/visit-notes/GetVisitNotes", {"CSN": csn, "FromPvdPage": True}, details_page, csrf, "notes"
    )
    if not isinstance(details, dict) or not isinstance(notes, dict):
        raise MalformedPayload(SURFACE, "GetVisitDetailsPast", "details or note list is not an object")
    raw = VisitDocumentsRaw(csn=csn, details=details, notes=notes)
    note_list = [note for note in notes.get("noteList") or [] if isinstance(note, dict)]
    if note_list:
        await _fetch_notes(client, raw, note_list, note_page)
    snapshots = (details.get("avsInfo") or {}).get("avsSnapshots") or []
    if snapshots and isinstance(snapshots[0], dict) and snapshots[0].get("dcsID"):
        await _fetch_avs(client, raw, str(snapshots[0]["dcsID"]), details_page, csrf)
    return raw


async def _fetch_notes(client: PortalClient, raw: VisitDocumentsRaw, notes: list[dict[str, Any]], page: str) -> None:
    csrf = await client.csrf_token(page)
    lrp_id = raw.notes.get("lrpID")
    for note in notes:
        hno_id, hno_dat = note.get("hnoID"), note.get("hnoDAT")
        ids = {"csn": raw.csn, "hnoID": hno_id, "hnoDAT": hno_dat, "lrpID": lrp_id, "fromPvdPage": True}
        check = await _post(client, "api/visit-notes/ValidateVisitNote", ids, page, csrf, "validate")
        if not isinstance(check, dict) or check.get("success") is not True:
            continue  # the portal withholds this note from the patient
        body = {
            "reportID": lrp_id,
            "contextID": hno_id,
            "contextDAT": hno_dat,
            "contextINI": "HNO",
            "csn": raw.csn,
            "isFullReportPage": False,
            "uniqueClass": "EID-1",
            "nonce": secrets.token_hex(16),  # client-generated per call, not the CSP nonce
        }
        report = await _post(client, "api/report-content/LoadReportContent", body, page, csrf, "note")
        if isinstance(report, dict):
            raw.note_reports[str(hno_id)] = report


async def _fetch_avs(client: PortalClient, raw: VisitDocumentsRaw, dcs_id: str, page: str, csrf: str) -> None:
    body = {
        "reportMnemonic": "AMB_AVS",
        "reportID": "",
        "csn": raw.csn,
        "isFullReportPage": False,
        "uniqueClass": "EID-avs",
        "nonce": secrets.token_hex(16),
    }
    report = await _post(client, "api/report-content/LoadReportContent", body, page, csrf, "avs")
    raw.avs_report = report if isinstance(report, dict) else None
    request = {"dcsId": dcs_id, "fileExtension": "PDF", "organizationId": "", "useOldMobileLink": False}
    document = await _post(client, "api/documents/viewer/GetDocumentDetails", request, page, csrf, "avs-document")
    url = document.get("downloadUrl") if isinstance(document, dict) else None
    if not isinstance(url, str) or not url:
        raise MalformedPayload(SURFACE, "GetDocumentDetails", "no downloadUrl")
    raw.avs_document = document
    response = await client.get_bytes(
        client.mychart_url(url), surface=SURFACE, accept="application/pdf", referer_path=page
    )
    if not response.content.startswith(b"%PDF"):
        raise MalformedPayload(SURFACE, "DownloadOrStream", "the AVS download is not a PDF")
    raw.avs_pdf = response.content
