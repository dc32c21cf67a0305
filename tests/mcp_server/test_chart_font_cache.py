"""Charts drawn over and over do not keep loading fonts: matplotlib caches FreeType fonts per thread id,
so charts must be drawn in the same few threads however many event loops and bursts come and go (before
the fix each burst drew in anyio workers that had been replaced, and RSS grew ~30 MB over 400 charts)."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

from matplotlib import font_manager

from mcp_server.tools.trend_chart import MAX_CONCURRENT_RENDERS, render_trend_png

POINTS = [(date(2020, 1, 1) + timedelta(days=30 * i), 80.0 + i % 7) for i in range(12)]


async def _burst() -> None:
    charts = [
        render_trend_png(POINTS, title="Glucose", unit="mg/dL", band=(70.0, 99.0))
        for _ in range(MAX_CONCURRENT_RENDERS * 2)
    ]
    assert all(png.startswith(b"\x89PNG") for png in await asyncio.gather(*charts))


def _cached_fonts() -> int:
    # matplotlib's per-thread font cache is the resource that grew; its size is the measure.
    return font_manager._get_font.cache_info().currsize


def test_bursts_of_charts_in_fresh_event_loops_load_no_more_fonts() -> None:
    asyncio.run(_burst())  # every render thread has drawn once
    warm = _cached_fonts()
    for _ in range(8):  # each event loop would get fresh worker threads from anyio's pool
        asyncio.run(_burst())
    assert _cached_fonts() == warm
