"""The visit-notes surface: the past-visit list every time; notes, AVS and its PDF only for visits new or
changed since the last sync.

A visit is known by its CSN and judged changed by the portal's own timestamp and document flags in its
list entry (``VISIT_SIGNALS``), never by session-scoped handles (``Dat``, the provider's ``EncryptedId``)
or display that ages (``PastVisitBucket``). The sync state maps a fhirgate key per visit (a hash, never
the CSN) to that fingerprint and the ids of the resources it produced, taken back from the store while
the visit is unchanged. Cancelled, no-show and walked-out visits have no documents and are not asked.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from typing import Any

from gateway.kaiser.errors import MalformedPayload, PortalContractError
from gateway.kaiser.surfaces import appointments, visit_notes
from gateway.sync.kept import content_fingerprint, stored_resources
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.ids import stable_id
from translators.visit_notes import translate_visit_documents

log = logging.getLogger("fhirgate.sync")

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
    ctx.progress.surface_total(visit_notes.SURFACE, len(visits))
    previous: dict[str, Any] = ctx.previous_state.get("visits") or {}
    state: dict[str, Any] = {}
    collected = Collected()
    translation = ctx.translation()

    async def one(visit: dict[str, Any]) -> None:
        csn = str(visit["Csn"])
        key, fingerprint = stable_id(visit_notes.SURFACE, f"visit:{csn}"), visit_fingerprint(visit)
        kept = previous.get(key) or {}
        stored = stored_resources(ctx.store, kept.get("ids") or []) if kept.get("fp") == fingerprint else None
        if stored is not None:
            collected.result.resources.extend(stored)
            state[key] = kept
        else:
            try:
                raw = await visit_notes.fetch_visit_documents(ctx.client, csn)
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
        ctx.progress.surface_advanced(visit_notes.SURFACE)

    await asyncio.gather(*(one(visit) for visit in visits))
    collected.sync_state = {"visits": state}
    return collected


def visit_fingerprint(visit: dict[str, Any]) -> str:
    return content_fingerprint({name: visit.get(name) for name in VISIT_SIGNALS})


VISIT_NOTES = Surface(visit_notes.SURFACE, "Visit notes", ("DocumentReference", "Binary"), _collect)
