"""Upcoming orders -> ServiceRequest: dates, expiry, requester, instructions HTML, standing orders."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from translators import TranslationContext, translate_upcoming_orders, validated
from translators.visit_context import appointment_id

CTX = TranslationContext(patient_id="pat-1")
ORDER: dict[str, Any] = {
    "id": "WP-24ord-invented", "name": "POTASSIUM", "orderedDateISO": "2026-01-05", "actionableDateISO": "2026-07-05",
    "actionableDateType": "expire", "expectedDateISO": "2026-02-01", "expiredDateISO": "2026-07-05",
    "lastPerformedDateISO": "", "comments": [], "expectedDateComment": "",
    "instructions": "<p><b>Fast</b> for 12 hours.</p><script>x()</script>", "isPRN": False, "isStanding": False,
    "standingOccurrences": 0, "originalStandingOccurrences": 0, "orderInterval": "",
}  # fmt: skip


def _body(order: dict[str, Any], **group: Any) -> dict[str, Any]:
    return {
        "orderGroupList": {"G1": {"orderIDs": [order["id"]], "visitName": "Office Visit", "encProviderID": "P1",
                                  "dueDateISO": "2026-03-01", "encDateISO": "2026-01-05", "apptCSN": "", **group}},
        "orderList": {order["id"]: copy.deepcopy(order)},
        "providerList": {"P1": {"id": "P1", "name": "ALEX SAMPLE MD", "photoURL": ""}},
        "upcomingOrdersSettings": {"canHideOrUnhideReminders": True, "selectedOrderGroup": "0"},
    }  # fmt: skip


def _request(order: dict[str, Any], **group: Any) -> dict[str, Any]:
    result = translate_upcoming_orders(_body(order, **group), CTX)
    [request] = result.resources
    assert validated(request) == request
    return request


def test_a_pending_lab_order() -> None:
    request = _request(ORDER)
    assert (request["status"], request["intent"]) == ("active", "order")
    assert request["code"] == {"text": "POTASSIUM"} and request["authoredOn"] == "2026-01-05"
    assert request["occurrencePeriod"] == {"start": "2026-02-01", "end": "2026-07-05"}
    assert request["requester"] == {"display": "ALEX SAMPLE MD"}
    assert request["patientInstruction"] == "Fast for 12 hours."
    assert request["asNeededBoolean"] is False
    assert request["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-servicerequest"]


ROWS: list[tuple[str, dict[str, Any], dict[str, Any], Any]] = [
    (
        "no expected date: the group's due date",
        {**ORDER, "expectedDateISO": ""},
        {},
        lambda r: r["occurrencePeriod"]["start"] == "2026-03-01",
    ),
    (
        "no expiry date: the actionable date when it is an expiry",
        {**ORDER, "expiredDateISO": ""},
        {},
        lambda r: r["occurrencePeriod"]["end"] == "2026-07-05",
    ),
    ("no instructions", {**ORDER, "instructions": ""}, {}, lambda r: "patientInstruction" not in r),
    ("PRN", {**ORDER, "isPRN": True}, {}, lambda r: r["asNeededBoolean"] is True),
    (
        "comments and expected-date comment",
        {**ORDER, "comments": ["Bring sheet"], "expectedDateComment": "Next visit"},
        {},
        lambda r: [n["text"] for n in r["note"]][:2] == ["Bring sheet", "Expected date: Next visit"],
    ),
    (
        "standing order",
        {
            **ORDER,
            "isStanding": True,
            "standingOccurrences": 6,
            "originalStandingOccurrences": 12,
            "orderInterval": "Every 4 weeks",
            "lastPerformedDateISO": "2025-12-01",
        },
        {},
        lambda r: (
            [n["text"] for n in r["note"]][:2]
            == ["Standing order (Every 4 weeks); 6 of 12 occurrences remain", "Last performed: 2025-12-01"]
        ),
    ),
    (
        "standing order repeats: occurrenceTiming bounded by expected date and expiry, never occurrencePeriod",
        {**ORDER, "isStanding": True, "originalStandingOccurrences": 12, "orderInterval": "Every 4 weeks"},
        {},
        lambda r: (
            "occurrencePeriod" not in r
            and r["occurrenceTiming"]
            == {
                "repeat": {"boundsPeriod": {"start": "2026-02-01", "end": "2026-07-05"}, "count": 12},
                "code": {"text": "Every 4 weeks"},
            }
        ),
    ),
    (
        "standing order without counts or interval: bounds only",
        {**ORDER, "isStanding": True},
        {},
        lambda r: r["occurrenceTiming"] == {"repeat": {"boundsPeriod": {"start": "2026-02-01", "end": "2026-07-05"}}},
    ),
    (
        "linked appointment",
        ORDER,
        {"apptCSN": "WP-24appt"},
        lambda r: r["supportingInfo"] == [{"reference": f"Appointment/{appointment_id('WP-24appt')}"}],
    ),
    (
        "ordering visit and due date of the group",
        ORDER,
        {},
        lambda r: [n["text"] for n in r["note"]] == ["Ordered at Office Visit on 2026-01-05", "Due by 2026-03-01"],
    ),
    ("unknown provider", ORDER, {"encProviderID": "P9"}, lambda r: "requester" not in r),
]


@pytest.mark.parametrize(("quirk", "order", "group", "check"), ROWS, ids=[row[0] for row in ROWS])
def test_quirks(quirk: str, order: dict[str, Any], group: dict[str, Any], check: Any) -> None:
    assert check(_request(order, **group)), quirk


def test_bad_dates_and_a_missing_name_degrade_with_warnings() -> None:
    result = translate_upcoming_orders(_body({**ORDER, "orderedDateISO": "someday", "name": ""}), CTX)
    [request] = result.resources
    assert "authoredOn" not in request and "profile" not in request["meta"]
    assert "orderList.WP-24ord-invented.orderedDateISO" in [w.field for w in result.warnings]


def test_deterministic() -> None:
    assert json.dumps(translate_upcoming_orders(_body(ORDER), CTX).resources) == json.dumps(
        translate_upcoming_orders(_body(ORDER), CTX).resources
    )


@pytest.mark.parametrize(
    ("body", "types", "warned"),
    [
        ({}, [], ["orderList"]),
        ({"orderList": []}, [], ["orderList"]),
        ({"orderList": {"A": None}}, [], ["orderList.A"]),
        ({"orderList": {"B": {"id": 5}}}, ["ServiceRequest"], []),
    ],
)
def test_malformed_payloads_give_valid_resources_and_warn_of_each_flaw(
    body: dict[str, Any], types: list[str], warned: list[str]
) -> None:
    result = translate_upcoming_orders(body, CTX)
    assert [resource["resourceType"] for resource in result.resources] == types
    assert all(validated(resource) == resource for resource in result.resources)
    assert [warning.field for warning in result.warnings] == warned
