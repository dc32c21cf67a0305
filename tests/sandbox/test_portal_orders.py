"""Upcoming orders: the home feed (POST only), the orders page nonce, GetUpcomingOrders and its shape."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

from tests.sandbox.portal_driver import BASE, PortalDriver

FEED = "/mychartcn/MixedItemFeed"
ORDERS = "/mychartcn/api/upcoming-orders/GetUpcomingOrders"
_ISO_OR_EMPTY = re.compile(r"(\d{4}-\d{2}-\d{2})?")


def _feed_ids(driver: PortalDriver) -> list[str]:
    headers = {"Referer": f"{BASE}/mychartcn/Home", "__RequestVerificationToken": driver.csrf_token(),
               "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
    feed = driver.client.post(FEED, params={"noCache": "0.3"}, content="", headers=headers).json()
    uris = [item["PrimaryAction"]["Uri"] for model in feed["SingleItemFeedViewModels"] for item in model["FeedItems"]]
    return [parse_qs(urlsplit(uri).query)["ordid"][0] for uri in uris if "upcoming-orders" in uri]


def test_feed_get_goes_to_four_oh_four_and_missing_token_to_five_hundred(signed_in: PortalDriver) -> None:
    get = signed_in.client.get(FEED, follow_redirects=False)
    assert get.headers["location"].endswith("/mychartcn/Home/FourOhFour")
    post = signed_in.client.post(FEED, headers={"Referer": f"{BASE}/mychartcn/Home"}, follow_redirects=False)
    assert "/mychartcn/Home/FiveHundred?aspxerrorpath=" in post.headers["location"]


def test_orders_need_page_nonce_and_return_three_keyed_maps(signed_in: PortalDriver) -> None:
    ordid = _feed_ids(signed_in)[0]
    assert signed_in.client.get("/mychartcn/app/upcoming-orders", follow_redirects=False).status_code == 302
    page = signed_in.client.get("/mychartcn/app/upcoming-orders", params={"ordid": ordid}).text
    match = re.search(r'nonce="([0-9a-f]{32})"', page)
    assert match
    headers = {"Referer": f"{BASE}/mychartcn/app/upcoming-orders?ordid={ordid}",
               "__RequestVerificationToken": signed_in.csrf_token()}  # fmt: skip
    stale = signed_in.client.post(ORDERS, json={"selectedOrderID": ordid, "PageNonce": "f" * 32}, headers=headers,
                                  follow_redirects=False)  # fmt: skip
    assert stale.headers["location"].endswith("/Home/FiveHundred")
    body = signed_in.client.post(ORDERS, json={"selectedOrderID": ordid, "PageNonce": match[1]}, headers=headers).json()
    assert set(body) == {"orderGroupList", "orderList", "providerList", "upcomingOrdersSettings"}
    orders = list(body["orderList"].values())
    dates = [o[k] for o in orders for k in o if k.endswith("ISO")]
    assert all(_ISO_OR_EMPTY.fullmatch(d) for d in dates) and "" in dates
    assert any("<" in o["instructions"] for o in orders) and {o["actionableDateType"] for o in orders} == {"expire"}
