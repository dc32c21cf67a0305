"""The profile surface: Patient, Coverage and Organizations; runs first (it yields the patient id).

It also reads the care team's ``Load`` for the Primary Care Provider (``Patient.generalPractitioner``):
the Patient belongs to this surface, and the care-team surface, which stores that Practitioner, runs later.
"""

from __future__ import annotations

from gateway.kaiser.errors import MalformedPayload, PortalContractError, PortalUnavailable
from gateway.kaiser.surfaces import care_team, profile
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.care_team import primary_care_reference
from translators.profile import patient_id_from_profile, translate_profile


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(profile.SURFACE, 1)
    raw = await profile.fetch_profile(ctx.client)
    ctx.patient_id = patient_id_from_profile(raw)
    ctx.guid = profile.patient_guid(raw)
    collected = Collected()
    general_practitioner = await _primary_care(ctx, collected)
    collected.result = translate_profile(raw, ctx.translation(), general_practitioner=general_practitioner)
    ctx.progress.surface_advanced(profile.SURFACE)
    return collected


async def _primary_care(ctx: SyncContext, collected: Collected) -> str | None:
    """The PCP's Practitioner reference from the care team's ``Load`` (the care-team surface stores it)."""
    try:
        return primary_care_reference(await care_team.fetch_care_team_load(ctx.client))
    except (MalformedPayload, PortalContractError, PortalUnavailable) as exc:
        collected.problems.append(f"surface=profile: care team unreadable, generalPractitioner omitted ({exc})")
        return None


PROFILE = Surface(profile.SURFACE, "Profile", ("Patient", "Coverage", "Organization"), _collect)
