"""Upcoming visits -> Appointment (+ Location, Practitioner): every §2.10.1 quirk a row."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.translators.visit_fixtures import REFILL, TIMED, visit
from translators import TranslationContext, translate_upcoming, validated

CTX = TranslationContext(patient_id="pat-1")


def _upcoming(*visits: dict[str, Any], bucket: str = "LaterVisitsList") -> dict[str, Any]:
    body: dict[str, Any] = {"InProgressVisits": [], "NextNDaysVisits": [], "LaterVisitsList": [], "HighlightDays": []}
    body[bucket] = list(visits)
    return body


def _by_type(resources: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [r for r in resources if r["resourceType"] == kind]


def test_a_timed_visit_books_at_its_local_offset_with_location_and_practitioner() -> None:
    result = translate_upcoming(_upcoming(visit(TIMED, DurationInMinutes=30)), CTX)
    [appointment] = _by_type(result.resources, "Appointment")
    [location] = _by_type(result.resources, "Location")
    [practitioner] = _by_type(result.resources, "Practitioner")
    assert appointment["status"] == "booked"
    # 21:50Z is 1:50 PM on the department's clock (PrimaryDate): the offset is kept, end at the same offset.
    assert appointment["start"] == "2026-01-05T13:50:00-08:00" and appointment["end"] == "2026-01-05T14:20:00-08:00"
    assert appointment["minutesDuration"] == 30 and "extension" not in appointment
    assert appointment["serviceType"] == [{"text": "Office Visit"}]
    assert appointment["specialty"] == [{"text": "Internal Medicine"}]
    assert appointment["identifier"] == [{"system": "urn:fhirgate:kaiser:nca:csn", "value": "WP-24csn-invented-1"}]
    actors = [p["actor"]["reference"] for p in appointment["participant"]]
    assert actors == ["Patient/pat-1", f"Practitioner/{practitioner['id']}", f"Location/{location['id']}"]
    assert location["telecom"] == [{"system": "phone", "value": "(510) 555-0142"}]  # bidi marks stripped
    assert location["address"] == {
        "line": ["100 Sample Way"],
        "city": "Oakridge",
        "state": "CA",
        "postalCode": "94600",
        "text": "100 Sample Way, Oakridge, CA 94600",
    }
    assert practitioner["name"] == [{"text": "ALEX SAMPLE MD"}] and "identifier" not in practitioner


ROWS: list[tuple[str, dict[str, Any], str, Any]] = [
    (
        "no duration: end marked unknown, not guessed",
        visit(TIMED),
        "LaterVisitsList",
        lambda a: "end" not in a and a["_end"]["extension"][0]["valueCode"] == "unknown",
    ),
    (
        "time null: placeholder instant at noon UTC (the same day in any US zone), real day in an extension",
        visit(REFILL),
        "LaterVisitsList",
        lambda a: (
            a["start"] == "2026-01-01T12:00:00Z"
            and {"url": "urn:fhirgate:kaiser:extension:date-only", "valueDate": "2026-01-01"} in a["extension"]
        ),
    ),
    ("in-progress bucket", visit(TIMED), "InProgressVisits", lambda a: a["status"] == "checked-in"),
    (
        "video visit",
        visit(TIMED, Telemedicine={"IsVideoVisit": True}),
        "NextNDaysVisits",
        lambda a: {"url": "urn:fhirgate:kaiser:extension:virtual-visit", "valueBoolean": True} in a["extension"],
    ),
    (
        "e-visit",
        visit(TIMED, EVisit={}),
        "NextNDaysVisits",
        lambda a: a["extension"][0]["url"] == "urn:fhirgate:kaiser:extension:virtual-visit",
    ),
    ("no department", visit(TIMED, PrimaryDepartment=None), "LaterVisitsList", lambda a: len(a["participant"]) == 2),
]


@pytest.mark.parametrize(("quirk", "raw", "bucket", "check"), ROWS, ids=[row[0] for row in ROWS])
def test_quirks(quirk: str, raw: dict[str, Any], bucket: str, check: Any) -> None:
    result = translate_upcoming(_upcoming(raw, bucket=bucket), CTX)
    [appointment] = _by_type(result.resources, "Appointment")
    assert check(appointment), quirk
    assert not result.warnings


def test_shared_location_and_practitioner_are_emitted_once_and_output_is_deterministic() -> None:
    body = _upcoming(visit(TIMED), visit(TIMED, Csn="WP-24other", Id="WP-24other"))
    first, second = translate_upcoming(body, CTX), translate_upcoming(body, CTX)
    assert [r["resourceType"] for r in first.resources].count("Location") == 1
    assert json.dumps(first.resources) == json.dumps(second.resources)
    assert all(validated(r) == r for r in first.resources)


@pytest.mark.parametrize(
    ("raw", "field"),
    [(visit(TIMED, Csn=None, Id=None), "Csn"), (visit(TIMED, Instant="1/5/2026"), "Instant")],
)
def test_bad_visits_warn(raw: dict[str, Any], field: str) -> None:
    result = translate_upcoming(_upcoming(raw), CTX)
    assert field in [w.field for w in result.warnings]


@pytest.mark.parametrize(
    ("body", "types", "warned"),
    [
        ({}, [], []),
        ({"LaterVisitsList": "x"}, [], ["LaterVisitsList"]),
        ({"NextNDaysVisits": [None, 1, {"Csn": 5}]}, ["Appointment"], ["Csn", "NextNDaysVisits[1]", "Csn"]),
    ],
)
def test_malformed_payloads_give_valid_resources_and_warn_of_each_flaw(
    body: dict[str, Any], types: list[str], warned: list[str]
) -> None:
    result = translate_upcoming(body, CTX)
    assert [resource["resourceType"] for resource in result.resources] == types
    assert all(validated(resource) == resource for resource in result.resources)
    assert [warning.field for warning in result.warnings] == warned


def test_a_duration_past_the_calendar_keeps_the_visit_without_an_end() -> None:
    result = translate_upcoming(_upcoming(visit(TIMED, DurationInMinutes=4_193_474_830)), CTX)
    [appointment] = _by_type(result.resources, "Appointment")
    assert appointment["start"] == "2026-01-05T13:50:00-08:00" and "end" not in appointment
    assert any(w.field == "DurationInMinutes" for w in result.warnings)
