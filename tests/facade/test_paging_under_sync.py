"""Following next links while a sync rewrites the same surface between pages: every resource exactly once."""

from datetime import timedelta
from typing import Any

import pytest
from starlette.testclient import TestClient

from gateway.store import SqliteStore
from tests.facade.conftest import AUTH, T0
from tests.store.sample_resources import lab

COUNT = 60


def _labs(round_: int) -> list[dict[str, Any]]:
    # Each sync changes every resource (a new version) but not what the search selects or sorts on.
    return [
        lab(f"o{i:02d}", effective=f"2024-03-{i % 28 + 1:02d}T0{i % 10}:00:00Z", code=f"c{round_}")
        for i in range(COUNT)
    ]


@pytest.mark.parametrize("sort", ["", "&_sort=-date", "&_sort=date,-_id", "&_sort=-_lastUpdated"])
def test_pages_never_repeat_or_skip_during_a_sync(client: TestClient, store: SqliteStore, sort: str) -> None:
    store.write_surface("labs", _labs(0), now=T0)
    seen: list[str] = []
    url: str | None = f"/fhir/Observation?category=laboratory&_count=7{sort}"
    round_ = 0
    while url is not None:
        bundle = client.get(url, headers=AUTH).json()
        seen += [e["resource"]["id"] for e in bundle.get("entry", []) if e["search"]["mode"] == "match"]
        url = {link["relation"]: link["url"] for link in bundle["link"]}.get("next")
        round_ += 1
        store.write_surface("labs", _labs(round_), now=T0 + timedelta(minutes=round_))
    if "_lastUpdated" in sort:
        # _lastUpdated changes with every sync: a resource may move past the cursor, never twice onto a page
        assert len(seen) == len(set(seen))
    else:
        assert sorted(seen) == [f"o{i:02d}" for i in range(COUNT)]
    stored = store.read("Observation", "o00")
    assert stored is not None and stored.version_id == round_ + 1
