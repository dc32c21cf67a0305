"""Surfaces run concurrently after the profile, yet progress, the report and the per-surface request counts
stay each surface's own, in the table's order."""

from __future__ import annotations

from pathlib import Path

from gateway.kaiser.surfaces.table import SURFACE_NAMES
from gateway.sync.engine import SyncEngine
from gateway.sync.progress import SurfaceReport
from tests.sync.portal_harness import make_portal, open_store


class RecordingProgress:
    def __init__(self) -> None:
        self.events: list[tuple[str, str]] = []
        self.totals: dict[str, int] = {}
        self.advanced: dict[str, int] = {}

    def surface_started(self, surface: str, title: str) -> None:
        self.events.append(("started", surface))

    def surface_total(self, surface: str, total: int) -> None:
        self.totals[surface] = total

    def surface_advanced(self, surface: str, steps: int = 1) -> None:
        self.advanced[surface] = self.advanced.get(surface, 0) + steps

    def surface_finished(self, report: SurfaceReport) -> None:
        self.events.append(("finished", report.surface))


async def test_surfaces_overlap_but_report_in_table_order_with_their_own_counts(tmp_path: Path) -> None:
    portal = make_portal()
    progress = RecordingProgress()
    async with await portal.client() as client:
        engine = SyncEngine(client, open_store(tmp_path), clock=portal.clock, progress=progress, keepalive_seconds=3600)
        report = await engine.run()
        requests = client.request_count
    assert report.ok, [(r.surface, r.error) for r in report.surfaces if not r.ok]
    assert [r.surface for r in report.surfaces] == list(SURFACE_NAMES)
    started = [surface for event, surface in progress.events if event == "started"]
    assert started == list(SURFACE_NAMES)  # the bars appear in the table's order
    assert sorted(surface for event, surface in progress.events if event == "finished") == sorted(SURFACE_NAMES)
    assert progress.events[:2] == [("started", "profile"), ("finished", "profile")]  # first and alone
    assert _most_at_once(progress.events) > 2, progress.events  # the others overlap
    assert all(progress.advanced.get(surface, 0) == total for surface, total in progress.totals.items())
    assert sum(r.requests for r in report.surfaces) == requests
    assert all(r.requests > 0 for r in report.surfaces)


def _most_at_once(events: list[tuple[str, str]]) -> int:
    running = most = 0
    for event, _ in events:
        running += 1 if event == "started" else -1
        most = max(most, running)
    return most
