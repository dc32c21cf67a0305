"""One analyte's trend as inline SVG, drawn server-side by matplotlib (Agg-free SVG backend, no pyplot).

The page's CSP allows no inline style, so matplotlib's ``style="..."`` attributes are rewritten into SVG
presentation attributes (``fill=``, ``stroke-width=``...) and its ``<style>`` block is dropped; text is
drawn as paths (no fonts fetched). Charts are cached by their points: a page of trends re-renders
nothing the second time (~40 ms per chart the first time)."""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from markupsafe import Markup

__all__ = ["trend_svg"]

# matplotlib caches FreeType fonts per thread id: drawn in starlette's short-lived worker threads, every
# new thread would load the fonts again (the soak's RSS growth, issue 14). One long-lived thread draws.
_DRAWING = ThreadPoolExecutor(max_workers=1, thread_name_prefix="fhirgate-web-chart")

_STYLE_ATTRIBUTE = re.compile(r'style="([^"]*)"')
_STYLE_BLOCK = re.compile(r"<style[^>]*>.*?</style>", re.DOTALL)
_PRESENTATION = frozenset(
    {
        "fill", "fill-opacity", "opacity", "stroke", "stroke-width", "stroke-linejoin", "stroke-linecap",
        "stroke-opacity", "stroke-dasharray", "stroke-dashoffset", "stroke-miterlimit", "clip-path",
    }
)  # fmt: skip


def trend_svg(
    points: Sequence[tuple[date, float]], *, label: str, unit: str, band: tuple[float | None, float | None]
) -> Markup:
    """An ``<svg role="img">`` of ``points`` (reference band shaded, values outside it in red)."""
    drawn = _DRAWING.submit(_render, tuple(points), label, unit, band).result()
    return Markup(drawn)  # noqa: S704 - our own drawing, no record markup


@lru_cache(maxsize=512)
def _render(
    points: tuple[tuple[date, float], ...], label: str, unit: str, band: tuple[float | None, float | None]
) -> str:
    from matplotlib.backends.backend_svg import FigureCanvasSVG
    from matplotlib.dates import AutoDateLocator, ConciseDateFormatter
    from matplotlib.figure import Figure

    figure = Figure(figsize=(5.2, 1.9), dpi=72)
    FigureCanvasSVG(figure)
    axes = figure.subplots()
    dates: Any = [p[0] for p in points]  # matplotlib converts dates itself; its stubs admit numbers only
    values = [p[1] for p in points]
    low, high = band
    if low is not None or high is not None:
        bottom = low if low is not None else min([*values, high or 0.0]) * 0.9
        top = high if high is not None else max([*values, low or 0.0]) * 1.1
        axes.axhspan(bottom, top, color="#2e7d32", alpha=0.15, linewidth=0)
    axes.plot(dates, values, marker="o", markersize=3.5, linewidth=1.4, color="#1f4e9c")
    outside = [(d, v) for d, v in points if (low is not None and v < low) or (high is not None and v > high)]
    if outside:
        outside_dates: Any = [d for d, _ in outside]
        axes.scatter(outside_dates, [v for _, v in outside], color="#b3261e", zorder=3, s=16)
    if len({p[0] for p in points}) < 2:  # one day: give the date axis a span to put ticks on
        only: Any = points[0][0]
        axes.set_xlim(only - timedelta(days=30), only + timedelta(days=30))
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator, show_offset=False))  # type: ignore[no-untyped-call]
    axes.set_ylabel(unit, fontsize=8)
    axes.tick_params(labelsize=7)
    axes.grid(alpha=0.3)
    figure.subplots_adjust(left=0.12, right=0.98, top=0.95, bottom=0.16)
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return _inline(buffer.getvalue(), f"Trend of {label} ({unit}), {len(points)} results")


def _inline(svg: str, title: str) -> str:
    """The bare ``<svg>`` element, CSP-clean, labelled for screen readers."""
    svg = svg[svg.index("<svg") :]
    svg = _STYLE_BLOCK.sub("", svg)
    svg = _STYLE_ATTRIBUTE.sub(lambda match: _attributes(match.group(1)), svg)
    escaped = title.replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{escaped}" focusable="false" ', 1)


def _attributes(style: str) -> str:
    pairs = (part.split(":", 1) for part in style.split(";") if ":" in part)
    kept = [(name.strip(), value.strip()) for name, value in pairs if name.strip() in _PRESENTATION]
    return " ".join(f'{name}="{value}"' for name, value in kept)
