"""A real facade on loopback (uvicorn in a thread) over a seeded store, for unmodified FHIR clients."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from fhirgate.serving import free_port, serve_in_thread
from gateway.facade import FacadeSettings, create_facade_app
from gateway.store import SqliteStore
from tests.store.sample_resources import lab, medication_request, patient

TOKEN = "client-test-token-0123456789"
T0 = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)
LAB_COUNT = 23


@dataclass(frozen=True)
class Facade:
    base: str
    token: str


def _seed(store: SqliteStore) -> None:
    store.write_surface("profile", [patient(), patient("p2", "Smith")], now=T0)
    labs = [lab(f"o{i:02d}", effective=f"2024-02-{i + 1:02d}T08:00:00Z") for i in range(LAB_COUNT)]
    store.write_surface("labs", [*labs, lab("x1", patient_id="p2")], now=T0)
    request = medication_request("m1")
    request["medicationReference"] = {"reference": "Medication/med1"}
    medication = {
        "resourceType": "Medication",
        "id": "med1",
        "code": {"coding": [{"system": "http://www.nlm.nih.gov/research/umls/rxnorm", "code": "860975"}]},
    }
    store.write_surface("meds", [request, medication], now=T0)


@pytest.fixture(scope="package")
def facade(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Facade]:
    store = SqliteStore.open(Path(tmp_path_factory.mktemp("clients")) / "store.db")
    _seed(store)
    port = free_port()
    app = create_facade_app(store, FacadeSettings(token=TOKEN, port=port))
    with serve_in_thread(app, port=port) as server:
        yield Facade(f"{server.base_url}/fhir", TOKEN)
    store.close()
