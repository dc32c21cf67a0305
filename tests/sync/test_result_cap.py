"""More lab results than GetList returns (§2.6.1: at most 200, no paging cursor): the sync keeps the 200 it
can reach and says, by name, that older results are missing; it never pretends the list is complete."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

from gateway.kaiser.surfaces.lab_results.portal import MAX_RESULTS
from gateway.sync.engine import SyncEngine
from sandbox.patient import LabOrder, SyntheticPatient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.sync.portal_harness import Portal, make_portal, open_store


def _with_orders(patient: SyntheticPatient, count: int) -> SyntheticPatient:
    """The patient with ``count`` lab orders: copies of its own under new keys, each its own group, with one
    component and no PDF (cheap to translate)."""
    templates = [o for o in patient.lab_orders if o.list_entry["orderMetadata"]["resultType"] == "LAB"]
    orders = []
    for number in range(count):
        template = templates[number % len(templates)]
        key = f"{template.key}-copy{number}"
        entry = {**copy.deepcopy(template.list_entry), "key": key}
        group = {**copy.deepcopy(template.group), "key": f"group-copy{number}", "resultList": [key]}
        detail = copy.deepcopy(template.detail)
        detail["key"] = detail["results"][0]["key"] = key
        detail["results"][0]["reportDetails"]["isDownloadablePDFReport"] = False
        detail["results"][0]["resultComponents"] = detail["results"][0]["resultComponents"][:1]
        orders.append(LabOrder(list_entry=entry, group=group, detail=detail))
    return dataclasses.replace(patient, lab_orders=tuple(orders))


async def test_results_beyond_the_portal_cap_are_reported_missing_not_guessed(tmp_path: Path) -> None:
    patient = _with_orders(make_portal().patient, MAX_RESULTS + 5)
    config = PortalConfig(patient=patient, sms_outbox=SmsOutbox())
    portal = Portal(config=config, app=create_portal_app(config))
    store = open_store(tmp_path)

    async with await portal.client() as client:
        report = await SyncEngine(client, store, clock=portal.clock).run(["test-results"])
    results = {r.surface: r for r in report.surfaces}["test-results"]
    assert results.ok and results.failed == 0
    conn = store._connections.pin()  # test-only peek at the whole table
    reports = conn.execute("SELECT COUNT(*) FROM resources WHERE resource_type = 'DiagnosticReport'").fetchone()[0]
    assert reports == MAX_RESULTS
    [problem] = results.problems
    assert f"at most {MAX_RESULTS} results" in problem and "older results are not reachable" in problem
    state = {s.surface: s for s in store.surface_states()}["test-results"]
    assert state.problems == (problem,) and not state.failing  # `fhirgate status` and the facade show it
