"""Sync of problems, allergies, appointments, visit notes, implants and upcoming orders against the
in-process sandbox: what lands in the store, and visit notes' incremental reads."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine, SyncReport
from sandbox.patient.visit_notes import VisitDocuments, amend_first_note
from tests.sync.portal_harness import Portal, make_portal, open_store

CLINICAL = ("problems", "allergies", "appointments", "visit-notes", "implants", "upcoming-orders")


async def _sync(portal: Portal, store: SqliteStore, names: tuple[str, ...] = CLINICAL) -> tuple[SyncReport, int]:
    async with await portal.client() as client:
        report = await SyncEngine(client, store, clock=portal.clock).run(names)
        return report, client.request_count


def _resources(store: SqliteStore, resource_type: str) -> list[dict[str, Any]]:
    conn = store._connections.pin()  # test-only peek at the whole table
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


def _visit_requests(documents: VisitDocuments) -> int:
    """One visit's detail calls: token, details, note list; token + validate + content per note; AVS chain."""
    notes = len(documents.notes["noteList"])
    return 3 + (1 + 2 * notes if notes else 0) + (3 if documents.avs_pdf is not None else 0)


async def test_amending_one_visit_note_rereads_exactly_that_visit(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    _, profile_only = await _sync(portal, store, ("profile",))
    await _sync(portal, store, ("visit-notes",))
    before = {d["id"]: d for d in _resources(store, "DocumentReference")}
    patient = portal.patient
    visit = next(v for v in patient.visits.past if not v["IsNotViewed"] and patient.visit_documents.get(v["Csn"]))
    documents = patient.visit_documents[visit["Csn"]]
    amend_first_note(visit, documents, "potassium recheck ordered")

    report, requests = await _sync(portal, store, ("visit-notes",))
    assert requests == profile_only + 2 + _visit_requests(documents)
    [visit_notes] = [r for r in report.surfaces if r.surface == "visit-notes"]
    assert visit_notes.updated == 1 and visit_notes.new == 1  # new: the batch's Provenance
    after = {d["id"]: d for d in _resources(store, "DocumentReference")}
    changed = [i for i in after if after[i]["meta"]["versionId"] != before[i]["meta"]["versionId"]]
    assert len(changed) == 1 and after.keys() == before.keys()
    texts = [base64.b64decode(c["attachment"].get("data", "")).decode() for c in after[changed[0]]["content"]]
    assert any("potassium recheck ordered" in text for text in texts)


async def test_session_scoped_handles_and_ageing_buckets_do_not_reread_a_visit(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    _, profile_only = await _sync(portal, store, ("profile",))
    await _sync(portal, store, ("visit-notes",))
    for visit in portal.patient.visits.past:  # what a new portal session or a later month shows
        visit["Dat"] = "WP-24" + visit["Dat"][::-1][:20]
        visit["PrimaryProvider"] = {**visit["PrimaryProvider"], "EncryptedId": "WP-24another-session"}
        visit["PastVisitBucket"] = "past2year"
    _, requests = await _sync(portal, store, ("visit-notes",))
    assert requests == profile_only + 2
