"""The web app's trend charts are drawn in one long-lived thread: matplotlib caches fonts per thread id,
so charts drawn from many short-lived request threads must not load the fonts again each time."""

from __future__ import annotations

import threading
from datetime import date, timedelta

from matplotlib import font_manager

from gateway.web.trend_svg import trend_svg


def _cached_fonts() -> int:
    # matplotlib's per-thread font cache is the resource that grew in the soak; its size is the measure.
    return font_manager._get_font.cache_info().currsize


def _draw_in_a_fresh_thread(n: int) -> None:
    points = [(date(2020, 1, 1) + timedelta(days=30 * i), 80.0 + (i + n) % 7) for i in range(12)]
    drawn: list[str] = []
    worker = threading.Thread(
        target=lambda: drawn.append(trend_svg(points, label=f"Glucose {n}", unit="mg/dL", band=(70.0, 99.0)))
    )
    worker.start()
    worker.join()
    assert drawn and drawn[0].startswith("<svg")


def test_charts_drawn_from_many_request_threads_load_the_fonts_once() -> None:
    _draw_in_a_fresh_thread(0)
    warm = _cached_fonts()
    for n in range(1, 9):  # each a new thread, as starlette's expiring workers are
        _draw_in_a_fresh_thread(n)
    assert _cached_fonts() == warm
