"""The medications surface: rxDetails (needs the GUID from the profile) and the refill orders.

``orderStatus`` lists the orders every time; ``orderDetails`` is fetched for an order that is new or
not yet final (a DELIVERED order never changes again), otherwise its Task and MedicationDispenses are
taken back from the store. The sync state maps Task ids (not Kaiser's order numbers) to the state seen.

Medications and refill-order tracking from the pharmacy BFFs on the API gateway host (§2.7, §3.1).

``rxDetails`` and ``orderStatus`` carry the member identity headers; ``orderDetails`` only the cost and
benefit feature flags, as captured. Failure codes inside 200s are refused by the request layer.
"""

from __future__ import annotations

import asyncio
from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.kept import stored_with_references, task_outputs
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.medications import translate_rx_details
from translators.refill_orders import FINAL_STATES, task_id, translate_refill_order

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


async def _collect(ctx: SyncContext) -> Collected:
    if ctx.guid is None:
        raise RuntimeError("the profile surface must run first")
    raw = await fetch_rx_details(ctx.client, ctx.guid)
    collected = Collected(result=translate_rx_details(raw, ctx.translation()))
    orders = await fetch_order_numbers(ctx.client, ctx.guid)
    ctx.progress.surface_total(SURFACE, 1 + len(orders))
    ctx.progress.surface_advanced(SURFACE)
    previous: dict[str, str] = ctx.previous_state.get("orders") or {}
    seen: dict[str, str] = {}

    async def one(number: str, state: str) -> None:
        key = task_id(number)
        kept = None
        if state.upper() in FINAL_STATES and previous.get(key) == state:
            kept = stored_with_references(ctx.store, "Task", key, task_outputs)
        if kept is not None:
            collected.result.resources.extend(kept)
            seen[key] = state
        else:
            try:
                details = await fetch_order_details(ctx.client, number)
            except MalformedPayload as exc:
                collected.failed += 1
                collected.problems.append(f"surface=medications refill order (Task/{key}) skipped: {exc.reason}")
            else:
                # Off the event loop, so the other orders' requests keep flowing while this validates.
                collected.result.extend(await asyncio.to_thread(translate_refill_order, details, ctx.translation()))
                seen[key] = str(details.get("orderStatus") or state)
        ctx.progress.surface_advanced(SURFACE)

    await asyncio.gather(*(one(number, state) for number, state in orders))
    collected.sync_state = {"orders": seen}
    return collected


MEDICATIONS = Surface(
    SURFACE,
    "Medications",
    ("MedicationRequest", "Medication", "MedicationDispense", "Task", "Provenance"),
    _collect,
)
