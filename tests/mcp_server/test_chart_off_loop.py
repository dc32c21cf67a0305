"""Chart rendering runs off the event loop: other coroutines keep running while a chart renders, and a
cancelled call stops waiting for it (behaviour, not a benchmark: lag is compared with the render itself)."""

from __future__ import annotations

import asyncio
import time
from datetime import date, timedelta

import pytest

from mcp_server.trend_chart import render_trend_png

START = date(2015, 1, 1)
# Enough points that a render takes a good fraction of a second on a loaded machine.
POINTS = [(START + timedelta(days=i), 80 + (i * 37 % 60)) for i in range(4_000)]


async def _render() -> bytes:
    return await render_trend_png(POINTS, title="Glucose", unit="mg/dL", band=(70.0, 99.0))


async def test_the_loop_keeps_ticking_while_a_chart_renders() -> None:
    await _render()  # matplotlib imported: the timed render is drawing only
    gaps: list[float] = []
    rendering = True

    async def ticker() -> None:
        last = time.monotonic()
        while rendering:
            await asyncio.sleep(0.002)
            now = time.monotonic()
            gaps.append(now - last)
            last = now

    ticks = asyncio.create_task(ticker())
    started = time.monotonic()
    png = await _render()
    render_seconds = time.monotonic() - started
    rendering = False
    await ticks
    assert png.startswith(b"\x89PNG")
    # Rendered on the loop, the ticker would tick at most twice, one gap as long as the render. A
    # loaded machine may starve the loop's thread for a while, so no single gap is held to milliseconds.
    assert len(gaps) >= 10, "the ticker ran throughout the render"
    assert sorted(gaps)[len(gaps) // 2] < render_seconds / 20, (sorted(gaps)[len(gaps) // 2], render_seconds)
    ticking = sum(gap for gap in gaps if gap < render_seconds / 10)
    assert ticking > render_seconds / 3, "the loop ran in short steps for much of the render"


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
