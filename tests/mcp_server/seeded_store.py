"""A store holding the sandbox patient, built by the real translators (no portal, no browser)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from gateway.store import SqliteStore
from sandbox.patient import generate_patient
from translators import (
    FhirJson,
    TranslationContext,
    patient_id_from_profile,
    translate_lab_result,
    translate_profile,
    translate_rx_details,
)

SYNCED_AT = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)


@cache
def surfaces(seed: int = 1) -> tuple[tuple[str, tuple[FhirJson, ...]], ...]:
    """The translated resources per surface (computed once per seed: validation is the slow part)."""
    patient = generate_patient(seed)
    context = TranslationContext(patient_id=patient_id_from_profile(patient.profile))
    labs: list[FhirJson] = []
    for order in patient.lab_orders:
        labs += translate_lab_result(order.list_entry, order.detail, context, group=order.group).resources
    return (
        ("profile", tuple(translate_profile(patient.profile, context).resources)),
        ("test-results", tuple(labs)),
        ("medications", tuple(translate_rx_details(patient.rx_details, context).resources)),
    )


def seed_store(path: Path, *, seed: int = 1) -> SqliteStore:
    """Open a store at `path` and write the profile, test-results and medications surfaces."""
    store = SqliteStore.open(path)
    for surface, resources in surfaces(seed):
        store.write_surface(surface, [copy.deepcopy(r) for r in resources], now=SYNCED_AT)
    return store
