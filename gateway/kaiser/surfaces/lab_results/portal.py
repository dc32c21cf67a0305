"""Lab results' portal requests: the list (``GetList``) and details (``GetDetails``, which also needs the
page nonce) (KAISER_API.md §2.6)."""

from __future__ import annotations

import asyncio
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


class LabPageTokens:
    """The test-results page's tokens for a whole walk of list + detail calls: the CSRF token (every call)
    and the page nonce, which only ``GetDetails`` needs: it is fetched once, on the first detail asked for,
    so a walk that reads no detail never loads it."""

    def __init__(self, client: PortalClient, csrf: str) -> None:
        self.csrf = csrf
        self._client = client
        self._nonce: str | None = None
        self._nonce_lock = asyncio.Lock()

    async def nonce(self) -> str:
        async with self._nonce_lock:  # concurrent details share one fetch
            if self._nonce is None:
                self._nonce = await self._client.page_nonce(PAGE)
            return self._nonce


async def page_tokens(client: PortalClient) -> LabPageTokens:
    return LabPageTokens(client, await client.csrf_token(PAGE))


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
    nonce = await tokens.nonce()
    body = await client.mychart_post_json(
        "api/test-results/GetDetails",
        {"orderKey": order_key, "organizationID": "", "PageNonce": nonce},
        surface=SURFACE,
        key=order_key,
        referer_path=PAGE,
        csrf=tokens.csrf,
    )
    if not isinstance(body, dict):
        raise MalformedPayload(SURFACE, order_key, "detail is not a JSON object")
    return body
