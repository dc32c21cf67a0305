"""Chart rendering runs off the event loop: other coroutines keep running while a chart renders, and a
cancelled call stops waiting for it (behaviour, not a benchmark: lag is compared with the render itself)."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import pytest

from mcp_server.tools.trend_chart import render_trend_png

START = date(2015, 1, 1)
# Enough points that a render takes a good fraction of a second on a loaded machine.
POINTS = [(START + timedelta(days=i), 80 + (i * 37 % 60)) for i in range(4_000)]


async def _render() -> bytes:
    return await render_trend_png(POINTS, title="Glucose", unit="mg/dL", band=(70.0, 99.0))


async def test_the_loop_keeps_ticking_while_a_chart_renders() -> None:
    await _render()  # matplotlib imported: the render below is drawing only
    rendering = asyncio.create_task(_render())
    await asyncio.sleep(0)  # the render task starts
    ticks = 0
    # Rendered on the loop, the task would have run to its end before the loop came back here, and the
    # loop could not go round while it drew. Off the loop, the loop keeps going round while it draws.
    while not rendering.done():
        ticks += 1
        await asyncio.sleep(0)
    assert (await rendering).startswith(b"\x89PNG")
    assert ticks >= 10, ticks


async def test_a_cancelled_render_stops_waiting_at_once() -> None:
    started = time.monotonic()
    await _render()
    render_seconds = time.monotonic() - started
    task = asyncio.create_task(_render())
    await asyncio.sleep(render_seconds / 10)
    started = time.monotonic()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert task.cancelled()
    assert time.monotonic() - started < render_seconds / 3, "did not wait for the rest of the render"
