"""The medications surface: the pharmacy BFF's rxDetails (needs the GUID from the profile)."""

from __future__ import annotations

from gateway.kaiser.surfaces import medications
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.medications import translate_rx_details


async def _collect(ctx: SyncContext) -> Collected:
    if ctx.guid is None:
        raise RuntimeError("the profile surface must run first")
    ctx.progress.surface_total(medications.SURFACE, 1)
    raw = await medications.fetch_rx_details(ctx.client, ctx.guid)
    collected = Collected(result=translate_rx_details(raw, ctx.translation()))
    ctx.progress.surface_advanced(medications.SURFACE)
    return collected


MEDICATIONS = Surface(
    medications.SURFACE, "Medications", ("MedicationRequest", "Medication", "MedicationDispense"), _collect
)
