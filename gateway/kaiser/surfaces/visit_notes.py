"""The visit-notes surface: the past-visit list every time; notes, AVS and its PDF only for visits new or
changed since the last sync.

A visit is known by its CSN and judged changed by the portal's own timestamp and document flags in its
list entry (``VISIT_SIGNALS``), never by session-scoped handles (``Dat``, the provider's ``EncryptedId``)
or display that ages (``PastVisitBucket``). The sync state maps a fhirgate key per visit (a hash, never
the CSN) to that fingerprint and the ids of the resources it produced, taken back from the store while
the visit is unchanged. Cancelled, no-show and walked-out visits have no documents and are not asked.

Visit notes and the After Visit Summary of one past visit (§2.11).

Anti-forgery tokens are scoped to the Referer page, so one visit needs two: one for
``app/visits/past-details?csn=`` (details, note list, AVS content, document details) and one for
``app/visits/note?csn=`` (ValidateVisitNote, then the note's content). The AVS PDF comes from
``avsSnapshots[0].dcsID`` through GetDocumentDetails and a plain GET of its ``downloadUrl``.
"""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from gateway.kaiser.errors import MalformedPayload, PortalContractError
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces import appointments
from gateway.kaiser.surfaces.kept import content_fingerprint, stored_resources
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.ids import stable_id
from translators.visit_notes import translate_visit_documents

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


VISIT_SIGNALS = (
    "Csn",
    "Instant",
    "VisitTypeName",
    "PrimaryProviderName",
    "IsCanceled",
    "IsNoShow",
    "LeftWithoutSeen",
    "IsNotesOnly",
    "IsNotViewed",
    "IsClinicalNoteAvailable",
    "IsClinicalInformationAvailable",
    "HasDownloadSummaryLink",
    "IsVisitSummaryEnabled",
)
"""The list-entry fields whose change means the visit's documents may have changed (``IsNotViewed``: new
documentation marks a visit unread, *inferred*)."""


def has_documents(visit: dict[str, Any]) -> bool:
    if any(visit.get(flag) is True for flag in ("IsCanceled", "IsNoShow", "LeftWithoutSeen")):
        return False
    return visit.get("IsClinicalNoteAvailable") is True or visit.get("HasDownloadSummaryLink") is True


async def _collect(ctx: SyncContext) -> Collected:
    csrf = await ctx.client.csrf_token(appointments.PAGE)
    past = await appointments.fetch_past(ctx.client, csrf, now=datetime.now(UTC))
    visits = [item.visit for item in past if has_documents(item.visit) and item.visit.get("Csn")]
    ctx.progress.surface_total(SURFACE, len(visits))
    previous: dict[str, Any] = ctx.previous_state.get("visits") or {}
    state: dict[str, Any] = {}
    collected = Collected()
    translation = ctx.translation()

    async def one(visit: dict[str, Any]) -> None:
        csn = str(visit["Csn"])
        key, fingerprint = stable_id(SURFACE, f"visit:{csn}"), visit_fingerprint(visit)
        kept = previous.get(key) or {}
        stored = stored_resources(ctx.store, kept.get("ids") or []) if kept.get("fp") == fingerprint else None
        if stored is not None:
            collected.result.resources.extend(stored)
            state[key] = kept
        else:
            try:
                raw = await fetch_visit_documents(ctx.client, csn)
            except (MalformedPayload, PortalContractError) as exc:
                collected.failed += 1
                collected.problems.append(f"surface=visit-notes visit {key} skipped: {exc}")
            else:
                # In a worker thread, like test results: validation overlaps the other visits' network waits.
                result = await asyncio.to_thread(
                    translate_visit_documents,
                    csn,
                    raw.details,
                    raw.notes,
                    raw.note_reports,
                    translation,
                    avs_report=raw.avs_report,
                    avs_document=raw.avs_document,
                    avs_pdf=raw.avs_pdf,
                )
                collected.result.extend(result)
                state[key] = {"fp": fingerprint, "ids": [f"{r['resourceType']}/{r['id']}" for r in result.resources]}
        ctx.progress.surface_advanced(SURFACE)

    await asyncio.gather(*(one(visit) for visit in visits))
    collected.sync_state = {"visits": state}
    return collected


def visit_fingerprint(visit: dict[str, Any]) -> str:
    return content_fingerprint({name: visit.get(name) for name in VISIT_SIGNALS})


VISIT_NOTES = Surface(SURFACE, "Visit notes", ("DocumentReference", "Binary"), _collect)
