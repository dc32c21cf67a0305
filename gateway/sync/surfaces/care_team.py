"""The care-team surface: CareTeam, Practitioners and PractitionerRoles from ``Load`` + ``LoadExternal``.

``Patient.generalPractitioner`` is set by the profile surface (it reads ``Load`` itself, because the
profile runs first and owns the Patient); both use the same Practitioner id for the same provider.
"""

from __future__ import annotations

from gateway.kaiser.surfaces import care_team
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.care_team import translate_care_team


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(care_team.SURFACE, 1)
    payloads = await care_team.fetch_care_team(ctx.client)
    collected = Collected(result=translate_care_team(payloads.load, ctx.translation(), external=payloads.external))
    ctx.progress.surface_advanced(care_team.SURFACE)
    return collected


CARE_TEAM = Surface(care_team.SURFACE, "Care team", ("CareTeam", "Practitioner", "PractitionerRole"), _collect)
