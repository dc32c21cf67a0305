"""The PDF step of the test-results surface: fetch a result's PDF when the portal offers one, or take it
back from the store for an unchanged order. Not a surface of its own (it lives and dies with its order).

A PDF Kaiser is still generating is *pending*: the surface records it in its sync state and the next
sync asks for it again (one request while it is still generating), without re-reading the order.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from gateway.kaiser.errors import LoginRequired, MalformedPayload, PortalContractError, PortalUnavailable
from gateway.kaiser.surfaces.result_pdf import PdfGenerating, fetch_result_pdf
from gateway.store import ResourceStore
from gateway.sync.kept import stored_with_references
from gateway.sync.surfaces.base import SyncContext
from translators.result_documents import result_document_id, translate_result_pdf

log = logging.getLogger("fhirgate.sync")


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
        problem = f"surface=test-results {label}: result PDF not fetched ({exc}); will retry next sync"
        log.warning("event=result_pdf_failed %s", problem)
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
