"""Refill-order tracking -> Task + MedicationDispense: states, links to the prescriptions, nothing about payment."""

from __future__ import annotations

import json

from sandbox.patient import generate_patient
from translators.extensions import NEXT_FILL_DATE
from translators.medications import translate_rx_details
from translators.refill_orders import task_id, translate_refill_order
from translators.types import TranslationContext

CTX = TranslationContext(patient_id="p1")


def test_each_order_becomes_a_task_with_one_dispense_per_rx_line() -> None:
    patient = generate_patient(4)
    states = {}
    for order in patient.refill_orders:
        result = translate_refill_order(order, CTX)
        assert not result.warnings
        task, *dispenses = result.resources
        assert task["resourceType"] == "Task" and task["id"] == task_id(order["orderNumber"])
        assert len(dispenses) == len(order["rxList"])
        assert [o["valueReference"]["reference"] for o in task["output"]] == [
            f"MedicationDispense/{d['id']}" for d in dispenses
        ]
        prescriptions = {d["authorizingPrescription"][0]["reference"] for d in dispenses}
        assert sorted(r["reference"] for r in task["basedOn"]) == sorted(prescriptions)
        states[order["orderStatus"]] = (task["status"], {d["status"] for d in dispenses})
    assert states == {
        "DELIVERED": ("completed", {"completed"}),
        "SHIPPED": ("in-progress", {"in-progress"}),
        "INPROGRESS": ("in-progress", {"preparation"}),
    }


def test_dispenses_point_at_the_prescriptions_and_never_carry_payment_data() -> None:
    patient = generate_patient(4)
    requests = {
        r["id"]
        for r in translate_rx_details(patient.rx_details, CTX).resources
        if r["resourceType"] == "MedicationRequest"
    }
    for order in patient.refill_orders:
        text = json.dumps(translate_refill_order(order, CTX).resources)
        for line in order["rxList"]:
            assert line["ccinfo"][0]["pcitkn"] not in text
        for dispense in translate_refill_order(order, CTX).resources[1:]:
            reference = dispense["authorizingPrescription"][0]["reference"]
            assert reference.removeprefix("MedicationRequest/") in requests
            assert dispense["medicationCodeableConcept"]["coding"][0]["system"] == "http://hl7.org/fhir/sid/ndc"


def test_order_without_number_is_skipped_with_a_warning() -> None:
    result = translate_refill_order({"orderStatus": "INPROGRESS", "rxList": []}, CTX)
    assert result.resources == [] and "orderNumber" in str(result.warnings[0])


def test_unknown_state_is_kept_as_requested_and_reported() -> None:
    order = {**generate_patient(4).refill_orders[0], "orderStatus": "ON_HOLD"}
    result = translate_refill_order(order, CTX)
    assert result.resources[0]["status"] == "requested"
    assert any("ON_HOLD" in str(w) for w in result.warnings)


def test_tracking_facts_are_carried_and_payment_never() -> None:
    order = next(o for o in generate_patient(4).refill_orders if o["orderStatus"] == "SHIPPED")
    task, *dispenses = translate_refill_order(order, CTX).resources
    assert task["requester"] == {"reference": "Patient/p1", "display": order["placerName"]}
    assert task["businessStatus"]["coding"][0]["code"] == "SHIPPED"
    for line, dispense in zip(order["rxList"], dispenses, strict=True):
        assert dispense["identifier"] == [
            {"system": "urn:fhirgate:kaiser:nca:shipment-tracking", "value": line["trackingId"]}
        ]
        assert dispense["authorizingPrescription"][0]["identifier"]["value"] == line["rxNumber"]
        month, day, year = line["nextFillDate"].split("/")
        assert dispense["extension"] == [{"url": NEXT_FILL_DATE, "valueDate": f"{year}-{month}-{day}"}]


def test_an_unreadable_next_fill_date_is_left_out_with_a_warning() -> None:
    order = dict(generate_patient(4).refill_orders[0])
    order["rxList"] = [{**order["rxList"][0], "nextFillDate": "someday"}]
    result = translate_refill_order(order, CTX)
    assert "extension" not in result.resources[1]
    assert [w.field for w in result.warnings] == ["rxList[0].nextFillDate"]
