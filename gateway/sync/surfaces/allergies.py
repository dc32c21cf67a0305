"""The allergies surface: one ``LoadListData`` call -> AllergyIntolerances (or the "no known allergies" one)."""

from __future__ import annotations

from gateway.kaiser.surfaces import allergies
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.allergies import translate_allergy_list


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(allergies.SURFACE, 1)
    body = await allergies.fetch_allergy_list(ctx.client)
    collected = Collected(result=translate_allergy_list(body, ctx.translation()))
    ctx.progress.surface_advanced(allergies.SURFACE)
    return collected


ALLERGIES = Surface(allergies.SURFACE, "Allergies", ("AllergyIntolerance",), _collect)
