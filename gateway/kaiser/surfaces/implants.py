"""The implants surface: one ``GetImplants`` call -> Devices and their implant/explant Procedures.

Implants: ``api/implants/GetImplants`` (§2.12), one call, no paging.
"""

from __future__ import annotations

from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.implants import translate_implants

SURFACE = "implants"
PAGE = "app/implants"


async def fetch_implants(client: PortalClient) -> dict[str, Any]:
    csrf = await client.csrf_token(PAGE)
    body = await client.mychart_post_json(
        "api/implants/GetImplants", {}, surface=SURFACE, key="GetImplants", referer_path=PAGE, csrf=csrf
    )
    if not isinstance(body, dict) or not isinstance(body.get("implantList"), dict):
        raise MalformedPayload(SURFACE, "GetImplants", "no implantList object")
    return body


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(SURFACE, 1)
    body = await fetch_implants(ctx.client)
    collected = Collected(result=translate_implants(body, ctx.translation()))
    ctx.progress.surface_advanced(SURFACE)
    return collected


IMPLANTS = Surface(SURFACE, "Implants", ("Device", "Procedure"), _collect)
