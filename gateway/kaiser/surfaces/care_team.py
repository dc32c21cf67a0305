"""The care-team surface: CareTeam, Practitioners and PractitionerRoles from ``Load`` + ``LoadExternal``.

``Patient.generalPractitioner`` is set by the profile surface (it reads ``Load`` itself, because the
profile runs first and owns the Patient); both use the same Practitioner id for the same provider.

Care team: ``POST Clinical/CareTeam/Load`` and ``LoadExternal`` (§2.3).

Empty bodies with the parameters in the query string; one anti-forgery token serves both calls.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.care_team import translate_care_team

SURFACE = "care-team"
PAGE = "clinical/careteam"


@dataclass(frozen=True)
class CareTeamPayloads:
    load: dict[str, Any]
    external: dict[str, Any]


def _query(*, standalone: bool) -> dict[str, str]:
    params = {"hfrId": "", "sources": "", "actions": ""}
    if standalone:
        params["isPrimaryStandalone"] = "true"
    params["ComponentNumber"] = "2"
    params["noCache"] = f"{random.random():.16f}"  # noqa: S311 - a cache-buster, not a secret
    return params


async def _load(client: PortalClient, action: str, csrf: str, *, standalone: bool) -> dict[str, Any]:
    headers = {
        "Accept": "application/json, text/javascript, */*; q=0.01",
        "X-Requested-With": "XMLHttpRequest",
        "Referer": client.mychart_url(PAGE),
        "Origin": client.kaiser.portal_url,
        "__RequestVerificationToken": csrf,
    }
    body = await client.request_json(
        "POST",
        client.mychart_url(f"Clinical/CareTeam/{action}"),
        surface=SURFACE,
        key=action,
        headers=headers,
        params=_query(standalone=standalone),
    )
    if not isinstance(body, dict) or not isinstance(body.get("ProvidersList"), list):
        raise MalformedPayload(SURFACE, action, "no ProvidersList")
    return body


async def fetch_care_team_load(client: PortalClient) -> dict[str, Any]:
    """Only ``Load``: what the profile step needs to find the Primary Care Provider."""
    return await _load(client, "Load", await client.csrf_token(PAGE), standalone=True)


async def fetch_care_team(client: PortalClient) -> CareTeamPayloads:
    csrf = await client.csrf_token(PAGE)
    load = await _load(client, "Load", csrf, standalone=True)
    return CareTeamPayloads(load=load, external=await _load(client, "LoadExternal", csrf, standalone=False))


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(SURFACE, 1)
    payloads = await fetch_care_team(ctx.client)
    collected = Collected(result=translate_care_team(payloads.load, ctx.translation(), external=payloads.external))
    ctx.progress.surface_advanced(SURFACE)
    return collected


CARE_TEAM = Surface(SURFACE, "Care team", ("CareTeam", "Practitioner", "PractitionerRole"), _collect)
