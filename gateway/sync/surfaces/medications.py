"""The medications surface: rxDetails (needs the GUID from the profile) and the refill orders.

``orderStatus`` lists the orders every time; ``orderDetails`` is fetched for an order that is new or
not yet final (a DELIVERED order never changes again), otherwise its Task and MedicationDispenses are
taken back from the store. The sync state maps Task ids (not Kaiser's order numbers) to the state seen.
"""

from __future__ import annotations

import asyncio
import logging

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.surfaces import medications
from gateway.sync.kept import stored_with_references, task_outputs
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.medications import translate_rx_details
from translators.refill_orders import FINAL_STATES, task_id, translate_refill_order

log = logging.getLogger("fhirgate.sync")


async def _collect(ctx: SyncContext) -> Collected:
    if ctx.guid is None:
        raise RuntimeError("the profile surface must run first")
    raw = await medications.fetch_rx_details(ctx.client, ctx.guid)
    collected = Collected(result=translate_rx_details(raw, ctx.translation()))
    orders = await medications.fetch_order_numbers(ctx.client, ctx.guid)
    ctx.progress.surface_total(medications.SURFACE, 1 + len(orders))
    ctx.progress.surface_advanced(medications.SURFACE)
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
                details = await medications.fetch_order_details(ctx.client, number)
            except MalformedPayload as exc:
                collected.failed += 1
                collected.problems.append(f"surface=medications refill order (Task/{key}) skipped: {exc.reason}")
            else:
                # Off the event loop, so the other orders' requests keep flowing while this validates.
                collected.result.extend(await asyncio.to_thread(translate_refill_order, details, ctx.translation()))
                seen[key] = str(details.get("orderStatus") or state)
        ctx.progress.surface_advanced(medications.SURFACE)

    await asyncio.gather(*(one(number, state) for number, state in orders))
    collected.sync_state = {"orders": seen}
    return collected


MEDICATIONS = Surface(
    medications.SURFACE,
    "Medications",
    ("MedicationRequest", "Medication", "MedicationDispense", "Task", "Provenance"),
    _collect,
)
