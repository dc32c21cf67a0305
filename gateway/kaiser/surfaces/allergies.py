"""The allergies surface: one ``LoadListData`` call -> AllergyIntolerances (or the "no known allergies" one).

Allergies: ``Clinical/Allergies/LoadListData`` (§2.9), the problem list's contract on another page.
"""

from __future__ import annotations

from typing import Any

from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.problems import fetch_list_data
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.allergies import translate_allergy_list

SURFACE = "allergies"
PAGE = "Clinical/Allergies"


async def fetch_allergy_list(client: PortalClient) -> dict[str, Any]:
    return await fetch_list_data(client, PAGE, SURFACE)


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(SURFACE, 1)
    body = await fetch_allergy_list(ctx.client)
    collected = Collected(result=translate_allergy_list(body, ctx.translation()))
    ctx.progress.surface_advanced(SURFACE)
    return collected


ALLERGIES = Surface(SURFACE, "Allergies", ("AllergyIntolerance",), _collect)
