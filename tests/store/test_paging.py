"""Keyset paging and proof that searching runs on the index, not the JSON."""

from datetime import timedelta

import pytest

from gateway.search import InvalidSearchError, parse_search
from gateway.store import SqliteStore
from gateway.store.cursor import Cursor
from gateway.store.query import count_query, page_query
from tests.store.conftest import T0
from tests.store.sample_resources import lab


def _seed_23(store: SqliteStore) -> None:
    labs = [lab(f"o{i:02d}", effective=f"2024-01-{i + 1:02d}T09:00:00Z") for i in range(23)]
    labs += [lab("other", category="vital-signs")]
    store.write_surface("labs", labs, now=T0)


def _walk(store: SqliteStore, query: list[tuple[str, str]]) -> list[str]:
    seen: list[str] = []
    cursor: str | None = None
    for _ in range(50):
        params = query + ([("_cursor", cursor)] if cursor else [])
        page = store.search(parse_search("Observation", params))
        assert page.total == 23
        seen += [entry.id for entry in page.entries]
        cursor = page.next_cursor
        if cursor is None:
            return seen
    raise AssertionError("paging did not terminate")


@pytest.mark.parametrize("sort", [[], [("_sort", "date")], [("_sort", "-date")], [("_sort", "-_lastUpdated")]])
def test_following_cursors_returns_every_match_exactly_once(store: SqliteStore, sort: list[tuple[str, str]]) -> None:
    _seed_23(store)
    seen = _walk(store, [("category", "laboratory"), ("_count", "5"), ("_total", "accurate"), *sort])
    assert sorted(seen) == [f"o{i:02d}" for i in range(23)]
    assert len(seen) == 23


def test_sort_orders_by_the_parameter(store: SqliteStore) -> None:
    _seed_23(store)
    newest_first = _walk(
        store, [("category", "laboratory"), ("_count", "5"), ("_total", "accurate"), ("_sort", "-date")]
    )
    assert newest_first == [f"o{i:02d}" for i in reversed(range(23))]


def test_pages_stay_exact_when_data_changes_between_pages(store: SqliteStore) -> None:
    _seed_23(store)
    first = store.search(parse_search("Observation", [("category", "laboratory"), ("_count", "5")]))
    store.write_surface("labs", [lab("o00", code="1-1")], now=T0 + timedelta(hours=1))
    query = [("category", "laboratory"), ("_count", "30"), ("_cursor", first.next_cursor or "")]
    rest = store.search(parse_search("Observation", query))
    assert {e.id for e in first.entries}.isdisjoint(e.id for e in rest.entries)
    assert len(first.entries) + len(rest.entries) == 23


def test_count_zero_returns_only_the_total(store: SqliteStore) -> None:
    _seed_23(store)
    page = store.search(parse_search("Observation", [("category", "laboratory"), ("_count", "0")]))
    assert (page.entries, page.total, page.next_cursor) == ([], 23, None)


def test_cursors_are_bound_to_their_query(store: SqliteStore) -> None:
    _seed_23(store)
    page = store.search(parse_search("Observation", [("category", "laboratory"), ("_count", "5")]))
    assert page.next_cursor is not None
    with pytest.raises(InvalidSearchError, match="does not belong"):
        store.search(parse_search("Observation", [("code", "2345-7"), ("_cursor", page.next_cursor)]))
    with pytest.raises(InvalidSearchError, match="malformed"):
        store.search(parse_search("Observation", [("_cursor", "!!not-a-cursor")]))


@pytest.mark.parametrize(
    "query",
    [
        [],
        [("patient", "p1"), ("category", "laboratory"), ("date", "ge2024-01-01")],
        [("code", "http://loinc.org|2345-7"), ("_sort", "-date")],
        [("_id", "o01"), ("_lastUpdated", "gt2020")],
    ],
)
def test_search_plans_use_indexes_and_never_scan(store: SqliteStore, query: list[tuple[str, str]]) -> None:
    request = parse_search("Observation", query)
    after = Cursor(request.fingerprint(), tuple(0 for _ in request.sort), "o00")
    conn = store._connections.pin()  # white-box: the query plan is the proof that JSON is never scanned
    for built in (page_query(request, after, 6), count_query(request)):
        plan = [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + built.sql, built.args)]
        assert not [step for step in plan if step.startswith("SCAN")], plan
        assert all("USING" in step for step in plan if step.startswith("SEARCH")), plan
