"""The planner's two plans (driver list, sort-index walk) must give exactly the generic plan's pages."""

import sqlite3
from collections.abc import Iterator
from typing import Any

import pytest

from gateway.search import SearchRequest, parse_search
from gateway.store import SqliteStore
from gateway.store.cursor import Cursor
from gateway.store.planner import ESTIMATE_CAP, MatchEstimates, choose_driver, fetch_page
from gateway.store.query import page_query
from tests.store.conftest import T0
from tests.store.sample_resources import lab


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SqliteStore]:
    store = SqliteStore.open(tmp_path_factory.mktemp("planner") / "store.db")
    labs: list[dict[str, Any]] = []
    for i in range(40):
        obs = lab(f"o{i:02d}", effective=f"2024-{i % 12 + 1:02d}-{i % 5 + 1:02d}", code=f"c{i % 4}")
        if i % 7 == 0:
            del obs["effectiveDateTime"]  # no date: sorts last either way
        if i % 9 == 0:
            obs["effectivePeriod"] = {"start": "2023-01-01", "end": "2025-01-01"}  # a second date row
        if i % 11 == 5:
            obs["code"] = {"text": "Free-text test name"}  # a token row without a code: no sort value
        labs.append(obs)
    store.write_surface("labs", labs, now=T0)
    yield store
    store.close()


def _walk(store: SqliteStore, request: SearchRequest, *, dense: bool) -> list[str]:
    conn = store._connections.pin()  # white-box: both plans are run on purpose
    driver = None if dense else (request.filters[0] if request.filters else None)
    seen: list[str] = []
    after: Cursor | None = None
    for _ in range(40):
        if dense:
            rows = fetch_page(conn, request, after, 7, None)
        else:
            built = page_query(request, after, 7, driver)
            rows = conn.execute(built.sql, built.args).fetchall()
        seen += [row[0] for row in rows]
        if len(rows) < 7:
            return seen
        last = rows[-1]
        after = Cursor(request.fingerprint(), tuple(last[4 : 4 + len(request.sort)]), last[0])
    raise AssertionError("paging did not end")


@pytest.mark.parametrize(
    "query",
    [
        [("_sort", "-date")],
        [("_sort", "date")],
        [("category", "laboratory"), ("_sort", "-date")],
        [("code", "c1,c2"), ("_sort", "date")],
        [("code:not", "c1"), ("_sort", "-date")],
        [("date", "ge2024-03"), ("category", "laboratory"), ("_sort", "-date")],  # tried on the walked row first
        [("date", "le2024-06-01,gt2024-10"), ("_sort", "date")],
        [("date", "lt2024-02"), ("date", "ge2023"), ("_sort", "-date")],
        [("date:missing", "false"), ("_sort", "date")],
        [("_sort", "code")],
        [("_sort", "-code,date")],
        [("code", "c3")],
        [],
    ],
)
def test_sort_index_walk_and_id_scan_give_the_generic_order(seeded: SqliteStore, query: list[tuple[str, str]]) -> None:
    request = parse_search("Observation", query)
    generic = _walk(seeded, request, dense=False)
    assert _walk(seeded, request, dense=True) == generic
    assert len(generic) == len(set(generic))


@pytest.mark.parametrize("sort", ["code", "-code", "date", "-date"])
def test_resources_without_the_sort_value_still_come_last(seeded: SqliteStore, sort: str) -> None:
    seen = _walk(seeded, parse_search("Observation", [("_sort", sort)]), dense=True)
    assert sorted(seen) == [f"o{i:02d}" for i in range(40)]
    if "code" in sort:
        assert seen[-4:] == sorted(f"o{i:02d}" for i in range(40) if i % 11 == 5)


def test_the_rarest_filter_drives_and_common_ones_do_not(seeded: SqliteStore) -> None:
    conn = seeded._connections.pin()
    request = parse_search("Observation", [("category", "laboratory"), ("code", "c3")])
    driver = choose_driver(conn, request)
    assert driver is not None and driver.parameter.name == "code"
    assert ESTIMATE_CAP > 40
    assert choose_driver(conn, parse_search("Observation", [("code:not", "c3")])) is None


def test_match_estimates_are_reused_until_cleared_or_older_than_max_age() -> None:
    now = [0.0]
    estimates = MatchEstimates(max_age=30.0, monotonic=lambda: now[0])
    conn = sqlite3.connect(":memory:")
    conn.execute("CREATE TABLE t (x)")
    conn.executemany("INSERT INTO t VALUES (?)", [(1,), (2,), (3,)])
    count = "SELECT COUNT(*) FROM t WHERE x > ?"
    assert estimates.count(conn, count, [0]) == 3
    conn.execute("INSERT INTO t VALUES (4)")
    assert estimates.count(conn, count, [0]) == 3  # kept: no query
    assert estimates.count(conn, count, [1]) == 3  # other arguments: counted afresh
    now[0] = 31.0
    assert estimates.count(conn, count, [0]) == 4  # too old: counted again
    conn.execute("INSERT INTO t VALUES (5)")
    estimates.clear()
    assert estimates.count(conn, count, [0]) == 5
    conn.close()
