"""Disk full during a sync (SQLITE_FULL, simulated with ``PRAGMA max_page_count`` on the real store): the
surface fails with "disk full", keeps its earlier data, is recorded as failed; no traceback, no "bug"."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from gateway.store import SqliteStore, StoreFullError, SurfaceWriteSummary
from tests.sync.portal_harness import make_portal


class FullDiskStore(SqliteStore):
    """The real store, whose disk is full when ``full_surfaces`` are written: the connection doing the
    write may not grow the file by a single page."""

    full_surfaces: frozenset[str] = frozenset()

    def write_surface(
        self,
        surface: str,
        resources: Sequence[dict[str, Any]],
        *,
        problems: Sequence[str] = (),
        now: datetime,
        sync_state: Mapping[str, Any] | None = None,
    ) -> SurfaceWriteSummary:
        if surface in self.full_surfaces:
            # The write below leases this same connection (nested leases on a thread share it).
            with self._connections.lease() as conn:
                pages = conn.execute("PRAGMA page_count").fetchone()[0]
                conn.execute(f"PRAGMA max_page_count = {pages}")
                try:
                    return super().write_surface(surface, resources, problems=problems, now=now, sync_state=sync_state)
                finally:
                    conn.execute("PRAGMA max_page_count = 1073741823")
        return super().write_surface(surface, resources, problems=problems, now=now, sync_state=sync_state)


def _results(store: SqliteStore) -> list[tuple[str, str, int, str]]:
    with store._connections.lease() as conn:  # white-box: the whole surface, byte for byte
        rows = conn.execute(
            "SELECT resource_type, id, version_id, json FROM resources WHERE source = 'test-results' ORDER BY 1, 2"
        ).fetchall()
    return [tuple(row) for row in rows]


async def test_disk_full_fails_the_surface_keeps_its_data_and_records_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    store = FullDiskStore.open(tmp_path / "store.sqlite3")
    assert isinstance(store, FullDiskStore)
    first, _ = await make_portal(seed=5).sync(store)
    assert first.ok, first.surfaces
    before = _results(store)
    assert before

    store.full_surfaces = frozenset({"test-results"})
    with caplog.at_level(logging.WARNING):
        second, _ = await make_portal(seed=6).sync(store)  # another record: every result is new
    store.close()

    by_surface = {report.surface: report for report in second.surfaces}
    failed = by_surface["test-results"]
    assert not failed.ok and failed.error is not None
    assert failed.error.startswith("disk full") and "bug" not in failed.error
    assert by_surface["profile"].ok and by_surface["medications"].ok
    reopened = SqliteStore.open(tmp_path / "store.sqlite3")
    assert _results(reopened) == before
    state = next(s for s in reopened.surface_states() if s.surface == "test-results")
    assert state.failing and (state.last_error or "").startswith("disk full")
    reopened.close()
    assert not [r for r in caplog.records if r.exc_info], "no traceback logged"
    assert not [r for r in caplog.records if "surface_crashed" in r.getMessage()]


def test_the_store_turns_sqlite_full_into_store_full_error(tmp_path: Path) -> None:
    store = FullDiskStore.open(tmp_path / "store.sqlite3")
    assert isinstance(store, FullDiskStore)
    store.full_surfaces = frozenset({"labs"})
    big = [{"resourceType": "Basic", "id": f"b{i}", "code": {"text": "x" * 2000}} for i in range(50)]
    with pytest.raises(StoreFullError, match="disk full"):
        store.write_surface("labs", big, now=datetime.fromisoformat("2026-01-01T00:00:00+00:00"))
    assert store.surface_states() == []
    store.full_surfaces = frozenset()
    store.write_surface("labs", big, now=datetime.fromisoformat("2026-01-01T00:00:00+00:00"))  # space again
    store.close()
