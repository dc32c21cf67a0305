"""The problem-list surface: one ``LoadListData`` call -> Conditions.

Problem list: ``Clinical/HealthIssues/LoadListData`` (§2.8), one call, the whole list.
"""

from __future__ import annotations

from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.problems import translate_problem_list

SURFACE = "problems"
PAGE = "Clinical/HealthIssues"
LIST_QUERY = {"csn": "undefined", "ComponentNumber": "4"}  # "undefined" is literally what the page sends


async def fetch_list_data(client: PortalClient, page: str, surface: str) -> dict[str, Any]:
    """``POST <page>/LoadListData`` with the problem/allergy contract; the body must hold a ``DataList`` list."""
    csrf = await client.csrf_token(page)
    body = await client.mychart_post_query(
        f"{page}/LoadListData", LIST_QUERY, surface=surface, key="LoadListData", referer_path=page, csrf=csrf, body={}
    )
    if not isinstance(body, dict) or not isinstance(body.get("DataList"), list):
        raise MalformedPayload(surface, "LoadListData", "no DataList list")
    return body


async def fetch_problem_list(client: PortalClient) -> dict[str, Any]:
    return await fetch_list_data(client, PAGE, SURFACE)


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(SURFACE, 1)
    body = await fetch_problem_list(ctx.client)
    collected = Collected(result=translate_problem_list(body, ctx.translation()))
    ctx.progress.surface_advanced(SURFACE)
    return collected


PROBLEMS = Surface(SURFACE, "Problem list", ("Condition",), _collect)
