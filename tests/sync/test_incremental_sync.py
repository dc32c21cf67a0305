"""Incremental sync against the in-process sandbox: request counts, one changed result, --full, atomicity."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from gateway.kaiser.surfaces.lab_results import collect as lab_results_surface
from gateway.store import SqliteStore
from tests.sync.portal_harness import generating_pdfs, make_portal, open_orders, open_store, pdf_requests
from translators.ids import stable_id
from translators.refill_orders import task_id
from translators.result_documents import result_document_id

# profile (user + care-team CSRF + Load) + test results (CSRF + GetList) + medications (rxDetails + orderStatus)
LIST_CALLS = 7


def _snapshot(store: SqliteStore) -> dict[str, tuple[int, str]]:
    """Every stored resource except Provenance: reference -> (version, json)."""
    conn = store._connections.pin()  # test-only peek at the whole table
    rows = conn.execute("SELECT resource_type, id, version_id, json FROM resources WHERE resource_type != 'Provenance'")
    return {f"{r[0]}/{r[1]}": (r[2], r[3]) for r in rows}


def _document_refs(snapshot: dict[str, tuple[int, str]], order_key: str) -> set[str]:
    """The result PDF's DocumentReference and Binary: the document's date follows the report's."""
    document = f"DocumentReference/{result_document_id(order_key)}"
    if document not in snapshot:
        return set()
    return {document}


def _count(store: SqliteStore, resource_type: str) -> int:
    conn = store._connections.pin()
    return int(conn.execute("SELECT COUNT(*) FROM resources WHERE resource_type = ?", (resource_type,)).fetchone()[0])


async def test_second_unchanged_sync_makes_only_list_calls(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    first, first_requests = await portal.sync(store)
    assert first.ok, first.surfaces
    orders = len(portal.patient.lab_orders)
    # + the page nonce, one GetDetails per lab order, one orderDetails per refill order
    pdfs = pdf_requests(portal, portal.patient.lab_orders)
    assert first_requests == LIST_CALLS + 1 + orders + pdfs + len(portal.patient.refill_orders)
    await portal.sync(store)  # the PDFs that were still generating
    before = _snapshot(store)

    second, second_requests = await portal.sync(store)
    assert second.ok
    assert second_requests == LIST_CALLS + open_orders(portal)
    assert open_orders(portal) == 2  # one shipped, one in progress
    assert all(report.new == 0 and report.updated == 0 for report in second.surfaces)
    assert _snapshot(store) == before


async def test_a_generating_pdf_is_pending_then_arrives_with_the_next_sync_alone(tmp_path: Path) -> None:
    portal = make_portal()
    portal.config.pdf_generating_calls = 2
    store = open_store(tmp_path)
    [imaging] = generating_pdfs(portal, portal.patient.lab_orders)
    document = f"DocumentReference/{result_document_id(imaging.key)}"

    first, _ = await portal.sync(store)
    results = {r.surface: r for r in first.surfaces}["test-results"]
    assert results.ok and not results.problems  # generating is not a failure
    assert document not in _snapshot(store)

    _, still_generating = await portal.sync(store)
    assert still_generating == LIST_CALLS + open_orders(portal) + 1  # one ask, nothing else of the order
    assert document not in _snapshot(store)

    _, arriving = await portal.sync(store)
    assert arriving == LIST_CALLS + open_orders(portal) + 3  # Generated, document details, download
    after = _snapshot(store)
    report_id = stable_id(lab_results_surface.SURFACE, f"dr:{imaging.key}")
    assert json.loads(after[document][1])["context"]["related"][0]["reference"] == f"DiagnosticReport/{report_id}"

    _, settled = await portal.sync(store)
    assert settled == LIST_CALLS + open_orders(portal)
    assert _snapshot(store) == after


async def test_changing_one_result_updates_exactly_that_report_and_its_observations(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    await portal.settle(store)
    before = _snapshot(store)

    order = next(o for o in portal.patient.lab_orders if o.detail["results"][0]["resultComponents"])
    result = order.detail["results"][0]
    result["resultComponents"][0]["componentResultInfo"]["value"] = "999"
    result["resultComponents"][0]["componentResultInfo"]["numericValue"] = 999
    result["orderMetadata"]["resultStatus"] = "Corrected"
    for metadata in (result["orderMetadata"], order.list_entry["orderMetadata"]):
        metadata["prioritizedInstantISO"] = "2026-11-02T10:00:00Z"

    report, requests = await portal.sync(store)
    assert report.ok
    # page nonce + the one GetDetails (+ its PDF chain)
    assert requests == LIST_CALLS + open_orders(portal) + 2 + pdf_requests(portal, [order], first_asked=False)
    after = _snapshot(store)
    changed = {ref for ref in after if after[ref] != before.get(ref)}
    report_id = stable_id(lab_results_surface.SURFACE, f"dr:{order.key}")
    observation_refs = {r["reference"] for r in json.loads(after[f"DiagnosticReport/{report_id}"][1])["result"]}
    assert changed == {f"DiagnosticReport/{report_id}", *observation_refs, *_document_refs(after, order.key)}
    assert all(after[ref][0] == 2 for ref in changed)
    first_observation = json.loads(after[sorted(observation_refs)[0]][1])
    assert first_observation["status"] == "corrected"


async def test_full_sync_fetches_every_detail_again_and_changes_nothing(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    _, first_requests = await portal.sync(store)
    await portal.sync(store)  # the PDFs that were still generating
    before = _snapshot(store)
    report, requests = await portal.sync(store, full=True)
    assert report.ok
    orders = portal.patient.lab_orders
    built = pdf_requests(portal, orders, first_asked=False) - pdf_requests(portal, orders)
    assert requests == first_requests + built  # every PDF is ready by now
    assert _snapshot(store) == before


async def test_each_batch_with_changes_gets_one_provenance_naming_fhirgate_and_kaiser(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    await portal.sync(store)
    assert _count(store, "Provenance") == 3  # profile, test results, medications
    await portal.sync(store)
    assert _count(store, "Provenance") == 4  # the PDFs that were still generating: one more test-results batch
    await portal.sync(store)
    assert _count(store, "Provenance") == 4  # nothing changed: no new batch provenance
    conn = store._connections.pin()
    texts = [r[0] for r in conn.execute("SELECT json FROM resources WHERE resource_type = 'Provenance'")]
    batches: list[dict[str, Any]] = [json.loads(t) for t in texts if "test-results" in t]
    for provenance in batches:
        assert [agent["who"].get("display") for agent in provenance["agent"]] == ["fhirgate", "Kaiser Permanente"]
    kinds = ("DiagnosticReport", "Observation", "DocumentReference", "Binary")
    assert sum(len(provenance["target"]) for provenance in batches) == sum(_count(store, kind) for kind in kinds)
    assert _count(store, "DocumentReference") == _count(store, "Binary") > 0


async def test_a_crashing_surface_is_reported_and_keeps_its_data(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    await portal.sync(store)
    before = _snapshot(store)

    def explode(*_: object, **__: object) -> object:
        raise ZeroDivisionError("secret payload text")

    monkeypatch.setattr(lab_results_surface, "translate_lab_result", explode)
    portal.patient.lab_orders[0].list_entry["hasComment"] = not portal.patient.lab_orders[0].list_entry["hasComment"]
    report, _ = await portal.sync(store)
    by_name = {r.surface: r for r in report.surfaces}
    assert by_name["test-results"].error is not None
    assert "ZeroDivisionError" in by_name["test-results"].error
    assert "secret payload" not in by_name["test-results"].error
    assert "secret payload" not in caplog.text and "ZeroDivisionError" in caplog.text
    assert by_name["medications"].ok  # the other surfaces still committed
    assert _snapshot(store) == before
    state = {s.surface: s for s in store.surface_states()}
    assert state["test-results"].failing


async def test_refill_orders_are_read_until_final_then_kept(tmp_path: Path) -> None:
    portal = make_portal()
    store = open_store(tmp_path)
    await portal.settle(store)
    shipped = next(o for o in portal.patient.refill_orders if o["orderStatus"] == "SHIPPED")
    shipped["orderStatus"], shipped["digitalStatus"] = "DELIVERED", "Delivered"
    for line in shipped["rxList"]:
        line["rxStatus"] = "DELIVERED"
    _, requests = await portal.sync(store)
    assert requests == LIST_CALLS + 2  # both open orders read; one turns out delivered
    task = store.read("Task", task_id(str(shipped["orderNumber"])))
    assert task is not None and json.loads(task.json_text)["status"] == "completed"
    outputs = [o["valueReference"]["reference"].split("/")[1] for o in json.loads(task.json_text)["output"]]
    dispenses = [store.read("MedicationDispense", dispense_id) for dispense_id in outputs]
    assert {json.loads(d.json_text)["status"] for d in dispenses if d is not None} == {"completed"}
    assert None not in dispenses
    _, requests = await portal.sync(store)
    assert requests == LIST_CALLS + 1  # only the one still in progress
