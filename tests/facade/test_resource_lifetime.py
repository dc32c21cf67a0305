"""Bursts of concurrent clients through the real facade (uvicorn on loopback) leave a bounded number of
store files open: connections are pooled and closed, not kept per thread."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx2

from fhirgate.serving import serve_in_thread
from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from gateway.store.connections import DEFAULT_MAX_IDLE, DEFAULT_MAX_OPEN
from tests.facade.conftest import AUTH, T0
from tests.store.sample_resources import lab, patient

BURSTS = 4
CLIENTS = 50
# An idle connection holds the database and its WAL open (the shared-memory file is shared); SQLite
# defers closing a database descriptor while another connection of the process holds a lock on the
# file, so up to one per connection that was open at once may linger until reused.
STORE_FILE_BOUND = DEFAULT_MAX_OPEN + 2 * DEFAULT_MAX_IDLE + 1


def _open_store_files(store_path: Path) -> int:
    prefix = str(store_path)
    count = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue
        count += target.startswith(prefix)
    return count


def test_bursts_of_clients_leave_a_bounded_number_of_store_files_open(tmp_path: Path) -> None:
    store_path = tmp_path / "store.db"
    store = SqliteStore.open(store_path)
    store.write_surface("profile", [patient()], now=T0)
    store.write_surface("labs", [lab(f"o{i}") for i in range(10)], now=T0)
    app = create_facade_app(store, FacadeSettings(token=AUTH["Authorization"].removeprefix("Bearer ")))
    after_bursts: list[int] = []
    statuses: set[int] = set()
    try:
        with serve_in_thread(app) as server:

            def one_client(i: int) -> int:
                with httpx2.Client(base_url=server.base_url, headers=AUTH, timeout=30) as client:
                    path = "/fhir/Observation?_count=5" if i % 2 else "/fhir/Patient/p1"
                    return client.get(path).status_code

            with ThreadPoolExecutor(max_workers=CLIENTS) as clients:
                for _ in range(BURSTS):
                    statuses.update(clients.map(one_client, range(CLIENTS)))
                    after_bursts.append(_open_store_files(store_path))
    finally:
        store.close()
    assert statuses == {200}
    assert max(after_bursts) <= STORE_FILE_BOUND, after_bursts
    assert DEFAULT_MAX_OPEN < CLIENTS, "the bursts are bigger than the pool"
    assert _open_store_files(store_path) == 0, "closing the store closes every connection"
