"""The relationships surface: the emergency-contact roster as RelatedPersons (one list call).

Emergency contacts / relationships: ``POST Demographics/Relationships/GetRelationshipList`` (§2.2).

A form-encoded POST with the anti-forgery header; the answer's ``Success`` is the string ``"1"``.
"""

from __future__ import annotations

from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.relationships import translate_relationships

SURFACE = "relationships"
PAGE = "AdvancedCarePlanning"
FORM = {"getEOLDocs": "true", "disableUTF8": "true"}


async def fetch_relationships(client: PortalClient) -> dict[str, Any]:
    csrf = await client.csrf_token(PAGE)
    body = await client.mychart_post_form(
        "Demographics/Relationships/GetRelationshipList",
        FORM,
        surface=SURFACE,
        key="GetRelationshipList",
        referer_path=PAGE,
        csrf=csrf,
    )
    if not isinstance(body, dict) or not isinstance(body.get("Relationships"), list):
        raise MalformedPayload(SURFACE, "GetRelationshipList", "no Relationships list")
    return body


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(SURFACE, 1)
    raw = await fetch_relationships(ctx.client)
    collected = Collected(result=translate_relationships(raw, ctx.translation()))
    ctx.progress.surface_advanced(SURFACE)
    return collected


RELATIONSHIPS = Surface(SURFACE, "Contacts and relationships", ("RelatedPerson",), _collect)
