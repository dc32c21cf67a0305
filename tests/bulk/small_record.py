"""The ``small`` sandbox patient in a store, one surface write per hour from ``T0`` (so ``_since`` selects),
and what each type should export."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from conformance.surfaces import translate_patient
from gateway.store import SqliteStore
from sandbox.patient import generate_patient

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class SmallRecord:
    store: SqliteStore
    counts: Counter[str]
    """Resources per type, as stored."""
    written_at: dict[str, datetime]
    """When each surface was written."""
    types_by_surface: dict[str, set[str]]


def seed_small_record(path: Path) -> SmallRecord:
    run = translate_patient(generate_patient(1, "small"))
    store = SqliteStore.open(path)
    written_at: dict[str, datetime] = {}
    types_by_surface: dict[str, set[str]] = {}
    for hour, surface in enumerate(run.units):
        resources = run.resources(surface)
        written_at[surface] = T0 + timedelta(hours=hour)
        types_by_surface[surface] = {r["resourceType"] for r in resources}
        store.write_surface(surface, resources, now=written_at[surface])
    keys = {(r["resourceType"], r["id"]) for r in run.resources()}
    return SmallRecord(store, Counter(t for t, _ in keys), written_at, types_by_surface)
