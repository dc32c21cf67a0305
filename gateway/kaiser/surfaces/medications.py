"""Medications and refill-order tracking from the pharmacy BFFs on the API gateway host (§2.7, §3.1).

``rxDetails`` and ``orderStatus`` carry the member identity headers; ``orderDetails`` only the cost and
benefit feature flags, as captured. Failure codes inside 200s are refused by the request layer.
"""

from __future__ import annotations

from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient

SURFACE = "medications"
RX_DETAILS = "rx-cost-inventory-bff/v1/rxDetails"
ORDER_STATUS = "rx-order-management-bff/v1/orderStatus"
ORDER_DETAILS = "rx-order-management-bff/v1/orderDetails"
_COST_FEATURES = {"x-benefitsIndicator-feature": "true", "x-cost-feature": "true"}


async def fetch_rx_details(client: PortalClient, guid: str) -> dict[str, Any]:
    body = await client.pharmacy_get_json(
        RX_DETAILS,
        surface=SURFACE,
        guid=guid,
        params={"prescriptions_filter": "all"},
        extra_headers={**_COST_FEATURES, "x-prescriptionsfilter": "all"},
    )
    if not isinstance(body, dict) or "executionContext" not in body:
        raise MalformedPayload(SURFACE, "rxDetails", f"no executionContext (type: {type(body).__name__})")
    return body


async def fetch_order_numbers(client: PortalClient, guid: str) -> list[tuple[str, str]]:
    """(order number, order status) of every refill order; the list's shape is *inferred* (never captured)."""
    body = await client.pharmacy_get_json(
        ORDER_STATUS, surface=SURFACE, guid=guid, params={}, extra_headers=_COST_FEATURES
    )
    orders = body.get("orders") if isinstance(body, dict) else None
    if not isinstance(orders, list):
        raise MalformedPayload(SURFACE, "orderStatus", f"no orders list (type: {type(orders).__name__})")
    found = []
    for order in orders:
        if isinstance(order, dict) and order.get("orderNumber"):
            found.append((str(order["orderNumber"]), str(order.get("orderStatus") or "")))
    return found


async def fetch_order_details(client: PortalClient, order_number: str) -> dict[str, Any]:
    body = await client.pharmacy_get_json(
        ORDER_DETAILS,
        surface=SURFACE,
        guid=None,
        params={"ordernum": order_number, "pharmacyId": ""},
        extra_headers={"x-cost-feature": "true", "x-benefitsIndicator-feature": "false"},
    )
    if not isinstance(body, dict) or not isinstance(body.get("rxList"), list):
        raise MalformedPayload(SURFACE, "orderDetails", f"no rxList (type: {type(body).__name__})")
    return body
