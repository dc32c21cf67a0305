"""The upcoming-orders surface: order ids from the home feed, then one GetUpcomingOrders -> ServiceRequests.

No feed item linking to an order means no pending orders: the surface commits an empty batch.

Upcoming orders (§2.13): order ids from the home feed, then one ``GetUpcomingOrders`` for all of them.

``MixedItemFeed`` is a form POST (a GET is bounced); its feed items link to
``app/upcoming-orders?ordid=<id>``. That page's CSP nonce goes back as ``PageNonce``.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.upcoming_orders import translate_upcoming_orders

SURFACE = "upcoming-orders"
_MAPS = ("orderGroupList", "orderList", "providerList")


def order_ids(feed: object) -> list[str]:
    """The ``ordid`` values the feed links to, decoded and deduplicated in order."""
    found: list[str] = []
    models = feed.get("SingleItemFeedViewModels") if isinstance(feed, dict) else None
    for model in models if isinstance(models, list) else []:
        items = model.get("FeedItems") if isinstance(model, dict) else None
        for item in items if isinstance(items, list) else []:
            action = item.get("PrimaryAction") if isinstance(item, dict) else None
            uri = action.get("Uri") if isinstance(action, dict) else None
            if not isinstance(uri, str) or "upcoming-orders" not in uri:
                continue
            for ordid in parse_qs(urlsplit(uri).query).get("ordid", []):
                if ordid and ordid not in found:
                    found.append(ordid)
    return found


async def fetch_order_ids(client: PortalClient) -> list[str]:
    csrf = await client.csrf_token("Home")
    feed = await client.mychart_post_form(
        "MixedItemFeed", {}, surface=SURFACE, key="MixedItemFeed", referer_path="Home", csrf=csrf
    )
    return order_ids(feed)


async def fetch_upcoming_orders(client: PortalClient, ordid: str) -> dict[str, Any]:
    page = f"app/upcoming-orders?ordid={quote(ordid, safe='')}"
    nonce = await client.page_nonce(page)
    csrf = await client.csrf_token(page)
    body = await client.mychart_post_json(
        "api/upcoming-orders/GetUpcomingOrders",
        {"selectedOrderID": ordid, "PageNonce": nonce},
        surface=SURFACE,
        key="GetUpcomingOrders",
        referer_path=page,
        csrf=csrf,
    )
    if not isinstance(body, dict) or any(not isinstance(body.get(name), dict) for name in _MAPS):
        raise MalformedPayload(SURFACE, "GetUpcomingOrders", "orderGroupList, orderList or providerList missing")
    return body


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(SURFACE, 1)
    ids = await fetch_order_ids(ctx.client)
    collected = Collected()
    if ids:
        body = await fetch_upcoming_orders(ctx.client, ids[0])
        collected.result = translate_upcoming_orders(body, ctx.translation())
    ctx.progress.surface_advanced(SURFACE)
    return collected


UPCOMING_ORDERS = Surface(SURFACE, "Upcoming orders", ("ServiceRequest",), _collect)
