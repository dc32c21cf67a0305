"""Mail-order refill history (KAISER_API.md §3.1 tracking): one ``orderDetails`` document per order.

Shapes follow the captured ``orderDetails`` (including the misspelled ``orderComittedDate``, three card
expiry formats and a payment token that must never leave the portal). States other than INPROGRESS
(SHIPPED, DELIVERED) are *inferred*, as is the whole ``orderStatus`` list shape built in
``order_status_list``. Orders are drawn from their own ``random.Random`` so other builders' draws stay put.
"""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.patient.opaque import digits
from sandbox.patient.timeline import ANCHOR_DATE, mmddyyyy

__all__ = ["build_refill_orders", "order_status_list", "placed_order"]

_STATES = ("DELIVERED", "SHIPPED", "INPROGRESS")
_DIGITAL = {"DELIVERED": "Delivered", "SHIPPED": "Shipped", "INPROGRESS": "In Progress"}


def build_refill_orders(seed: int, rx_details: dict[str, Any], orders_per_rx: int) -> tuple[dict[str, Any], ...]:
    """``orders_per_rx`` past mail orders for every mailable prescription, newest last; the newest order
    is still in progress and the one before it shipped."""
    rng = random.Random(f"{seed}:refill-orders")
    member = rx_details["member"]
    prescriptions = rx_details["prescriptions"]["fillable"] + rx_details["prescriptions"]["nonFillable"]
    mailable = [rx for rx in prescriptions if rx.get("mailable") == "true"]
    placed: list[tuple[datetime, list[dict[str, Any]]]] = []
    for round_index in range(orders_per_rx):
        batch = [rx for rx in mailable if rng.random() < 0.8] or mailable[:1]
        for start in range(0, len(batch), 3):
            days_back = 30 + (orders_per_rx - round_index) * 90 + rng.randint(0, 20)
            moment = datetime(ANCHOR_DATE.year, ANCHOR_DATE.month, ANCHOR_DATE.day, 18, tzinfo=UTC)
            placed.append((moment - timedelta(days=days_back, minutes=rng.randint(0, 600)), batch[start : start + 3]))
    placed.sort(key=lambda item: item[0])
    documents = []
    for index, (moment, rows) in enumerate(placed):
        state = _STATES[2] if index == len(placed) - 1 else _STATES[1] if index == len(placed) - 2 else _STATES[0]
        documents.append(_order(rng, member, moment, rows, state))
    return tuple(documents)


def placed_order(
    member: dict[str, Any], rows: list[dict[str, Any]], order_number: str, placed: datetime
) -> dict[str, Any]:
    """The tracking document of an order the sandbox's ``placeorderMail`` just accepted: in progress,
    no tracking number yet, drawn from its own generator so it is the same at every read."""
    document = _order(random.Random(f"placed:{order_number}"), member, placed, rows, "INPROGRESS")
    return {**document, "orderNumber": order_number}


def _order(
    rng: random.Random, member: dict[str, Any], placed: datetime, rows: list[dict[str, Any]], state: str
) -> dict[str, Any]:
    number = f"030{uuid.UUID(int=rng.getrandbits(128), version=4).hex}{placed:%Y%m%d%H%M%S}"
    last4 = digits(rng, 4)
    return {
        "orderNumber": number,
        "orderType": "MAIL",
        "orderStatus": state,
        "digitalStatus": _DIGITAL[state],
        "orderPlacedDate": placed.strftime("%Y-%m-%dT%H:%M:%S.") + f"{rng.randint(0, 999):03d}Z",
        "orderComittedDate": (placed + timedelta(minutes=3)).strftime("%Y-%m-%dT%H:%M:%S.000Z"),
        "placerName": f"{member['firstName']} {member['lastName']}",
        "paymentInfo": [
            {"cardDigits": last4, "expiryDate": "02/2028", "cardType": "American Express", "cardImageCode": "AM"}
        ],
        "rxList": [_rx_line(rng, member, rx, placed, state, last4) for rx in rows],
        "shippingAddress": {
            "street1": "100 Example Way",
            "city": "Oakland",
            "state": "CA",
            "zipCode": "94612",
            "country": "US",
        },
    }


def _rx_line(
    rng: random.Random, member: dict[str, Any], rx: dict[str, Any], placed: datetime, state: str, last4: str
) -> dict[str, Any]:
    afc = rx["afcInfo"]
    supply = rx["fillOptions"][0]
    return {
        "orderForName": f"{member['firstName']} {member['lastName']}",
        "memberId": member["mrn"],
        "rxmrnrgn": "NCA",
        "rxmrn": member["mrn"],
        "rxNumber": afc["rxnbr"],
        "drugName": rx["medicineName"],
        "drugNdc": afc["lastdispensedndc"],
        "drgSchdl": afc["deacode"],
        "rxStatus": state,
        "rxStatusDetails": _DIGITAL[state],
        "nextFillDate": mmddyyyy((placed + timedelta(days=int(supply["daysSupply"]))).date()),
        "phcPhone": "5105550100",
        "quantity": supply["quantity"],
        "imageUrl": "",
        "ccinfo": [{"lastfour": last4, "exprndt": "2802", "ntwrktyp": "AM", "pcitkn": "tok-" + digits(rng, 12)}],
        "copay": None if state == "INPROGRESS" else supply["estimatedCopay"],
        "nhinid": digits(rng, 8),
        "trackingId": "" if state == "INPROGRESS" else "1Z" + digits(rng, 16),
    }


def order_status_list(orders: tuple[dict[str, Any], ...]) -> dict[str, Any]:
    """*Inferred* ``orderStatus`` body (never captured): the orders with their number and state."""
    return {
        "executionContext": {"statusCode": "000", "statusDetails": "Success"},
        "orders": [
            {
                "orderNumber": order["orderNumber"],
                "orderType": order["orderType"],
                "orderStatus": order["orderStatus"],
                "orderPlacedDate": order["orderPlacedDate"],
            }
            for order in orders
        ],
    }
