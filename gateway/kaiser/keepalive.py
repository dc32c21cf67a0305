"""The keepalive pulse a sync runs in the background (KAISER_API.md §1.5): ``keepalive.asp?cnt=N`` every 30 s.

The loop stops at the first failed pulse and never re-logs in itself: the next real request meets the
dead session and the request layer handles it there.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass

import httpx2

from gateway.kaiser.errors import KaiserError
from gateway.kaiser.portal_client import PortalClient

log = logging.getLogger("fhirgate.kaiser")

KEEPALIVE_SECONDS = 30.0


@dataclass
class KeepaliveState:
    pulses: int = 0
    stopped_by: str | None = None
    """Why the loop ended early (the first failure), or None while it runs or was just cancelled."""


@contextlib.asynccontextmanager
async def keepalive_running(
    client: PortalClient,
    *,
    interval: float = KEEPALIVE_SECONDS,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> AsyncIterator[KeepaliveState]:
    """Pulse while the ``async with`` body runs (a sync); the first pulse comes one interval in."""
    state = KeepaliveState()

    async def pulse_forever() -> None:
        while True:
            await sleep(interval)
            try:
                await client.keepalive(state.pulses + 1)
            except (KaiserError, httpx2.TransportError) as exc:
                state.stopped_by = type(exc).__name__
                log.info("event=keepalive_stopped pulses=%d reason=%s", state.pulses, state.stopped_by)
                return
            state.pulses += 1

    task = asyncio.create_task(pulse_forever())
    try:
        yield state
    finally:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
