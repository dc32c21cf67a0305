"""Push batches put every resource after what it references; a reference cycle stays in one transaction;
Binaries go first, in transactions of their own."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2

from fhirgate.record_out.parts import RecordItem
from fhirgate.record_out.push_bundle import FHIRGATE_ID_SYSTEM, entry_uuid, transaction_bundle
from fhirgate.record_out.push_client import TransactionClient
from fhirgate.record_out.push_order import push_batches
from fhirgate.record_out.push_state import PushState
from fhirgate.record_out.pushing import RecordPusher
from tests.record_out.quiet_progress import Quiet


def item(resource_type: str, resource_id: str, *refs: str) -> RecordItem:
    resource = {
        "resourceType": resource_type,
        "id": resource_id,
        "extension": [{"valueReference": {"reference": r}} for r in refs],
    }
    return RecordItem("kaiser", resource_type, resource_id, json.dumps(resource, separators=(",", ":")))


def test_targets_come_before_the_resources_that_reference_them() -> None:
    items = [
        item("Observation", "o1", "Patient/p", "Encounter/e"),
        item("Encounter", "e", "Patient/p", "Practitioner/dr"),
        item("Practitioner", "dr"),
        item("Patient", "p", "Organization/outside"),
    ]
    batches = push_batches(items, batch_size=1)
    order = [f"{b[0].resource_type}/{b[0].id}" for b in batches]
    assert all(len(b) == 1 for b in batches)
    assert order.index("Patient/p") < order.index("Encounter/e") < order.index("Observation/o1")
    assert order.index("Practitioner/dr") < order.index("Encounter/e")


def test_a_cycle_is_one_batch_whatever_the_batch_size() -> None:
    items = [item("Condition", "c", "Encounter/e"), item("Encounter", "e", "Condition/c"), item("Patient", "p")]
    batches = push_batches(items, batch_size=1)
    assert sorted(len(b) for b in batches) == [1, 2]
    (cycle,) = [b for b in batches if len(b) == 2]
    assert {i.id for i in cycle} == {"c", "e"}


def test_the_transaction_uses_conditional_updates_and_points_references_at_the_right_place() -> None:
    server = "https://fhir.example/r4"
    batch = [item("Observation", "o1", "Patient/p", "Encounter/e", "Organization/outside"), item("Binary", "b1")]
    bundle = transaction_bundle(batch, server, {("Patient", "p"): "Patient/server-7"})
    observation, binary = (entry["resource"] for entry in bundle["entry"])
    refs = [x["valueReference"]["reference"] for x in observation["extension"]]
    assert refs == ["Patient/server-7", "Encounter/e", "Organization/outside"]
    assert "id" not in observation
    assert observation["identifier"] == [{"system": FHIRGATE_ID_SYSTEM, "value": "o1"}]
    assert bundle["entry"][0]["request"] == {"method": "PUT", "url": f"Observation?identifier={FHIRGATE_ID_SYSTEM}|o1"}
    assert binary["meta"]["tag"] == [{"system": FHIRGATE_ID_SYSTEM, "code": "b1"}]
    assert bundle["entry"][1]["request"]["url"] == f"Binary?_tag={FHIRGATE_ID_SYSTEM}|b1"
    assert bundle["entry"][0]["fullUrl"] == entry_uuid(server, ("Observation", "o1"))
    in_batch = transaction_bundle([item("Encounter", "e"), *batch], server, {})
    assert in_batch["entry"][1]["resource"]["extension"][1]["valueReference"]["reference"] == entry_uuid(
        server, ("Encounter", "e")
    )


async def test_binaries_go_in_transactions_before_the_resources_linking_them(tmp_path: Path) -> None:
    sent: list[list[str]] = []

    def answer(request: httpx2.Request) -> httpx2.Response:
        bundle = json.loads(request.content)
        sent.append([entry["resource"]["resourceType"] for entry in bundle["entry"]])
        entries = [
            {"response": {"status": "201 Created", "location": f"{e['resource']['resourceType']}/s{i}/_history/1"}}
            for i, e in enumerate(bundle["entry"])
        ]
        return httpx2.Response(200, json={"resourceType": "Bundle", "type": "transaction-response", "entry": entries})

    document = RecordItem(
        "kaiser",
        "DocumentReference",
        "d1",
        '{"resourceType":"DocumentReference","id":"d1","content":[{"attachment":{"url":"Binary/b1"}}]}',
    )
    client = TransactionClient("https://fhir.example/r4", transport=httpx2.MockTransport(answer))
    state = PushState(tmp_path / "push.sqlite3", client.base_url)
    try:
        report = await RecordPusher(client, state, Quiet(), batch_size=10).push([document, item("Binary", "b1")])
    finally:
        await client.aclose()
        state.close()
    assert sent == [["Binary"], ["DocumentReference"]]
    assert report.by_type["Binary"].created == 1 and report.by_type["DocumentReference"].created == 1
