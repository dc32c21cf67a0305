"""Hostile portal payloads for every surface, through the real sync: the sandbox's documented shapes with
keys dropped or added, values replaced by nulls, wrong types, huge or odd Unicode strings, bidi marks,
HTML and script, and dates in documented and undocumented formats.

Each example syncs one surface against the perturbed sandbox. No exception may escape (the engine's
"surface crashed" guard counts as one), every resource stored validates as FHIR R4, and the store is
consistent: a failed surface changes nothing, a committed one only valid, historied resources.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings

from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.table import SURFACE_NAMES
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from tests.fuzz.perturbations import Edit, Huge, edits
from tests.fuzz.perturbing_portal import (
    SURFACE_PATHS,
    Perturbation,
    PerturbingMiddleware,
    StoreSnapshot,
    integrity_problems,
    stored_json,
)
from tests.sync.portal_harness import Portal, make_portal
from translators.validation import validated

# `make fuzz` sets 10,000: that many syncs per surface. `make test`'s 150 becomes 6 syncs per surface, since
# each example is a whole sync (50-100 ms); the translators' own drift tests run 60-100 per surface more.
EXAMPLES = int(os.environ.get("FHIRGATE_FUZZ_EXAMPLES", "150"))
SYNC_EXAMPLES = EXAMPLES if EXAMPLES >= 1000 else max(EXAMPLES // 25, 6)


class CrashLog(logging.Handler):
    """Collects the engine's ``surface_crashed`` lines: an exception escaped a surface's code."""

    def __init__(self) -> None:
        super().__init__()
        self.crashes: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        if "surface_crashed" in record.getMessage():
            self.crashes.append(record.getMessage())


class Rig:
    """The event loop, signed-in client and store the examples share (a plain class: hypothesis prints
    its arguments, and a dataclass would print the whole patient)."""

    def __init__(self, portal: Portal, path: Path) -> None:
        self.portal = portal
        self.path = path
        self.perturbation = Perturbation()
        portal.app.add_middleware(PerturbingMiddleware, perturbation=self.perturbation)
        self.loop = asyncio.new_event_loop()
        self.store = SqliteStore.open(path)
        self.client: PortalClient = self.loop.run_until_complete(portal.client())
        self.crash_log = CrashLog()

    def __repr__(self) -> str:
        return "Rig(sandbox portal, one store)"


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    portal = make_portal(seed=11)
    # Fewer lab orders keep each example's detail and PDF calls few; every shape is still there.
    portal.config.patient = dataclasses.replace(portal.patient, lab_orders=portal.patient.lab_orders[:3])
    rig = Rig(portal, tmp_path_factory.mktemp("payload-fuzz") / "store.sqlite3")
    logging.getLogger("fhirgate.sync").addHandler(rig.crash_log)
    rig.loop.run_until_complete(SyncEngine(rig.client, rig.store, clock=portal.clock).run())  # a clean record
    try:
        yield rig
    finally:
        logging.getLogger("fhirgate.sync").removeHandler(rig.crash_log)
        rig.loop.run_until_complete(rig.client.aclose())
        rig.loop.close()
        rig.store.close()


def sync_perturbed(rig: Rig, surface: str, applied: list[Edit]) -> None:
    """One sync of ``surface`` over its perturbed answers, then the checks every example must pass."""
    before = StoreSnapshot.take(rig.path)
    rig.crash_log.crashes.clear()
    rig.perturbation.surface, rig.perturbation.edits = surface, applied
    try:
        report = rig.loop.run_until_complete(SyncEngine(rig.client, rig.store, clock=rig.portal.clock).run([surface]))
    finally:
        rig.perturbation.edits = ()
    assert rig.crash_log.crashes == [], rig.crash_log.crashes
    assert integrity_problems(rig.path) == []
    after = StoreSnapshot.take(rig.path)
    outcome = next(r for r in report.surfaces if r.surface == surface)
    changed = before.changed(after)
    if not outcome.ok:  # the profile surface ran too and may have committed; this one must not have
        assert after.of_surface(surface) == before.of_surface(surface), f"{surface} failed but its data changed"
    for resource in stored_json(rig.path, changed):
        assert validated(resource)["id"] == resource["id"]


FUZZ = settings(
    max_examples=SYNC_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture, HealthCheck.data_too_large],
    database=None,
    derandomize=SYNC_EXAMPLES < 1000,  # `make test` replays one fixed set; `make fuzz` explores
)


@pytest.mark.parametrize("surface", SURFACE_NAMES)
@FUZZ
@given(applied=edits)
def test_hostile_payload_commits_or_fails_cleanly(rig: Rig, surface: str, applied: list[Edit]) -> None:
    sync_perturbed(rig, surface, applied)


FOUND: list[tuple[str, list[Edit]]] = [
    # userIdentityInfo null: patient_guid called .get on None (gateway/kaiser/surfaces/profile.py).
    ("profile", [Edit("replace", 4, [None, None, None]), Edit("replace", 1000000, None)]),
    # Every refill order's orderNumber the same: three Tasks with one id; the store refused the batch and the
    # engine called it a crash (gateway/sync/engine.py now fails the surface cleanly).
    ("medications", [Edit("replace", 1, "2026-01-05")]),
    # A thread whose message's `attachments` is a number: the attachment loop iterated an int
    # (gateway/kaiser/surfaces/messages.py `_downloads`).
    ("messages", [Edit("replace", 1, [None]), Edit("replace", 235148, 1)]),
    # A group's `resultList` that is not a list (gateway/kaiser/surfaces/lab_results/portal.py iterated a bool).
    ("test-results", [Edit("replace", 510510, True)]),
    # A 100,000-character refill order number: httpx2 refused to build its URL (InvalidURL); the request
    # layer now refuses any unsendable value as MalformedPayload, and the sync skips that order as failed.
    ("medications", [Edit("replace", 41826, Huge("x", 100_000))]),
]
"""Crashes this fuzz found, each fixed where it happened; kept as fixed examples so they stay fixed."""


@pytest.mark.parametrize(("surface", "applied"), FOUND)
def test_payloads_that_once_crashed_a_surface_now_fail_or_commit_cleanly(
    rig: Rig, surface: str, applied: list[Edit]
) -> None:
    sync_perturbed(rig, surface, applied)


def test_every_surface_of_the_sync_table_is_fuzzed() -> None:
    assert set(SURFACE_PATHS) == set(SURFACE_NAMES)
