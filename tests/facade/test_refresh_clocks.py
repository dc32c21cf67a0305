"""Clock integrity for refresh-before-search: a last sync "in the future" (the clock was moved back after
it) is stale, and the retry back-off is measured on the monotonic clock, so no wall-clock jump
stretches or skips it."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import httpx2
import pytest

from gateway.facade import FacadeSettings, RefreshFailed, RefreshPolicy, create_facade_app
from gateway.facade.refresh import FUTURE_TOLERANCE, is_stale
from tests.facade.conftest import AUTH
from tests.facade.test_refresh import NOW, SURFACES, CountingStore, FakeSync, _ids, store
from tests.store.sample_resources import lab

__all__ = ["store"]  # the fixture, shared with the refresh tests


class SteppedClocks:
    """A wall clock and a monotonic clock the test moves independently."""

    def __init__(self) -> None:
        self.wall = NOW
        self.mono = 1000.0

    def policy(self, sync: FakeSync, **options: Any) -> RefreshPolicy:
        return RefreshPolicy(sync, SURFACES, clock=lambda: self.wall, monotonic=lambda: self.mono, **options)


@pytest.mark.parametrize(
    ("synced_ago", "stale"),
    [
        (timedelta(minutes=14), False),
        (timedelta(minutes=15), True),
        (-FUTURE_TOLERANCE + timedelta(seconds=1), False),  # a sync a moment after the clock was read
        (-timedelta(days=30), True),  # synced under `faketime +30d`, then the clock came back
    ],
)
def test_staleness_of_a_sync_in_the_past_and_in_the_future(synced_ago: timedelta, stale: bool) -> None:
    assert is_stale(NOW - synced_ago, NOW, timedelta(minutes=15)) is stale


async def test_a_sync_recorded_in_the_future_is_refreshed_not_fresh_forever(store: CountingStore) -> None:
    store.write_surface("test-results", [lab("future-1")], now=NOW + timedelta(days=30))
    clocks = SteppedClocks()
    sync = FakeSync(store)
    app = create_facade_app(store, FacadeSettings(token=AUTH["Authorization"].split()[1], refresh=clocks.policy(sync)))
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1", headers=AUTH) as client:
        bundle = (await client.get("/fhir/Observation")).json()
    assert sync.calls == [("test-results",)]
    assert _ids(bundle) == ["fresh-1", "future-1"]


async def test_the_retry_back_off_follows_the_monotonic_clock_not_the_wall_clock(store: CountingStore) -> None:
    store.write_surface("test-results", [lab("old-1")], now=NOW - timedelta(hours=1))
    clocks = SteppedClocks()
    sync = FakeSync(store, error=RefreshFailed("portal unreachable"))
    app = create_facade_app(
        store,
        FacadeSettings(
            token=AUTH["Authorization"].split()[1], refresh=clocks.policy(sync, retry_after=timedelta(minutes=1))
        ),
    )
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url="http://127.0.0.1", headers=AUTH) as client:
        await client.get("/fhir/Observation")
        clocks.wall += timedelta(days=1)  # the wall clock jumps: the back-off is not over
        await client.get("/fhir/Observation")
        assert len(sync.calls) == 1
        clocks.wall -= timedelta(days=2)  # and back: nor does it last forever
        clocks.mono += 61
        await client.get("/fhir/Observation")
    assert len(sync.calls) == 2
