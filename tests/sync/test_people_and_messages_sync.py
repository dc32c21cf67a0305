"""Sync of relationships, care team, messages and access logs against the in-process sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine, SyncReport
from tests.sync.portal_harness import Portal, make_portal, open_store

NEW_SURFACES = ("relationships", "care-team", "messages", "access-logs")


async def _sync(portal: Portal, store: SqliteStore) -> tuple[SyncReport, int]:
    """Profile plus this module's surfaces; returns the report and the number of portal requests."""
    async with await portal.client() as client:
        report = await SyncEngine(client, store, clock=portal.clock).run(NEW_SURFACES)
        return report, client.request_count


def _resources(store: SqliteStore, resource_type: str) -> list[dict[str, Any]]:
    conn = store._connections.pin()  # test-only peek at the whole table
    rows = conn.execute("SELECT json FROM resources WHERE resource_type = ?", (resource_type,))
    return [json.loads(row[0]) for row in rows]


async def test_sync_stores_every_surface_and_links_the_pcp(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    report, _ = await _sync(portal, store)
    assert report.ok, report.surfaces
    assert [r.surface for r in report.surfaces if r.surface in NEW_SURFACES] == list(NEW_SURFACES)
    center = portal.patient.message_center
    assert len(_resources(store, "RelatedPerson")) == 3
    assert len(_resources(store, "Practitioner")) == 4
    assert len(_resources(store, "Communication")) == sum(len(t["conversation"]["messages"]) for t in center["threads"])
    assert len(_resources(store, "Binary")) == 1
    assert len(_resources(store, "AuditEvent")) == sum(len(entries) for entries in portal.patient.access_logs.values())
    (patient,) = _resources(store, "Patient")
    pcp = patient["generalPractitioner"][0]["reference"]
    practitioners = {f"Practitioner/{p['id']}": p for p in _resources(store, "Practitioner")}
    assert practitioners[pcp]["name"][0]["text"] == portal.patient.care_team["ProvidersList"][0]["Name"]
    (binary,) = _resources(store, "Binary")
    urls = [
        p["contentAttachment"].get("url")
        for c in _resources(store, "Communication")
        for p in c["payload"]
        if "contentAttachment" in p
    ]
    assert f"Binary/{binary['id']}" in urls


async def test_only_a_changed_thread_is_read_again(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    await _sync(portal, store)
    _, unchanged_requests = await _sync(portal, store)
    thread = portal.patient.message_center["threads"][4]["conversation"]
    reply = {**thread["messages"][0], "wmgId": "WP-24new-reply-invented", "deliveryInstantISO": "2026-11-01T23:59:00Z"}
    thread["messages"].insert(0, reply)

    report, requests = await _sync(portal, store)
    assert report.ok
    assert requests == unchanged_requests + 1  # one GetConversationDetails
    messages = next(r for r in report.surfaces if r.surface == "messages")
    assert (messages.new, messages.updated) == (2, 0)  # the reply and this batch's Provenance
    newest = next(c for c in _resources(store, "Communication") if c["identifier"][0]["value"] == reply["wmgId"])
    assert newest["inResponseTo"]
