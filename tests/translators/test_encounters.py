"""Past visits -> Encounter: finished / cancelled / no-show / left without being seen, AMB vs VR, refills."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.translators.visit_fixtures import REFILL, TIMED, visit
from translators import TranslationContext, kaiser_organization_id, translate_past_visits, validated

CTX = TranslationContext(patient_id="pat-1")
PAST = visit(TIMED, IsCanceled=False, IsNoShow=False, LeftWithoutSeen=False, IsInHomeVisit=False)


def _one(raw: dict[str, Any], kind: str = "Encounter") -> dict[str, Any]:
    result = translate_past_visits([raw], CTX)
    assert not result.warnings
    [found] = [r for r in result.resources if r["resourceType"] == kind]
    return found


ROWS: list[tuple[str, dict[str, Any], Any]] = [
    ("finished office visit", PAST, lambda e: e["status"] == "finished" and e["class"]["code"] == "AMB"),
    ("cancelled", visit(PAST, IsCanceled=True), lambda e: e["status"] == "cancelled"),
    (
        "no-show: cancelled plus a flag",
        visit(PAST, IsNoShow=True),
        lambda e: e["status"] == "cancelled" and e["extension"][0]["url"].endswith(":no-show"),
    ),
    (
        "left without being seen",
        visit(PAST, LeftWithoutSeen=True),
        lambda e: e["status"] == "cancelled" and e["extension"][0]["url"].endswith(":left-without-being-seen"),
    ),
    ("video visit is virtual", visit(PAST, Telemedicine={"IsVideoVisit": True}), lambda e: e["class"]["code"] == "VR"),
    (
        "mailed refill is not home health",
        REFILL,
        lambda e: e["class"]["code"] == "AMB" and e["type"] == [{"text": "Refill"}],
    ),
    ("time null: the displayed date, not the UTC instant", REFILL, lambda e: e["period"] == {"start": "2026-01-01"}),
    ("timed: the instant at the local offset", PAST, lambda e: e["period"] == {"start": "2026-01-05T13:50:00-08:00"}),
    (
        "evening visit keeps its own day (01:30Z is 5:30 PM the day before)",
        visit(PAST, Instant="/Date(1767663000000)/", Time="5:30 PM", PrimaryDate="1/5/2026 5:30:00 PM"),
        lambda e: e["period"] == {"start": "2026-01-05T17:30:00-08:00"},
    ),
    (
        "summer visit at daylight time",
        visit(PAST, Instant="/Date(1783382400000)/", Time="5:00 PM", PrimaryDate="7/6/2026 5:00:00 PM"),
        lambda e: e["period"] == {"start": "2026-07-06T17:00:00-07:00"},
    ),
    (
        "no visit type: data-absent type",
        visit(PAST, VisitTypeName=None),
        lambda e: e["type"][0]["coding"][0]["code"] == "unknown",
    ),
]


@pytest.mark.parametrize(("quirk", "raw", "check"), ROWS, ids=[row[0] for row in ROWS])
def test_quirks(quirk: str, raw: dict[str, Any], check: Any) -> None:
    encounter = _one(raw)
    assert check(encounter), quirk
    assert encounter["meta"]["profile"] == ["http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter"]
    assert encounter["identifier"][0]["system"] == "urn:fhirgate:kaiser:nca:csn"


@pytest.mark.parametrize(
    "primary_date",
    [None, "1/5/2026 1:57:00 PM", "Monday January 5, 2026", "13/45/2026 1:50:00 PM"],
    ids=["absent", "not a quarter-hour offset", "no time", "not a date"],
)
def test_without_a_usable_wall_clock_time_the_start_stays_utc_with_a_warning(primary_date: str | None) -> None:
    result = translate_past_visits([visit(PAST, PrimaryDate=primary_date)], CTX)

    [encounter] = [r for r in result.resources if r["resourceType"] == "Encounter"]
    assert encounter["period"] == {"start": "2026-01-05T21:50:00Z"}
    assert [warning.field for warning in result.warnings] == ["PrimaryDate"]


def test_a_no_show_also_yields_a_noshow_appointment() -> None:
    assert _one(visit(PAST, IsNoShow=True), "Appointment")["status"] == "noshow"


def test_participant_location_and_service_provider_are_references() -> None:
    result = translate_past_visits([PAST], CTX)
    encounter = next(r for r in result.resources if r["resourceType"] == "Encounter")
    ids = {r["resourceType"]: r["id"] for r in result.resources}
    assert encounter["participant"][0]["individual"]["reference"] == f"Practitioner/{ids['Practitioner']}"
    assert encounter["location"][0]["location"]["reference"] == f"Location/{ids['Location']}"
    assert encounter["serviceProvider"]["reference"].startswith("Organization/")


ORG_NCA = {"OrganizationId": "ORG-NCA-1", "Name": "Kaiser Permanente Northern California"}


@pytest.mark.parametrize(
    ("organization", "expected"),
    [
        (ORG_NCA, {"identifier": "ORG-NCA-1", "name": "Kaiser Permanente Northern California"}),
        ({"Name": "Kaiser Permanente Hawaii"}, {"identifier": None, "name": "Kaiser Permanente Hawaii"}),
        ({"OrganizationId": "ORG-HI-1"}, {"identifier": "ORG-HI-1", "name": None}),
    ],
    ids=["id and name", "name only", "id only"],
)
def test_the_visit_list_organization_is_the_service_provider(organization: Any, expected: dict[str, Any]) -> None:
    result = translate_past_visits([PAST], CTX, organizations=[organization])

    [org] = [r for r in result.resources if r["resourceType"] == "Organization"]
    [encounter] = [r for r in result.resources if r["resourceType"] == "Encounter"]
    assert [i["value"] for i in org.get("identifier", [])] == (
        [expected["identifier"]] if expected["identifier"] else []
    )
    assert org.get("name") == expected["name"]
    assert encounter["serviceProvider"]["reference"] == f"Organization/{org['id']}"
    assert encounter["serviceProvider"].get("display") == expected["name"]
    assert result.warnings == []


@pytest.mark.parametrize("organization", [None, {}, {"Name": ""}], ids=["null", "empty as in the capture", "blank"])
def test_without_a_named_organization_the_kaiser_organization_provides(organization: Any) -> None:
    result = translate_past_visits([PAST, REFILL], CTX, organizations=[organization])

    assert not [r for r in result.resources if r["resourceType"] == "Organization"]
    providers = {r["serviceProvider"]["reference"] for r in result.resources if r["resourceType"] == "Encounter"}
    assert providers == {f"Organization/{kaiser_organization_id()}"}


def test_deterministic_and_valid() -> None:
    visits = [PAST, REFILL, visit(PAST, Csn="WP-24b", IsNoShow=True)]
    first, second = translate_past_visits(visits, CTX), translate_past_visits(visits, CTX)
    assert json.dumps(first.resources) == json.dumps(second.resources)
    assert all(validated(r) == r for r in first.resources)


@pytest.mark.parametrize(
    ("visits", "types", "warned"),
    [
        ([None], [], ["Csn"]),
        ([1, "x"], [], ["List[0]", "Csn", "List[1]", "Csn"]),
        ([{"Csn": None}], [], ["Csn"]),
        ([visit(PAST, IsCanceled="yes", Date=5)], ["Practitioner", "Location", "Encounter"], ["List[0].IsCanceled"]),
    ],
)
def test_malformed_visits_give_valid_resources_and_warn_of_each_flaw(
    visits: list[Any], types: list[str], warned: list[str]
) -> None:
    result = translate_past_visits(visits, CTX)
    assert [resource["resourceType"] for resource in result.resources] == types
    assert all(validated(resource) == resource for resource in result.resources)
    assert [warning.field for warning in result.warnings] == warned
