"""The lab-results surface's collection step (surface key ``test-results``): the list every time, details
only for orders new or changed since last sync.

An order's list entry (and its group's ``sortDate``) is fingerprinted; the sync state maps each
DiagnosticReport id (never Kaiser's sensitive order key) to that fingerprint. An unchanged order's
DiagnosticReport and Observations are taken back from the store, so every sync writes the whole
surface. The page nonce (needed only by GetDetails) is fetched, by the page's tokens, only when some
detail is. A fetched order that offers a PDF also gets its DocumentReference + Binary (``pdf``); a PDF Kaiser was
still generating is kept in the sync state as pending (by DiagnosticReport id) and asked for again on
the next sync, which then reads nothing else of that unchanged order.

GetList has no paging cursor (KAISER_API.md §2.6.1): a list that fills ``maxResults`` is reported as a
problem (older results unreachable), not silently treated as complete.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.surfaces.kept import content_fingerprint, report_results, stored_with_references
from gateway.kaiser.surfaces.lab_results.pdf import PdfOutcome, kept_pdf, offers_pdf, pdf_resources
from gateway.kaiser.surfaces.lab_results.portal import (
    MAX_RESULTS,
    SURFACE,
    LabListItem,
    fetch_lab_detail,
    fetch_lab_list,
    page_tokens,
)
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.ids import stable_id
from translators.lab_results import translate_lab_result

log = logging.getLogger("fhirgate.sync")


async def _collect(ctx: SyncContext) -> Collected:
    tokens = await page_tokens(ctx.client)
    items = await fetch_lab_list(ctx.client, tokens)
    ctx.progress.surface_total(SURFACE, len(items))
    translation = ctx.translation()
    previous: dict[str, Any] = ctx.previous_state.get("orders") or {}
    was_pending = set(ctx.previous_state.get("pending_pdfs") or [])
    collected = Collected()
    fingerprints: dict[str, str] = {}
    pending: set[str] = set()
    to_fetch: list[LabListItem] = []
    to_ask: list[tuple[LabListItem, str | None]] = []
    for item in items:
        report_id = _report_id(item)
        fingerprint = _fingerprint(item)
        kept = (
            stored_with_references(ctx.store, "DiagnosticReport", report_id, report_results)
            if previous.get(report_id) == fingerprint
            else None
        )
        if kept is None:
            to_fetch.append(item)
            continue
        collected.result.resources.extend(kept + kept_pdf(ctx.store, item.key))
        fingerprints[report_id] = fingerprint
        if report_id in was_pending:
            to_ask.append((item, kept[0].get("issued")))
        else:
            ctx.progress.surface_advanced(SURFACE)

    async def pdf(item: LabListItem, issued: str | None) -> PdfOutcome:
        outcome = await pdf_resources(ctx, tokens.csrf, item.key, issued, _named(item))
        collected.result.resources.extend(outcome.resources)
        if outcome.pending:
            pending.add(_report_id(item))
        if outcome.problem is not None:
            collected.problems.append(outcome.problem)
        return outcome

    async def ask_again(item: LabListItem, issued: str | None) -> None:
        if (await pdf(item, issued)).problem is not None:
            pending.add(_report_id(item))  # still owed: asked again next sync
        ctx.progress.surface_advanced(SURFACE)

    async def one(item: LabListItem) -> None:
        try:
            detail = await fetch_lab_detail(ctx.client, tokens, item.key)
        except MalformedPayload as exc:
            collected.failed += 1
            collected.problems.append(_skipped(item, exc.reason))
        else:
            # Validation is CPU-heavy; in a worker thread it overlaps the other details' network waits.
            translated = await asyncio.to_thread(
                translate_lab_result, item.entry, detail, translation, group=item.group
            )
            collected.result.extend(translated)
            report_id = _report_id(item)
            issued = next((r.get("issued") for r in translated.resources if r["id"] == report_id), None)
            if not offers_pdf(detail) or (await pdf(item, issued)).problem is None:
                fingerprints[report_id] = _fingerprint(item)  # else read again next time
        ctx.progress.surface_advanced(SURFACE)

    await asyncio.gather(*(one(item) for item in to_fetch), *(ask_again(item, at) for item, at in to_ask))
    if len(items) >= MAX_RESULTS:
        collected.problems.append(
            f"the portal lists at most {MAX_RESULTS} results, with no paging: older results are not reachable"
        )
    log.info("event=test_results_listed listed=%d fetched=%d pdfs_pending=%d", len(items), len(to_fetch), len(pending))
    collected.sync_state = {"orders": fingerprints, "pending_pdfs": sorted(pending)}
    return collected


def _report_id(item: LabListItem) -> str:
    return stable_id(SURFACE, f"dr:{item.key}")


def _fingerprint(item: LabListItem) -> str:
    return content_fingerprint({"entry": item.entry, "sortDate": (item.group or {}).get("sortDate")})


def _named(item: LabListItem) -> str:
    # Name the result by its FHIR id and order name, not by Kaiser's opaque (sensitive) key.
    return f"result {str(item.entry.get('name') or 'unnamed order')!r} (DiagnosticReport/{_report_id(item)})"


def _skipped(item: LabListItem, reason: str) -> str:
    message = f"surface=test-results {_named(item)} skipped: {reason}"
    log.warning("event=item_skipped %s", message)
    return message


LAB_RESULTS = Surface(
    SURFACE,
    "Test results",
    ("DiagnosticReport", "Observation", "DocumentReference", "Binary", "Provenance"),
    _collect,
)
