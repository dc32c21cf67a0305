"""Medications surface: MedicationRequest, Medication and MedicationDispense from ``rxDetails``."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from translators import TranslationContext, TranslationResult, stable_id, translate_rx_details, validated
from translators.ids import FHIR_ID_PATTERN

FIXTURES = Path(__file__).parent / "fixtures"
CTX = TranslationContext(patient_id="patient-1")
Raw = dict[str, Any]
EXT = "urn:fhirgate:kaiser:extension:"


def load_rx() -> Raw:
    raw: Raw = json.loads((FIXTURES / "rx_details.json").read_text())
    return raw


def rx(raw: Raw, bucket: str, index: int) -> Raw:
    value: Raw = raw["prescriptions"][bucket][index]
    return value


def translate(mutate: Callable[[Raw], object] | None = None) -> TranslationResult:
    raw = load_rx()
    if mutate is not None:
        mutate(raw)
    return translate_rx_details(raw, CTX)


def request_for(result: TranslationResult, rx_number: str) -> Raw:
    return next(
        resource
        for resource in result.resources
        if resource["resourceType"] == "MedicationRequest" and resource["identifier"][0]["value"] == rx_number
    )


def of_type(result: TranslationResult, resource_type: str) -> list[Raw]:
    return [resource for resource in result.resources if resource["resourceType"] == resource_type]


def extension(resource: Raw, name: str) -> Any:
    values = [item for item in resource.get("extension", []) if item["url"] == EXT + name]
    if not values:
        return None
    return values[0].get("valueBoolean", values[0].get("valueString", values[0].get("valueDate")))


def test_documented_example_yields_request_and_medication() -> None:
    result = translate()

    assert result.warnings == []
    request = request_for(result, "9990001")
    medication = of_type(result, "Medication")[0]
    assert request["id"] == stable_id("medications", "medreq:9990001")
    assert request["identifier"] == [{"system": "urn:fhirgate:kaiser:nca:rx-number", "value": "9990001"}]
    assert request["status"] == "active" and request["intent"] == "order"
    assert request["medicationReference"] == {
        "reference": f"Medication/{medication['id']}",
        "display": "EXAMPLEPRIL 10 MG TAB ACME",
    }
    assert request["subject"] == {"reference": "Patient/patient-1"}
    assert request["authoredOn"] == "2026-01-05"
    assert request["requester"] == {"display": "ALEX SAMPLE MD"}
    assert request["dosageInstruction"] == [{"text": "Take 1 tablet by mouth daily", "asNeededBoolean": False}]
    assert request["dispenseRequest"] == {
        "numberOfRepeatsAllowed": 3,
        "expectedSupplyDuration": {"value": 30, "unit": "days", "system": "http://unitsofmeasure.org", "code": "d"},
    }
    assert request["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-medicationrequest"]
    assert medication["id"] == stable_id("medications", "med:ndc:00000000001")
    assert medication["code"] == {
        "coding": [{"system": "http://hl7.org/fhir/sid/ndc", "code": "00000000001"}],
        "text": "EXAMPLEPRIL 10 MG TAB ACME",
    }
    assert extension(medication, "brand-name") == "EXAMPLIX"
    assert medication["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-medication"]


def test_fillable_and_non_fillable_are_merged() -> None:
    result = translate()

    assert [request["identifier"][0]["value"] for request in of_type(result, "MedicationRequest")] == [
        "9990001",
        "9990002",
        "9990003",
    ]
    assert {request["status"] for request in of_type(result, "MedicationRequest")} == {"active"}


RX_ROWS: list[tuple[str, str, Callable[[Raw], Any], Any]] = [
    # (quirk, rx number, what to read from the MedicationRequest, expected)
    ("refillsRemaining string '0'", "9990002", lambda r: r["dispenseRequest"]["numberOfRepeatsAllowed"], 0),
    ("mailable string 'true'", "9990001", lambda r: extension(r, "mailable"), True),
    ("mailable string 'false'", "9990002", lambda r: extension(r, "mailable"), False),
    ("prn true", "9990002", lambda r: r["dosageInstruction"][0]["asNeededBoolean"], True),
    ("autoRefill", "9990003", lambda r: extension(r, "auto-refill"), True),
    ("refillEligible", "9990001", lambda r: extension(r, "refill-eligible"), True),
    ("compound absent", "9990002", lambda r: r["authoredOn"], "2025-11-20"),
    ("empty prescribedOn -> MM/DD/YYYY recentRxDate", "9990003", lambda r: r["authoredOn"], "2025-08-15"),
    ("prescriber in consumerName", "9990002", lambda r: r["requester"]["display"], "JORDAN TEST MD"),
    ("nextFillDate MM/DD/YYYY -> next-fill-date", "9990001", lambda r: extension(r, "next-fill-date"), "2026-02-04"),
    ("no nextFillDate -> no extension", "9990002", lambda r: extension(r, "next-fill-date"), None),
    (
        "afcInfo.nextFillEligibleDate -> next-fill-eligible-date",
        "9990002",
        lambda r: extension(r, "next-fill-eligible-date"),
        "2025-12-12",
    ),
]


@pytest.mark.parametrize(("quirk", "rx_number", "read", "expected"), RX_ROWS, ids=[row[0] for row in RX_ROWS])
def test_prescription_quirks(quirk: str, rx_number: str, read: Callable[[Raw], Any], expected: Any) -> None:
    assert read(request_for(translate(), rx_number)) == expected


@pytest.mark.parametrize(
    ("recent_rx_date", "expected"),
    [("2026-01-05", "2026-01-05"), ("01/05/2026", "2026-01-05"), ("1/5/2026", "2026-01-05")],
)
def test_recent_rx_date_in_either_format_backs_up_a_missing_prescribed_on(recent_rx_date: str, expected: str) -> None:
    def mutate(raw: Raw) -> None:
        rx(raw, "fillable", 0).update(prescribedOn=None, recentRxDate=recent_rx_date)

    result = translate(mutate)

    assert request_for(result, "9990001")["authoredOn"] == expected
    assert result.warnings == []


@pytest.mark.parametrize(
    ("last_refill", "last_sold", "handed_over"),
    [
        pytest.param("N/A", None, None, id="N/A-and-null"),
        pytest.param("N/A", "", None, id="N/A-and-empty"),
        pytest.param("12/01/2025", "12/03/2025", "2025-12-03", id="sold-date-wins"),
        pytest.param("9/7/2025", None, "2025-09-07", id="unpadded-refill-date"),
        pytest.param("N/A", "12/03/2025", "2025-12-03", id="sold-only"),
    ],
)
def test_dispense_only_when_a_real_fill_date_is_known(
    last_refill: str, last_sold: str | None, handed_over: str | None
) -> None:
    def mutate(raw: Raw) -> None:
        rx(raw, "fillable", 0).update(lastRefillDate=last_refill, lastSoldDate=last_sold)

    result = translate(mutate)
    dispenses = [
        dispense
        for dispense in of_type(result, "MedicationDispense")
        if dispense["authorizingPrescription"][0]["reference"]
        == f"MedicationRequest/{request_for(result, '9990001')['id']}"
    ]

    if handed_over is None:
        assert dispenses == []
    else:
        (dispense,) = dispenses
        assert dispense["status"] == "completed"
        assert dispense["whenHandedOver"] == handed_over
        assert dispense["daysSupply"]["value"] == 30
        assert dispense["id"] == stable_id("medications", f"dispense:9990001:{handed_over}")


def test_prescription_without_ndc_gets_a_name_keyed_medication_without_coding() -> None:
    result = translate()

    medication_ref = request_for(result, "9990003")["medicationReference"]["reference"]
    medication = next(m for m in of_type(result, "Medication") if f"Medication/{m['id']}" == medication_ref)
    assert medication["id"] == stable_id("medications", "med:name:TESTOLOL 25 MG TAB")
    assert medication["code"] == {"text": "TESTOLOL 25 MG TAB"}


def test_prescriptions_of_one_product_share_one_medication() -> None:
    def same_ndc(raw: Raw) -> None:
        rx(raw, "nonFillable", 0)["afcInfo"]["lastdispensedndc"] = "00000000001"

    result = translate(same_ndc)

    assert len(of_type(result, "Medication")) == 2
    assert (
        request_for(result, "9990001")["medicationReference"]["reference"]
        == request_for(result, "9990003")["medicationReference"]["reference"]
    )


def test_missing_prescriber_drops_the_us_core_claim() -> None:
    result = translate(lambda raw: rx(raw, "fillable", 0).update(consumerName=""))

    request = request_for(result, "9990001")
    assert "requester" not in request
    assert "profile" not in request["meta"]


MALFORMED: list[tuple[str, Callable[[Raw], object]]] = [
    ("rx-not-an-object", lambda raw: raw["prescriptions"]["fillable"].insert(0, "EXAMPLEPRIL")),
    ("no-rx-number", lambda raw: rx(raw, "fillable", 0)["afcInfo"].pop("rxnbr")),
    ("afc-info-null", lambda raw: rx(raw, "fillable", 0).update(afcInfo=None)),
    ("ndc-too-short", lambda raw: rx(raw, "fillable", 0)["afcInfo"].update(lastdispensedndc="12345")),
    ("refills-junk", lambda raw: rx(raw, "fillable", 0).update(refillsRemaining="many")),
    ("refills-negative", lambda raw: rx(raw, "fillable", 0).update(refillsRemaining="-1")),
    ("mailable-junk", lambda raw: rx(raw, "fillable", 0).update(mailable="yes")),
    ("bad-prescribed-on", lambda raw: rx(raw, "fillable", 0).update(prescribedOn="13/45/2026")),
    ("bad-refill-date", lambda raw: rx(raw, "fillable", 0).update(lastRefillDate="soon")),
    ("bad-next-fill-date", lambda raw: rx(raw, "fillable", 0).update(nextFillDate="02/30/2026")),
    ("next-fill-eligible-number", lambda raw: rx(raw, "fillable", 0)["afcInfo"].update(nextFillEligibleDate=20260128)),
    ("non-fillable-object", lambda raw: raw["prescriptions"].update(nonFillable={})),
    ("duplicate-rx", lambda raw: raw["prescriptions"]["nonFillable"].append(rx(raw, "fillable", 0))),
    ("status-code-error", lambda raw: raw["executionContext"].update(statusCode="8051")),
    ("no-name-no-ndc", lambda raw: rx(raw, "nonFillable", 0).update(medicineName=None)),
    ("name-number", lambda raw: rx(raw, "fillable", 0).update(medicineName=12)),
]


@pytest.mark.parametrize(("case", "mutate"), MALFORMED, ids=[row[0] for row in MALFORMED])
def test_malformed_prescriptions_give_warnings_not_exceptions(case: str, mutate: Callable[[Raw], object]) -> None:
    result = translate(mutate)

    assert result.warnings, case
    assert of_type(result, "MedicationRequest"), case
    for resource in result.resources:
        assert validated(resource) == resource


@pytest.mark.parametrize("raw", [{}, {"prescriptions": None}, {"prescriptions": []}, [], None])
def test_empty_or_broken_payloads_never_raise(raw: Any) -> None:
    result = translate_rx_details(raw, CTX)

    assert result.resources == []


def test_output_is_deterministic_valid_and_well_identified() -> None:
    first, second = translate(), translate()

    assert json.dumps(first.resources) == json.dumps(second.resources)
    assert len({resource["id"] for resource in first.resources}) == len(first.resources)
    for resource in first.resources:
        assert validated(resource) == resource
        assert FHIR_ID_PATTERN.fullmatch(resource["id"])
        assert resource["meta"]["source"] == "urn:fhirgate:kaiser:medications"
