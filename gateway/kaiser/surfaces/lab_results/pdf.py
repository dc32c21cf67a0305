"""A lab result's PDF (KAISER_API.md §2.6.3): its requests, and the step of the lab-results surface that
fetches it when the portal offers one or takes it back from the store for an unchanged order. Not a surface
of its own (it lives and dies with its order).

1. ``GetDocumentGenerationInfo``: ``"Generated"`` with a ``documentID``, or ``"Generating"`` (Kaiser is
   building it on demand; the portal's page asks again after ~30 s), or anything else = no PDF.
2. The portal's document download (``documents.py``): ``GetDocumentDetails``, then the bytes.

A "Generating" answer is never waited out here: the PDF is *pending*: the surface records it in its sync
state and the next sync asks for it again (one request while it is still generating), without re-reading
the order, so one slow report cannot hold a whole sync for half a minute.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.kaiser.errors import LoginRequired, MalformedPayload, PortalContractError, PortalUnavailable
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.documents import DocumentRequest, download_document
from gateway.kaiser.surfaces.kept import stored_with_references
from gateway.kaiser.surfaces.lab_results.portal import PAGE, SURFACE
from gateway.kaiser.surfaces.protocol import SyncContext
from gateway.store import ResourceStore
from translators.result_documents import result_document_id, translate_result_pdf

log = logging.getLogger("fhirgate.sync")

_DOWNLOAD = DocumentRequest(SURFACE, PAGE, "GetDocumentDetails", accept="application/pdf")


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
    file = await download_document(client, _DOWNLOAD, csrf, str(info["documentID"]), "PDF")
    if not file.content.startswith(b"%PDF"):
        raise MalformedPayload(SURFACE, "DownloadOrStream", "the download is not a PDF")
    return ResultPdf(display_name=file.display_name or "Test result", content=file.content)


def offers_pdf(detail: Mapping[str, Any]) -> bool:
    results = detail.get("results")
    first = results[0] if isinstance(results, list) and results and isinstance(results[0], dict) else {}
    report = first.get("reportDetails")
    return isinstance(report, dict) and report.get("isDownloadablePDFReport") is True


@dataclass
class PdfOutcome:
    resources: list[dict[str, Any]] = field(default_factory=list)
    """DocumentReference + Binary, or nothing."""
    problem: str | None = None
    """Set when the chain failed (read again next sync)."""
    pending: bool = False
    """Kaiser is still generating the PDF (ask again next sync)."""


async def pdf_resources(ctx: SyncContext, csrf: str, order_key: str, issued: str | None, label: str) -> PdfOutcome:
    """The order's PDF as resources, or why there are none yet."""
    try:
        pdf = await fetch_result_pdf(ctx.client, csrf, order_key)
    except LoginRequired:
        raise
    except (MalformedPayload, PortalContractError, PortalUnavailable) as exc:
        problem = f"{label}: result PDF not fetched ({exc}); will retry next sync"
        log.warning("event=result_pdf_failed surface=test-results %s", problem)
        return PdfOutcome(problem=problem)
    if isinstance(pdf, PdfGenerating):
        log.info("event=result_pdf_pending %s", label)
        return PdfOutcome(pending=True)
    if pdf is None:
        return PdfOutcome()
    translated = translate_result_pdf(order_key, pdf.display_name, pdf.content, ctx.translation(), issued=issued)
    return PdfOutcome(resources=translated.resources)


def kept_pdf(store: ResourceStore | None, order_key: str) -> list[dict[str, Any]]:
    """The stored DocumentReference and its Binary for an unchanged order (none if it had no PDF)."""
    kept = stored_with_references(store, "DocumentReference", result_document_id(order_key), _attachment_urls)
    return kept or []


def _attachment_urls(document: dict[str, Any]) -> list[str]:
    return [str(c.get("attachment", {}).get("url", "")) for c in document.get("content") or [] if c.get("attachment")]
