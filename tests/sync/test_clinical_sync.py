"""Sync of problems, allergies, appointments, visit notes, implants and upcoming orders against the
in-process sandbox: what lands in the store, and visit notes' incremental reads."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine, SyncReport
from tests.sync.portal_harness import Portal, make_portal, open_store

CLINICAL = ("problems", "allergies", "appointments", "visit-notes", "implants", "upcoming-orders")


async def _sync(portal: Portal, store: SqliteStore, names: tuple[str, ...] = CLINICAL) -> tuple[SyncReport, int]:
    async with await portal.client() as client:
        report = await SyncEngine(client, store, clock=portal.clock).run(names)
        return report, client.request_count


def _resources(store: SqliteStore, resource_type: str) -> list[dict[str, Any]]:
    conn = store._connections.get()  # test-only peek at the whole table
    rows = conn.execute("SELECT json FROM resources WHERE resource_type = ?", (resource_type,))
    return [json.loads(row[0]) for row in rows]


async def test_every_clinical_surface_lands_in_the_store(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    report, _ = await _sync(portal, store)
    assert report.ok, report.surfaces
    assert [r.surface for r in report.surfaces if r.surface in CLINICAL] == list(CLINICAL)
    patient = portal.patient
    assert len(_resources(store, "Condition")) == len(patient.problem_list["DataList"])
    assert len(_resources(store, "AllergyIntolerance")) == len(patient.allergy_list["DataList"])
    assert len(_resources(store, "Encounter")) == len(patient.visits.past)
    no_shows = sum(visit["IsNoShow"] for visit in patient.visits.past)
    upcoming = sum(len(patient.visits.upcoming[b]) for b in ("InProgressVisits", "NextNDaysVisits", "LaterVisitsList"))
    assert len(_resources(store, "Appointment")) == upcoming + no_shows
    assert len(_resources(store, "Device")) == len(patient.implants["implantList"])
    assert len(_resources(store, "ServiceRequest")) == len(patient.upcoming_orders.orders["orderList"])
    documents = patient.visit_documents.values()
    assert len(_resources(store, "Binary")) == sum(docs.avs_pdf is not None for docs in documents)
    notes = sum(len(docs.note_html) + (docs.avs_html is not None) for docs in documents)
    assert len(_resources(store, "DocumentReference")) == notes
    encounters = {f"Encounter/{e['id']}" for e in _resources(store, "Encounter")}
    for document in _resources(store, "DocumentReference"):
        assert document["context"]["encounter"][0]["reference"] in encounters


async def test_an_unchanged_second_sync_reads_only_the_visit_list(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    _, profile_only = await _sync(portal, store, ("profile",))
    first, first_requests = await _sync(portal, store, ("visit-notes",))
    second, second_requests = await _sync(portal, store, ("visit-notes",))
    assert first.ok and second.ok
    assert second_requests == profile_only + 2  # a token and one LoadPast page
    assert first_requests > second_requests
    [report] = [r for r in second.surfaces if r.surface == "visit-notes"]
    assert report.new == 0 and report.updated == 0 and report.unchanged > 0

    changed = next(v for v in portal.patient.visits.past if portal.patient.visit_documents.get(v["Csn"]))
    changed["IsNotViewed"] = not changed["IsNotViewed"]
    _, third_requests = await _sync(portal, store, ("visit-notes",))
    assert profile_only + 2 < third_requests < first_requests
