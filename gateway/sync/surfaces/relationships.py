"""The relationships surface: the emergency-contact roster as RelatedPersons (one list call)."""

from __future__ import annotations

from gateway.kaiser.surfaces import relationships
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.relationships import translate_relationships


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(relationships.SURFACE, 1)
    raw = await relationships.fetch_relationships(ctx.client)
    collected = Collected(result=translate_relationships(raw, ctx.translation()))
    ctx.progress.surface_advanced(relationships.SURFACE)
    return collected


RELATIONSHIPS = Surface(relationships.SURFACE, "Contacts and relationships", ("RelatedPerson",), _collect)
