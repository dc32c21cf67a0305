"""Refresh before search: stale surfaces are refreshed once (shared by concurrent searches), fresh or offline
ones never; a failed refresh still serves the stored data, with an outcome entry saying how old it is."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx2
import pytest

from gateway.facade import FacadeSettings, RefreshFailed, RefreshPolicy, create_facade_app
from gateway.facade.refresh import describe_age
from gateway.store import SqliteStore, SurfaceState
from tests.facade.conftest import AUTH
from tests.store.sample_resources import lab, patient

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
SURFACES = {
    "profile": ("Patient",),
    "test-results": ("Observation", "DiagnosticReport"),
    "medications": ("Medication",),
}


class CountingStore(SqliteStore):
    """The real store, counting how often searches look at surface states (how many have reached the gate)."""

    looks = 0

    def surface_states(self) -> list[SurfaceState]:
        self.looks += 1
        return super().surface_states()


@dataclass
class FakeSync:
    """A refresher that writes fresh data into the store, optionally held until ``release`` is set."""

    store: SqliteStore
    calls: list[tuple[str, ...]] = field(default_factory=list)
    release: asyncio.Event | None = None
    error: Exception | None = None

    async def __call__(self, surfaces: tuple[str, ...]) -> None:
        self.calls.append(surfaces)
        if self.release is not None:
            await self.release.wait()
        if self.error is not None:
            raise self.error
        for surface in surfaces:
            fresh = [lab("fresh-1")] if surface == "test-results" else []
            self.store.write_surface(surface, fresh, now=NOW)


@pytest.fixture
async def store(tmp_path: Path) -> AsyncIterator[CountingStore]:
    opened = CountingStore.open(tmp_path / "store.db")
    assert isinstance(opened, CountingStore)
    yield opened
    opened.close()


def _client(store: SqliteStore, sync: FakeSync | None, **policy: Any) -> httpx2.AsyncClient:
    refresh = RefreshPolicy(sync, SURFACES, clock=lambda: NOW, **policy) if sync is not None else None
    app = create_facade_app(store, FacadeSettings(token=AUTH["Authorization"].split()[1], refresh=refresh))
    return httpx2.AsyncClient(transport=httpx2.ASGITransport(app=app), base_url="http://127.0.0.1", headers=AUTH)


def _ids(bundle: dict[str, Any]) -> list[str]:
    return sorted(e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match")


def _outcomes(bundle: dict[str, Any]) -> list[str]:
    entries = bundle.get("entry", [])
    return [e["resource"]["issue"][0]["diagnostics"] for e in entries if e["search"]["mode"] == "outcome"]


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(10_000):
        if condition():
            return
        await asyncio.sleep(0)
    raise AssertionError("condition never became true")


async def test_a_stale_surface_is_refreshed_once_for_concurrent_searches(store: CountingStore) -> None:
    store.write_surface("test-results", [lab("old-1")], now=NOW - timedelta(hours=1))
    sync = FakeSync(store, release=asyncio.Event())
    async with _client(store, sync) as client:
        searches = [asyncio.ensure_future(client.get("/fhir/Observation")) for _ in range(5)]
        await _until(lambda: store.looks >= 5 and bool(sync.calls))  # all five wait on one refresh
        assert sync.calls == [("test-results",)]
        sync.release.set()  # type: ignore[union-attr]
        bundles = [(await s).json() for s in searches]
    assert sync.calls == [("test-results",)]
    assert all(_ids(b) == ["fresh-1", "old-1"] and _outcomes(b) == [] for b in bundles)


async def test_a_fresh_surface_is_not_refreshed(store: CountingStore) -> None:
    store.write_surface("test-results", [lab("old-1")], now=NOW - timedelta(minutes=14))
    sync = FakeSync(store)
    async with _client(store, sync) as client:
        bundle = (await client.get("/fhir/Observation")).json()
    assert sync.calls == [] and _ids(bundle) == ["old-1"]


async def test_the_ttl_is_configurable(store: CountingStore) -> None:
    store.write_surface("test-results", [lab("old-1")], now=NOW - timedelta(minutes=3))
    sync = FakeSync(store)
    async with _client(store, sync, ttl=timedelta(minutes=2)) as client:
        await client.get("/fhir/Observation")
    assert sync.calls == [("test-results",)]


async def test_offline_serves_the_store_as_it_is(store: CountingStore) -> None:
    store.write_surface("test-results", [lab("old-1")], now=NOW - timedelta(days=3))
    async with _client(store, None) as client:
        bundle = (await client.get("/fhir/Observation")).json()
    assert _ids(bundle) == ["old-1"] and _outcomes(bundle) == []


async def test_a_failed_refresh_serves_stored_data_with_its_age_and_backs_off(store: CountingStore) -> None:
    store.write_surface("test-results", [lab("old-1")], now=NOW - timedelta(hours=2, minutes=5))
    sync = FakeSync(store, error=RefreshFailed("the Kaiser session has ended; run `fhirgate login kaiser`"))
    async with _client(store, sync) as client:
        first = (await client.get("/fhir/Observation")).json()
        again = (await client.get("/fhir/Observation", params={"status": "final"})).json()
    assert _ids(first) == _ids(again) == ["old-1"]
    assert sync.calls == [("test-results",)]  # the second search did not knock on a dead door again
    for bundle in (first, again):
        (outcome,) = _outcomes(bundle)
        assert "test-results could not be refreshed from Kaiser" in outcome and "fhirgate login kaiser" in outcome
        assert "as of 2026-11-23T09:55:00+00:00 (2 h 5 min old)" in outcome


async def test_a_never_synced_surface_that_cannot_be_refreshed_says_so(store: CountingStore) -> None:
    sync = FakeSync(store, error=ConnectionError("no route to host"))
    async with _client(store, sync) as client:
        response = await client.get("/fhir/Observation")
    assert response.status_code == 200 and _ids(response.json()) == []
    (outcome,) = _outcomes(response.json())
    assert "unexpected ConnectionError" in outcome and "never synced" in outcome
    assert "no route" not in outcome  # an unexpected error's message may quote anything: it is not shown


async def test_a_slow_refresh_is_not_waited_for_beyond_max_wait(store: CountingStore) -> None:
    store.write_surface("test-results", [lab("old-1")], now=NOW - timedelta(hours=1))
    sync = FakeSync(store, release=asyncio.Event())
    async with _client(store, sync, max_wait=0.0) as client:
        early = (await client.get("/fhir/Observation")).json()
        assert _ids(early) == ["old-1"] and "still being refreshed" in _outcomes(early)[0]
        sync.release.set()  # type: ignore[union-attr]
        await _until(lambda: store.surface_states()[0].last_success == NOW)
        later = (await client.get("/fhir/Observation")).json()
    assert _ids(later) == ["fresh-1", "old-1"] and sync.calls == [("test-results",)]


async def test_system_search_and_everything_refresh_the_surfaces_they_read(store: CountingStore) -> None:
    store.write_surface("profile", [patient("p1")], now=NOW - timedelta(hours=1))
    sync = FakeSync(store)
    async with _client(store, sync) as client:
        await client.get("/fhir", params={"_type": "Medication"})
        assert sync.calls == [("medications",)]
        response = await client.get("/fhir/Patient/p1/$everything")
    assert response.status_code == 200
    assert sync.calls == [("medications",), ("profile", "test-results")]


async def test_a_bad_query_is_refused_before_any_refresh(store: CountingStore) -> None:
    sync = FakeSync(store)
    async with _client(store, sync) as client:
        response = await client.get("/fhir/Observation", params={"nonsense": "1"})
    assert response.status_code == 400 and sync.calls == []


@pytest.mark.parametrize(
    ("ago", "text"),
    [(timedelta(seconds=40), "40 s"), (timedelta(hours=2, minutes=5), "2 h 5 min"), (timedelta(days=3), "3 d")],
)
def test_ages_read_naturally(ago: timedelta, text: str) -> None:
    assert describe_age(NOW - ago, NOW) == text
