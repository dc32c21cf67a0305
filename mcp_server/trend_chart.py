"""A small PNG line chart of one analyte over time with its reference band shaded (matplotlib, Agg)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date
from typing import Any

__all__ = ["trend_png"]


def trend_png(
    points: Sequence[tuple[date, float]], *, title: str, unit: str, band: tuple[float | None, float | None]
) -> bytes:
    """PNG bytes (about 600x300 px) of `points`, the band between `band` shaded when known."""
    import matplotlib

    matplotlib.use("Agg")  # no display; must precede pyplot
    from matplotlib import pyplot
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter

    figure, axes = pyplot.subplots(figsize=(6, 3), dpi=100)
    try:
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
    finally:
        pyplot.close(figure)
