import sqlite3
import threading
from pathlib import Path

import pytest

from gateway.store import StoreClosedError
from gateway.store.connections import ConnectionPool


class SteppedClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def _pool(tmp_path: Path, **bounds: int) -> ConnectionPool:
    return ConnectionPool(tmp_path / "pool.db", **bounds)


def test_nested_leases_on_one_thread_share_one_connection(tmp_path: Path) -> None:
    pool = _pool(tmp_path)
    with pool.lease() as outer, pool.lease() as inner:
        assert inner is outer
    assert pool.open_count() == 1
    pool.close_all()


def test_no_more_than_max_open_connections_exist_and_extra_leases_wait(tmp_path: Path) -> None:
    pool = _pool(tmp_path, max_open=2, max_idle=1)
    inside = threading.Barrier(3)
    release = threading.Event()
    peak: list[int] = []

    def hold() -> None:
        with pool.lease():
            inside.wait(timeout=5)
            release.wait(timeout=5)

    holders = [threading.Thread(target=hold) for _ in range(2)]
    for thread in holders:
        thread.start()
    inside.wait(timeout=5)
    waiter_done = threading.Event()

    def third() -> None:
        with pool.lease():
            peak.append(pool.open_count())
        waiter_done.set()

    waiter = threading.Thread(target=third)
    waiter.start()
    assert not waiter_done.wait(timeout=0.2), "a third lease must wait while two are out"
    release.set()
    for thread in [*holders, waiter]:
        thread.join(timeout=5)
    assert peak and peak[0] <= 2
    assert pool.open_count() == 1, "only max_idle connections stay open after the burst"
    pool.close_all()
    assert pool.open_count() == 0


def test_idle_connections_close_after_idle_seconds(tmp_path: Path) -> None:
    clock = SteppedClock()
    pool = ConnectionPool(tmp_path / "pool.db", max_idle=4, idle_seconds=30, monotonic=clock)
    first = threading.Event()

    def lease_on_a_thread() -> None:
        with pool.lease():
            first.wait(timeout=5)

    threads = [threading.Thread(target=lease_on_a_thread) for _ in range(3)]
    for thread in threads:
        thread.start()
    first.set()
    for thread in threads:
        thread.join(timeout=5)
    assert 1 <= pool.open_count() <= 3
    clock.now = 31.0
    with pool.lease():
        pass
    assert pool.open_count() == 1, "the stale idle connections were closed, the fresh one kept"
    pool.close_all()


def test_a_connection_left_in_a_transaction_is_not_lent_again(tmp_path: Path) -> None:
    pool = _pool(tmp_path)
    with pool.lease() as conn:
        conn.execute("BEGIN")
        abandoned = conn
    assert pool.open_count() == 0
    with pytest.raises(sqlite3.ProgrammingError):
        abandoned.execute("SELECT 1")
    pool.close_all()


def test_no_lease_after_close(tmp_path: Path) -> None:
    pool = _pool(tmp_path)
    pool.close_all()
    with pytest.raises(StoreClosedError), pool.lease():
        pass
