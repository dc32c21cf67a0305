"""A test result's PDF, in three steps (KAISER_API.md §2.6.3).

1. ``GetDocumentGenerationInfo``: ``"Generated"`` with a ``documentID``, or ``"Generating"`` (Kaiser is
   building it on demand; the portal's page asks again after ~30 s), or anything else = no PDF.
2. ``documents/viewer/GetDocumentDetails``: the ``downloadUrl`` (relative to ``/mychartcn``).
3. ``GET`` that URL with ``Accept: application/pdf``: the bytes.

A "Generating" answer is never waited out here: the caller records the PDF as pending and asks again
later (the next sync), so one slow report cannot hold a whole sync for half a minute.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.test_results import PAGE, SURFACE


@dataclass(frozen=True)
class ResultPdf:
    display_name: str
    content: bytes


@dataclass(frozen=True)
class PdfGenerating:
    """Kaiser is still building the PDF: ask again later."""


GENERATING = PdfGenerating()


async def fetch_result_pdf(client: PortalClient, csrf: str, order_key: str) -> ResultPdf | PdfGenerating | None:
    """The PDF; ``GENERATING`` while Kaiser builds it; None when the portal has none for this order."""
    info = await client.mychart_post_json(
        "api/test-results/GetDocumentGenerationInfo",
        {"orderKey": order_key},
        surface=SURFACE,
        key="GetDocumentGenerationInfo",
        referer_path=PAGE,
        csrf=csrf,
    )
    status = info.get("generationStatus") if isinstance(info, dict) else None
    if status == "Generating":
        return GENERATING
    if status != "Generated" or not info.get("documentID"):
        return None
    details = await client.mychart_post_json(
        "api/documents/viewer/GetDocumentDetails",
        {"dcsId": str(info["documentID"]), "fileExtension": "PDF", "organizationId": "", "useOldMobileLink": False},
        surface=SURFACE,
        key="GetDocumentDetails",
        referer_path=PAGE,
        csrf=csrf,
    )
    url = details.get("downloadUrl") if isinstance(details, dict) else None
    if not isinstance(url, str) or not url.startswith("/"):
        raise MalformedPayload(SURFACE, "GetDocumentDetails", f"no downloadUrl (type: {type(url).__name__})")
    response = await client.get_bytes(
        client.mychart_url(url), surface=SURFACE, accept="application/pdf", referer_path=PAGE
    )
    if not response.content.startswith(b"%PDF"):
        raise MalformedPayload(SURFACE, "DownloadOrStream", "the download is not a PDF")
    return ResultPdf(display_name=str(details.get("displayName") or "Test result"), content=response.content)
