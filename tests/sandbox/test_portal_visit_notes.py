"""Past-visit details, notes (validate before content), AVS HTML and the AVS PDF download chain."""

from __future__ import annotations

from typing import Any

import httpx2
import pytest

from sandbox.patient.visit_notes import VisitDocuments
from tests.sandbox.portal_driver import BASE, PortalDriver

API = "/mychartcn/api"


def _post(driver: PortalDriver, path: str, body: dict[str, Any], page: str, csn: str) -> httpx2.Response:
    headers = {
        "Referer": f"{BASE}/mychartcn/app/visits/{page}?csn={csn}",
        "__RequestVerificationToken": driver.csrf_token(),
    }
    return driver.client.post(f"{API}/{path}", json=body, headers=headers, follow_redirects=False)


def _visit(driver: PortalDriver) -> tuple[str, VisitDocuments]:
    return next((c, d) for c, d in driver.patient.visit_documents.items() if d.note_html and d.avs_pdf)


def _note_body(csn: str, docs: VisitDocuments, note: dict[str, Any]) -> dict[str, Any]:
    ids = {"reportID": docs.notes["lrpID"], "contextID": note["hnoID"], "contextDAT": note["hnoDAT"]}
    return ids | {"contextINI": "HNO", "csn": csn, "isFullReportPage": False, "uniqueClass": "EID-1", "nonce": "ab12"}


def test_note_content_needs_validation_first_and_keeps_epic_html(signed_in: PortalDriver) -> None:
    csn, docs = _visit(signed_in)
    note = docs.notes["noteList"][0]
    early = _post(signed_in, "report-content/LoadReportContent", _note_body(csn, docs, note), "note", csn)
    assert early.status_code == 302 and early.headers["location"].endswith("/Home/FiveHundred")
    ids = {
        "csn": csn,
        "hnoID": note["hnoID"],
        "hnoDAT": note["hnoDAT"],
        "lrpID": docs.notes["lrpID"],
        "fromPvdPage": True,
    }
    check = _post(signed_in, "visit-notes/ValidateVisitNote", ids, "note", csn).json()
    assert check["success"] is True and check["displayName"] == note["displayName"]
    content = _post(signed_in, "report-content/LoadReportContent", _note_body(csn, docs, note), "note", csn).json()
    assert "data-copy-context=" in content["reportContent"] and "<script>" in content["reportContent"]
    assert content["stylesheets"] and content["reportCss"].startswith("<style>")


@pytest.mark.parametrize(("path", "key", "page"), [("visits/past-details/GetVisitDetailsPast", "csn", "note"),
                                                   ("visit-notes/GetVisitNotes", "CSN", "note")])  # fmt: skip
def test_details_calls_posted_from_the_note_page_bounce(
    signed_in: PortalDriver, path: str, key: str, page: str
) -> None:
    csn, _ = _visit(signed_in)
    response = _post(signed_in, path, {key: csn}, page, csn)
    assert response.status_code == 302 and response.headers["location"].endswith("/Home/FiveHundred")


def test_note_list_uses_uppercase_csn_and_avs_pdf_downloads(signed_in: PortalDriver) -> None:
    csn, docs = _visit(signed_in)
    listing = _post(signed_in, "visit-notes/GetVisitNotes", {"CSN": csn, "FromPvdPage": True}, "past-details", csn)
    assert listing.json() == docs.notes
    details = _post(
        signed_in, "visits/past-details/GetVisitDetailsPast", {"csn": csn, "eorgID": ""}, "past-details", csn
    )
    dcs_id = details.json()["avsInfo"]["avsSnapshots"][0]["dcsID"]
    request = {"dcsId": dcs_id, "fileExtension": "PDF", "organizationId": "", "useOldMobileLink": False}
    document = _post(signed_in, "documents/viewer/GetDocumentDetails", request, "past-details", csn).json()
    assert document["fileDescription"] == "After Visit Summary" and document["legacyEncryption"] is False
    pdf = signed_in.client.get("/mychartcn" + document["downloadUrl"], headers={"Accept": "application/pdf"})
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content == docs.avs_pdf
    assert pdf.content.startswith(b"%PDF-1.4") and pdf.content.rstrip().endswith(b"%%EOF")


def test_refills_have_no_notes_and_no_avs_snapshot(signed_in: PortalDriver) -> None:
    refill = next(v for v in signed_in.patient.visits.past if v["VisitTypeName"] == "Refill")
    docs = signed_in.patient.visit_documents[refill["Csn"]]
    assert docs.notes["noteList"] == [] and docs.details["avsInfo"]["avsSnapshots"] == [] and docs.avs_pdf is None


def test_pdf_xref_offsets_point_at_their_objects(signed_in: PortalDriver) -> None:
    _, docs = _visit(signed_in)
    pdf = docs.avs_pdf or b""
    xref = int(pdf.rsplit(b"startxref\n", 1)[1].split(b"\n")[0])
    rows = pdf[xref:].split(b"\n")[3:8]
    for number, row in enumerate(rows, start=1):
        assert pdf[int(row[:10]) :].startswith(f"{number} 0 obj".encode())
