"""Upcoming orders (KAISER_API.md §2.13): the home feed items that link to them, and ``GetUpcomingOrders``.

Quirks kept: the three maps are objects keyed by id; dates named ``...ISO`` are plain ``YYYY-MM-DD`` or
``""``; ``instructions`` is HTML; ``actionableDateType`` is ``"expire"``. *Inferred:* the home feed's
other members (only ``PrimaryAction.Uri`` / ``DefaultAction.Uri`` were captured).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import quote

from sandbox.patient.opaque import digits, wp_id
from sandbox.patient.timeline import ANCHOR_DATE

__all__ = ["UpcomingOrders", "build_upcoming_orders"]

_ORDERS = (
    ("POTASSIUM", "<p>No fasting needed.</p>", False, False),
    ("LIPID PANEL", "<p><b>Fast for 12 hours</b> before your test.</p><ul><li>Water is OK.</li></ul>", False, False),
    ("HEMOGLOBIN A1C", "", False, True),
    (
        "XR KNEE 3 VIEWS RIGHT",
        '<p>Wear loose clothing.</p><p style="color:red">Arrive 15 minutes early.</p>',
        False,
        False,
    ),
    ("INR", "<p>Come in every 4 weeks.</p>", True, True),
    ("TSH", "", False, False),
)


@dataclass(frozen=True)
class UpcomingOrders:
    feed: dict[str, Any]
    """The ``MixedItemFeed`` body."""
    orders: dict[str, Any]
    """The ``GetUpcomingOrders`` body."""


def _iso(days: int | None) -> str:
    return "" if days is None else (ANCHOR_DATE + timedelta(days=days)).isoformat()


def _order(rng: random.Random, spec: tuple[str, str, bool, bool], index: int) -> dict[str, Any]:
    name, instructions, standing, prn = spec
    expires = _iso(rng.randint(200, 365))  # the actionable date of an "expire" type is the expiry
    return {
        "id": wp_id(rng, 80),
        "name": name,
        "orderedDateISO": _iso(-rng.randint(5, 90)),
        "actionableDateISO": expires,
        "actionableDateType": "expire",
        "expectedDateISO": _iso(None if index == 2 else rng.randint(3, 40)),
        "expiredDateISO": expires,
        "lastPerformedDateISO": _iso(-rng.randint(100, 400)) if standing else "",
        "comments": ["Please bring your order sheet."] if index == 0 else [],
        "expectedDateComment": "Around your next visit" if index == 1 else "",
        "instructions": instructions,
        "isPRN": prn,
        "isStanding": standing,
        "standingOccurrences": 6 if standing else 0,
        "originalStandingOccurrences": 12 if standing else 0,
        "orderInterval": "Every 4 weeks" if standing else "",
    }


def _feed(order_ids: list[str]) -> dict[str, Any]:
    items = [
        {
            "Title": "You have upcoming tests",
            "PrimaryAction": {
                "Uri": f"app/upcoming-orders?ordid={quote(order_id, safe='')}",
                "Text": "View instructions",
            },
            "DefaultAction": {"Uri": f"epichttp://upcomingorders?ordid={quote(order_id, safe='')}", "Text": ""},
        }
        for order_id in order_ids
    ]
    messages = {"Title": "New message", "PrimaryAction": {"Uri": "app/communication-center", "Text": "Read"}}
    return {"SingleItemFeedViewModels": [{"FeedItems": [messages, *items]}, {"FeedItems": items[:1]}]}


def build_upcoming_orders(rng: random.Random, size: Literal["small", "large"]) -> UpcomingOrders:
    """Pending orders in two groups (``small``: 4 orders; ``large``: 6) and the feed that links to them."""
    specs = _ORDERS[:4] if size == "small" else _ORDERS
    orders = [_order(rng, spec, index) for index, spec in enumerate(specs)]
    provider_id, group_ids = f"PROV-{digits(rng, 6)}", [digits(rng, 8), digits(rng, 8)]
    half = len(orders) // 2
    groups = {
        group_id: {
            "orderIDs": [order["id"] for order in members],
            "visitName": "Office Visit",
            "encProviderID": provider_id,
            "dueDateISO": _iso(30 + 10 * position),
            "encDateISO": _iso(-20 - position),
            "isSnoozed": False,
            "snoozedUntilDateISO": "",
            "schedulingTicketID": "",
            "apptCSN": "",
            "apptDateISO": "",
            "ticketAvailableDateISO": "",
        }
        for position, (group_id, members) in enumerate(zip(group_ids, (orders[:half], orders[half:]), strict=True))
    }
    body = {
        "orderGroupList": groups,
        "orderList": {order["id"]: order for order in orders},
        "providerList": {
            provider_id: {
                "id": provider_id,
                "name": "ALEX SAMPLE MD",
                "photoURL": "",
                "photoBlobKey": "",
                "photoToken": "",
                "photoIsOnBlob": False,
            }
        },
        "upcomingOrdersSettings": {"canHideOrUnhideReminders": True, "selectedOrderGroup": "0"},
    }
    return UpcomingOrders(feed=_feed([orders[0]["id"], orders[half]["id"]]), orders=body)
