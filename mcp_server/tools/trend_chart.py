"""A small PNG line chart of one analyte over time with its reference band shaded (matplotlib, Agg).

Rendering takes ~0.1 s (~0.5 s the first time, importing matplotlib): ``render_trend_png`` runs it in
one of ``MAX_CONCURRENT_RENDERS`` long-lived render threads, so other MCP sessions on the event loop keep
being served, and a cancelled call stops waiting (the abandoned render finishes on its own). Charts are
drawn on a ``Figure`` of their own, never through pyplot's global state, so threads do not share one.

The threads are fixed, not borrowed from anyio's pool: matplotlib caches its FreeType fonts per thread
id (``font_manager._get_font``, 64 entries), and anyio's workers end after 10 s idle, so each burst of
charts drew in new threads and loaded the fonts again, up to 64 copies (+30 MB RSS over 400 charts).
"""

from __future__ import annotations

import asyncio
import io
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from functools import partial
from typing import Any

__all__ = ["render_trend_png", "trend_png"]

MAX_CONCURRENT_RENDERS = 2
_RENDER_THREADS = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_RENDERS, thread_name_prefix="trend-chart")


async def render_trend_png(
    points: Sequence[tuple[date, float]], *, title: str, unit: str, band: tuple[float | None, float | None]
) -> bytes:
    """``trend_png`` off the event loop, in one of the render threads; cancelling stops the wait."""
    render = partial(trend_png, points, title=title, unit=unit, band=band)
    return await asyncio.wrap_future(_RENDER_THREADS.submit(render))


def trend_png(
    points: Sequence[tuple[date, float]], *, title: str, unit: str, band: tuple[float | None, float | None]
) -> bytes:
    """PNG bytes (about 600x300 px) of `points`, the band between `band` shaded when known."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(6, 3), dpi=100)
    FigureCanvasAgg(figure)  # attaches itself: savefig draws with Agg, no display, no pyplot
    axes = figure.subplots()
    # matplotlib converts dates itself; its stubs only admit numbers.
    dates: Any = [p[0] for p in points]
    values = [p[1] for p in points]
    low, high = band
    if low is not None or high is not None:
        bottom = low if low is not None else min([*values, high or 0.0]) * 0.9
        top = high if high is not None else max([*values, low or 0.0]) * 1.1
        axes.axhspan(bottom, top, color="tab:green", alpha=0.15, label="reference range")
    axes.plot(dates, values, marker="o", markersize=4, linewidth=1.5, color="tab:blue")
    outside = [(d, v) for d, v in points if (low is not None and v < low) or (high is not None and v > high)]
    if outside:
        outside_dates: Any = [d for d, _ in outside]
        axes.scatter(outside_dates, [v for _, v in outside], color="tab:red", zorder=3, s=20)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.set_title(title, fontsize=10)
    axes.set_ylabel(unit, fontsize=9)
    axes.tick_params(labelsize=8)
    axes.grid(alpha=0.3)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
