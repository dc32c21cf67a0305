"""A search's cost follows its matches, not the unrelated rows beside them (the index is seeked, not scanned).

Work is measured in SQLite VM steps (a progress handler), never in time: the same search runs on a store
with 10x more unrelated data and must cost about the same.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from gateway.search import parse_search
from gateway.store import SqliteStore
from tests.store.conftest import T0
from tests.store.sample_resources import lab, medication_request, patient

_STEP = 100  # VM instructions per progress-handler call


def _seed(path: Path, unrelated: int) -> SqliteStore:
    store = SqliteStore.open(path)
    store.write_surface("profile", [patient("p1"), patient("p2")], now=T0)
    recent = [lab(f"new{i}", effective=f"2025-06-{i + 1:02d}T08:00:00Z") for i in range(5)]
    old = [lab(f"old{i:04d}", effective=f"2011-{i % 12 + 1:02d}-01", patient_id="p2") for i in range(unrelated)]
    store.write_surface("labs", recent + old, now=T0)
    meds = [medication_request(f"mr{i:04d}", patient_id="p1" if i < 5 else "p2") for i in range(unrelated // 2)]
    for request in meds:
        request["medicationReference"] = {"reference": f"Medication/m{request['id']}"}
        del request["medicationCodeableConcept"]
    store.write_surface("meds", meds, now=T0)
    return store


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SqliteStore, SqliteStore]]:
    small = _seed(tmp_path_factory.mktemp("small") / "store.db", 100)
    large = _seed(tmp_path_factory.mktemp("large") / "store.db", 1000)
    yield small, large
    small.close()
    large.close()


@contextmanager
def _counting(store: SqliteStore) -> Iterator[list[int]]:
    conn = store._connections.pin()  # white-box: the progress handler is per connection
    steps = [0]

    def tick() -> int:
        steps[0] += 1
        return 0

    conn.set_progress_handler(tick, _STEP)
    try:
        yield steps
    finally:
        conn.set_progress_handler(None, _STEP)


def _cost(store: SqliteStore, run: Callable[[SqliteStore], Any]) -> int:
    run(store)  # same result shape on both stores, checked by the caller
    with _counting(store) as steps:
        run(store)
    return steps[0]


def _search(resource_type: str, query: list[tuple[str, str]]) -> Callable[[SqliteStore], Any]:
    return lambda store: [e.id for e in store.search(parse_search(resource_type, query)).entries]


SEARCHES = [
    ("Observation", [("date", "ge2025-01-01")]),
    ("Observation", [("date", "gt2025-01")]),
    ("Observation", [("date", "eq2025-06")]),
    ("Observation", [("date", "sa2024")]),
    ("Observation", [("date", "ge2025-01-01"), ("patient", "p1")]),
    ("Observation", [("patient", "p1"), ("date", "ge2025"), ("_sort", "-date")]),
    ("MedicationRequest", [("patient", "p1"), ("_include", "MedicationRequest:medication")]),
]


@pytest.mark.parametrize(("resource_type", "query"), SEARCHES)
def test_search_cost_does_not_grow_with_unrelated_rows(
    stores: tuple[SqliteStore, SqliteStore], resource_type: str, query: list[tuple[str, str]]
) -> None:
    small, large = stores
    run = _search(resource_type, query)
    assert run(small) == run(large) and run(small)
    assert _cost(large, run) <= 2 * _cost(small, run) + 5


def test_everything_page_cost_does_not_grow_with_other_patients_data(stores: tuple[SqliteStore, SqliteStore]) -> None:
    small, large = stores

    def run(store: SqliteStore) -> list[str]:
        page = store.everything("p1", since=None, types=(), count=50, cursor=None)
        return sorted(e.id for e in page.entries + page.included)

    assert run(small) == run(large) and "new0" in run(small)
    assert _cost(large, run) <= 2 * _cost(small, run) + 5
