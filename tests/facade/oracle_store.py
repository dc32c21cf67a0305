"""The records the generated oracle cases run on: the ``small`` sandbox patient whole, and a sample of the
``large`` one, each seeded into a store as the sync seeds it (one write per surface, an hour apart).

``large`` is sampled to keep the suite's time bounded (its full translation and indexing take minutes
here): the surfaces translated directly (profile, test results, medications: what makes ``large``
large) with 300 lab orders drawn with a fixed seed (their reports and every one of their Observations).
"""

from __future__ import annotations

import json
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from conformance.surfaces import SurfaceRun, translate_patient
from gateway.store import SqliteStore
from sandbox.patient import generate_patient

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
LARGE_ORDERS = 300
Resources = dict[str, list[dict[str, Any]]]


@cache
def _small_run() -> SurfaceRun:
    return translate_patient(generate_patient(1, "small"))


@cache
def _large_surfaces() -> dict[str, list[dict[str, Any]]]:
    patient = generate_patient(1, "large")
    orders = random.Random(16).sample(patient.lab_orders, min(LARGE_ORDERS, len(patient.lab_orders)))
    run = translate_patient(replace(patient, lab_orders=tuple(orders)), portal=False)
    return {surface: run.resources(surface) for surface in run.units}


def _surfaces(size: str) -> dict[str, list[dict[str, Any]]]:
    if size == "small":
        run = _small_run()
        return {surface: run.resources(surface) for surface in run.units}
    return _large_surfaces()


def seed_store(path: Path, size: str) -> tuple[SqliteStore, Resources]:
    """A store holding the ``size`` record, and every stored resource (as read back) by type."""
    store = SqliteStore.open(path)
    surfaces = _surfaces(size)
    for hour, (surface, resources) in enumerate(surfaces.items()):
        store.write_surface(surface, resources, now=T0 + timedelta(hours=hour))
    by_type: Resources = {}
    keys = sorted({(r["resourceType"], r["id"]) for rs in surfaces.values() for r in rs})
    for key in keys:
        stored = store.read(*key)
        assert stored is not None
        by_type.setdefault(key[0], []).append(json.loads(stored.json_text))
    return store, by_type


def small_record() -> Resources:
    """The small record as stored (for counting cases without a test run)."""
    return _record("small")


def large_sample() -> Resources:
    """The sampled large record as stored."""
    return _record("large")


def _record(size: str) -> Resources:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        store, data = seed_store(Path(folder) / "store.db", size)
        store.close()
    return data
