from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from gateway.search import parse_search
from gateway.store import SqliteStore
from tests.store.conftest import T0
from tests.store.sample_resources import lab


def test_readers_on_other_threads_see_whole_surfaces_while_a_sync_writes(store: SqliteStore) -> None:
    store.write_surface("labs", [lab(f"o{i}") for i in range(20)], now=T0)

    def write(round_: int) -> None:
        store.write_surface("labs", [lab(f"o{i}", code=f"c{round_}") for i in range(20)], now=T0 + timedelta(round_))

    def read(_: int) -> int:
        return store.search(parse_search("Observation", [("_count", "100")])).total or 0

    with ThreadPoolExecutor(max_workers=4) as pool:
        writes = [pool.submit(write, r) for r in range(1, 6)]
        totals = list(pool.map(read, range(40)))
        for w in writes:
            w.result()
    assert set(totals) == {20}
    stored = store.read("Observation", "o0")
    assert stored is not None and stored.version_id == 6
