"""The result PDF chain against the in-process sandbox: Generating (never waited out), the three steps,
no-PDF orders."""

from __future__ import annotations

import base64

from gateway.kaiser.surfaces.lab_results.pdf import GENERATING, ResultPdf, fetch_result_pdf
from gateway.kaiser.surfaces.lab_results.portal import PAGE
from sandbox.portal.fault_spec import parse_faults
from tests.sync.portal_harness import make_portal
from translators.result_documents import translate_result_pdf
from translators.types import TranslationContext


async def test_imaging_pdf_is_generating_at_first_ask_and_downloads_at_the_next() -> None:
    portal = make_portal()
    imaging = next(o for o in portal.patient.lab_orders if o.list_entry["orderMetadata"]["resultType"] == "IMAGING")

    async with await portal.client() as client:
        csrf = await client.csrf_token(PAGE)
        before = client.request_count
        assert await fetch_result_pdf(client, csrf, imaging.key) is GENERATING
        assert client.request_count - before == 1  # no wait, no second ask
    async with await portal.client() as client:  # a later sync, in a new session
        csrf = await client.csrf_token(PAGE)
        before = client.request_count
        pdf = await fetch_result_pdf(client, csrf, imaging.key)
        assert client.request_count - before == 3  # Generated, details, download
    assert isinstance(pdf, ResultPdf) and pdf.content.startswith(b"%PDF-1.4")
    assert imaging.list_entry["name"] in pdf.display_name

    result = translate_result_pdf(imaging.key, pdf.display_name, pdf.content, TranslationContext(patient_id="p1"))
    document, binary = result.resources
    assert document["content"][0]["attachment"]["url"] == f"Binary/{binary['id']}"
    assert base64.b64decode(binary["data"]) == pdf.content
    assert document["context"]["related"][0]["reference"].startswith("DiagnosticReport/")


async def test_order_without_a_pdf_yields_none_after_one_request() -> None:
    portal = make_portal()
    no_pdf = next(
        o for o in portal.patient.lab_orders if not o.detail["results"][0]["reportDetails"]["isDownloadablePDFReport"]
    )

    async with await portal.client() as client:
        csrf = await client.csrf_token(PAGE)
        before = client.request_count
        assert await fetch_result_pdf(client, csrf, no_pdf.key) is None
        assert client.request_count - before == 1


async def test_pdf_chain_survives_a_session_expiry_between_steps() -> None:
    portal = make_portal()
    lab = next(
        o
        for o in portal.patient.lab_orders
        if o.list_entry["orderMetadata"]["resultType"] == "LAB"
        and o.detail["results"][0]["reportDetails"]["isDownloadablePDFReport"]
    )

    async with await portal.client() as client:
        csrf = await client.csrf_token(PAGE)
        portal.config.faults = parse_faults("expire-after=2")  # dies at GetDocumentDetails
        pdf = await fetch_result_pdf(client, csrf, lab.key)
        assert client.relogins == 1
    assert isinstance(pdf, ResultPdf) and pdf.content.startswith(b"%PDF")
