"""The profile surface: Patient, Coverage and Organizations; runs first (it yields the patient id)."""

from __future__ import annotations

from gateway.kaiser.surfaces import profile
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.profile import patient_id_from_profile, translate_profile


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(profile.SURFACE, 1)
    raw = await profile.fetch_profile(ctx.client)
    ctx.patient_id = patient_id_from_profile(raw)
    ctx.guid = profile.patient_guid(raw)
    collected = Collected(result=translate_profile(raw, ctx.translation()))
    ctx.progress.surface_advanced(profile.SURFACE)
    return collected


PROFILE = Surface(profile.SURFACE, "Profile", ("Patient", "Coverage", "Organization"), _collect)
