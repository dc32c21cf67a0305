"""The implants surface: one ``GetImplants`` call -> Devices and their implant/explant Procedures."""

from __future__ import annotations

from gateway.kaiser.surfaces import implants
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.implants import translate_implants


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(implants.SURFACE, 1)
    body = await implants.fetch_implants(ctx.client)
    collected = Collected(result=translate_implants(body, ctx.translation()))
    ctx.progress.surface_advanced(implants.SURFACE)
    return collected


IMPLANTS = Surface(implants.SURFACE, "Implants", ("Device", "Procedure"), _collect)
