"""A test result's PDF, in three steps (KAISER_API.md §2.6.3).

1. ``GetDocumentGenerationInfo``: ``"Generated"`` with a ``documentID``, or ``"Generating"`` (Kaiser is
   building it; ask again after ~30 s), or anything else = no PDF.
2. ``documents/viewer/GetDocumentDetails``: the ``downloadUrl`` (relative to ``/mychartcn``).
3. ``GET`` that URL with ``Accept: application/pdf``: the bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient, Sleep
from gateway.kaiser.surfaces.test_results import PAGE, SURFACE

GENERATING_RETRY_SECONDS = 30.0
GENERATING_ATTEMPTS = 3


@dataclass(frozen=True)
class ResultPdf:
    display_name: str
    content: bytes


async def fetch_result_pdf(
    client: PortalClient,
    csrf: str,
    order_key: str,
    *,
    sleep: Sleep,
    retry_seconds: float = GENERATING_RETRY_SECONDS,
) -> ResultPdf | None:
    """The PDF, or None when the portal has none (or is still generating it after every retry)."""
    document_id = None
    for attempt in range(GENERATING_ATTEMPTS):
        info = await client.mychart_post_json(
            "api/test-results/GetDocumentGenerationInfo",
            {"orderKey": order_key},
            surface=SURFACE,
            key="GetDocumentGenerationInfo",
            referer_path=PAGE,
            csrf=csrf,
        )
        status = info.get("generationStatus") if isinstance(info, dict) else None
        if status == "Generating" and attempt + 1 < GENERATING_ATTEMPTS:
            await sleep(retry_seconds)
            continue
        if status == "Generated" and isinstance(info, dict) and info.get("documentID"):
            document_id = str(info["documentID"])
        break
    if document_id is None:
        return None
    details = await client.mychart_post_json(
        "api/documents/viewer/GetDocumentDetails",
        {"dcsId": document_id, "fileExtension": "PDF", "organizationId": "", "useOldMobileLink": False},
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
