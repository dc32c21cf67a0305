"""Test results: list (``GetList``) and details (``GetDetails``, which also needs the page nonce) (§2.6)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient

SURFACE = "test-results"
PAGE = "app/test-results"
MAX_RESULTS = 200  # the portal shows no paging cursor; 200 is the cap OpenKP found safe


@dataclass(frozen=True)
class LabListItem:
    key: str
    entry: dict[str, Any]
    group: dict[str, Any] | None


@dataclass(frozen=True)
class LabPageTokens:
    csrf: str
    nonce: str


async def page_tokens(client: PortalClient) -> LabPageTokens:
    """One CSRF token and page nonce serve a whole walk of list + detail calls."""
    nonce = await client.page_nonce(PAGE)
    return LabPageTokens(csrf=await client.csrf_token(PAGE), nonce=nonce)


async def fetch_lab_list(client: PortalClient, tokens: LabPageTokens) -> list[LabListItem]:
    body = await client.mychart_post_json(
        "api/test-results/GetList",
        {"groupType": "ORDER", "searchString": "", "maxResults": MAX_RESULTS, "isCurAdmFilterEnabled": False},
        surface=SURFACE,
        key="GetList",
        referer_path=PAGE,
        csrf=tokens.csrf,
    )
    results = body.get("newResults") if isinstance(body, dict) else None
    if not isinstance(results, dict):
        raise MalformedPayload(SURFACE, "GetList", "no newResults object")
    groups = body.get("newResultGroups") or []
    group_of: dict[str, dict[str, Any]] = {}
    for group in groups if isinstance(groups, list) else []:
        if isinstance(group, dict):
            listed = group.get("resultList")
            for order_key in listed if isinstance(listed, list) else []:
                group_of[str(order_key).rstrip("^")] = group
    items = []
    for raw_key, entry in results.items():
        if not isinstance(entry, dict):
            continue
        key = str(entry.get("key") or raw_key).rstrip("^")  # list keys carry a trailing caret
        items.append(LabListItem(key=key, entry=entry, group=group_of.get(key)))
    return items


async def fetch_lab_detail(client: PortalClient, tokens: LabPageTokens, order_key: str) -> dict[str, Any]:
    body = await client.mychart_post_json(
        "api/test-results/GetDetails",
        {"orderKey": order_key, "organizationID": "", "PageNonce": tokens.nonce},
        surface=SURFACE,
        key=order_key,
        referer_path=PAGE,
        csrf=tokens.csrf,
    )
    if not isinstance(body, dict):
        raise MalformedPayload(SURFACE, order_key, "detail is not a JSON object")
    return body
