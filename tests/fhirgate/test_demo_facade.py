"""The demo's facade pins its Host check to its own port, like `fhirgate serve`."""

from __future__ import annotations

from pathlib import Path

import httpx2

from fhirgate.demo import serve_demo_facade
from gateway.store import SqliteStore


def test_the_demo_facade_answers_only_a_host_naming_its_own_port(tmp_path: Path) -> None:
    store = SqliteStore.open(tmp_path / "store.db")
    with serve_demo_facade(store, "demo-token") as facade, httpx2.Client(base_url=facade.base_url) as client:
        own = client.get("/fhir/metadata")
        other_port = client.get("/fhir/metadata", headers={"Host": f"127.0.0.1:{facade.port + 1}"})
        no_colon = client.get("/fhir/metadata", headers={"Host": f"[::1]x{facade.port}"})
    store.close()
    assert own.status_code == 200
    assert other_port.status_code == 421 and no_colon.status_code == 421
