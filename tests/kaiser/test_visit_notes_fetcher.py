"""The visit-notes fetcher: two Referer-scoped tokens, validation before content, the AVS PDF chain."""

from __future__ import annotations

import pytest

from gateway.kaiser.errors import PortalContractError
from gateway.kaiser.surfaces import visit_notes
from tests.kaiser.sandbox_portal import signed_in_portal
from translators import TranslationContext, translate_visit_documents


async def test_notes_avs_html_and_pdf_are_fetched_and_translate() -> None:
    portal = signed_in_portal()
    csn, docs = next((c, d) for c, d in portal.config.patient.visit_documents.items() if d.note_html and d.avs_pdf)
    async with portal.client() as client:
        raw = await visit_notes.fetch_visit_documents(client, csn)
    assert set(raw.note_reports) == set(docs.note_html)
    assert raw.avs_pdf == docs.avs_pdf and raw.avs_pdf is not None and raw.avs_pdf.startswith(b"%PDF-")
    result = translate_visit_documents(
        csn, raw.details, raw.notes, raw.note_reports, TranslationContext(patient_id="p1"),
        avs_report=raw.avs_report, avs_document=raw.avs_document, avs_pdf=raw.avs_pdf,
    )  # fmt: skip
    kinds = sorted(r["resourceType"] for r in result.resources)
    assert kinds == ["Binary"] + ["DocumentReference"] * (len(docs.note_html) + 1)
    assert not result.warnings


async def test_a_refill_has_no_notes_and_no_avs_download() -> None:
    portal = signed_in_portal()
    refill = next(v for v in portal.config.patient.visits.past if v["VisitTypeName"] == "Refill")
    async with portal.client() as client:
        raw = await visit_notes.fetch_visit_documents(client, refill["Csn"])
        requests = client.request_count
    assert raw.note_reports == {} and raw.avs_pdf is None
    assert requests == 3  # token, details, note list: nothing else to ask for


async def test_a_details_post_without_the_anti_forgery_header_is_bounced() -> None:
    portal = signed_in_portal()
    csn = next(iter(portal.config.patient.visit_documents))
    async with portal.client() as client:
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await client.mychart_post_json(
                "api/visits/past-details/GetVisitDetailsPast",
                {"csn": csn, "eorgID": ""},
                surface=visit_notes.SURFACE,
                key="details",
                referer_path=f"app/visits/past-details?csn={csn}",
                csrf=None,
            )


async def test_a_token_posted_from_another_visits_page_is_bounced() -> None:
    portal = signed_in_portal()
    first, second = list(portal.config.patient.visit_documents)[:2]
    async with portal.client() as client:
        csrf = await client.csrf_token(f"app/visits/past-details?csn={second}")
        with pytest.raises(PortalContractError):
            await client.mychart_post_json(
                "api/visits/past-details/GetVisitDetailsPast",
                {"csn": first, "eorgID": ""},
                surface=visit_notes.SURFACE,
                key="details",
                referer_path=f"app/visits/past-details?csn={second}",
                csrf=csrf,
            )
