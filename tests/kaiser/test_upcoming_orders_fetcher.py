"""The upcoming-orders fetcher: home feed (form POST) -> order page nonce -> GetUpcomingOrders."""

from __future__ import annotations

import pytest

from gateway.kaiser.errors import PortalContractError
from gateway.kaiser.surfaces import upcoming_orders
from tests.kaiser.sandbox_portal import signed_in_portal
from translators import TranslationContext, translate_upcoming_orders


async def test_feed_ids_lead_to_every_pending_order() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        ids = await upcoming_orders.fetch_order_ids(client)
        body = await upcoming_orders.fetch_upcoming_orders(client, ids[0])
    assert len(ids) == len(set(ids)) == 2
    assert body == portal.config.patient.upcoming_orders.orders
    result = translate_upcoming_orders(body, TranslationContext(patient_id="p1"))
    assert len(result.resources) == len(body["orderList"]) and not result.warnings


async def test_the_feed_without_the_anti_forgery_header_is_bounced() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await client.mychart_post_form(
                "MixedItemFeed", {}, surface="upcoming-orders", key="feed", referer_path="Home", csrf="forged"
            )


async def test_orders_without_the_page_nonce_are_bounced() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        [first, *_] = await upcoming_orders.fetch_order_ids(client)
        page = f"app/upcoming-orders?ordid={first}"
        csrf = await client.csrf_token(page)
        with pytest.raises(PortalContractError):
            await client.mychart_post_json(
                "api/upcoming-orders/GetUpcomingOrders",
                {"selectedOrderID": first, "PageNonce": "0" * 32},
                surface="upcoming-orders",
                key="orders",
                referer_path=page,
                csrf=csrf,
            )


def test_order_ids_are_decoded_deduplicated_and_ignore_other_feed_items() -> None:
    feed = {
        "SingleItemFeedViewModels": [
            {"FeedItems": [{"PrimaryAction": {"Uri": "app/communication-center"}}, {"PrimaryAction": None}]},
            {"FeedItems": [{"PrimaryAction": {"Uri": "app/upcoming-orders?ordid=WP-24a%2Bb"}}]},
            {"FeedItems": [{"PrimaryAction": {"Uri": "app/upcoming-orders?ordid=WP-24a%2Bb"}}]},
        ]
    }
    assert upcoming_orders.order_ids(feed) == ["WP-24a+b"]
    assert upcoming_orders.order_ids({"unexpected": 1}) == []
