"""The upcoming-orders surface: order ids from the home feed, then one GetUpcomingOrders -> ServiceRequests.

No feed item linking to an order means no pending orders: the surface commits an empty batch.
"""

from __future__ import annotations

from gateway.kaiser.surfaces import upcoming_orders
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.upcoming_orders import translate_upcoming_orders


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(upcoming_orders.SURFACE, 1)
    ids = await upcoming_orders.fetch_order_ids(ctx.client)
    collected = Collected()
    if ids:
        body = await upcoming_orders.fetch_upcoming_orders(ctx.client, ids[0])
        collected.result = translate_upcoming_orders(body, ctx.translation())
    ctx.progress.surface_advanced(upcoming_orders.SURFACE)
    return collected


UPCOMING_ORDERS = Surface(upcoming_orders.SURFACE, "Upcoming orders", ("ServiceRequest",), _collect)
