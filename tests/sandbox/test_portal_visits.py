"""The Visits page: LoadUpcoming and paged LoadPast contracts, and the visit objects' quirks."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from sandbox.patient import generate_patient
from sandbox.patient.timeline import PACIFIC
from tests.sandbox.portal_driver import BASE, PortalDriver

UPCOMING = "/mychartcn/Visits/VisitsList/LoadUpcoming"
PAST = "/mychartcn/Visits/VisitsList/LoadPast"
FORM = {"Content-Type": "application/x-www-form-urlencoded; charset=UTF-8"}
_MS = re.compile(r"/Date\((\d+)\)/")


def _headers(driver: PortalDriver, page: str = "Visits") -> dict[str, str]:
    return {"Referer": f"{BASE}/mychartcn/{page}", "__RequestVerificationToken": driver.csrf_token()}


def _past(driver: PortalDriver, cursor: str = "", **query: str) -> httpx2.Response:
    params = {"loadpast": "1", "searchString": "", "oldestRenderedDate": "2026-11-23T10:00:00.000Z"}
    params |= {"numVisitsToRetrieve": "3", "ComponentNumber": "7", "noCache": "0.1", **query}
    return driver.client.post(
        PAST,
        params=params,
        content=f"serializedIndex={cursor}",
        headers={**_headers(driver), **FORM},
        follow_redirects=False,
    )


def _bounced(response: httpx2.Response) -> bool:
    return response.status_code == 302 and response.headers["location"].endswith("/mychartcn/Home/FiveHundred")


def test_upcoming_has_the_three_buckets(signed_in: PortalDriver) -> None:
    params = {"timeZone": "America/Los_Angeles", "ComponentNumber": "5", "noCache": "0.2"}
    response = signed_in.client.post(UPCOMING, params=params, headers=_headers(signed_in), follow_redirects=False)
    body = response.json()
    assert {"InProgressVisits", "NextNDaysVisits", "LaterVisitsList", "HighlightDays", "HasPVG"} <= set(body)
    assert body == signed_in.patient.visits.upcoming


def test_past_pages_follow_the_top_level_cursor_to_the_end(signed_in: PortalDriver) -> None:
    seen: list[str] = []
    cursor, more = "", True
    while more:
        body = _past(signed_in, cursor).json()
        [org] = body["List"].values()
        seen += [visit["Csn"] for visit in org["List"]]
        cursor, more = body["SerializedIndex"], org["HasMoreData"]
        assert org["SerializedIndex"].startswith("{")  # the per-organization JSON blob
    assert seen == [visit["Csn"] for visit in signed_in.patient.visits.past]


@pytest.mark.parametrize(
    "query",
    [{"oldestRenderedDate": "2026-11-23T10:00:00Z"}, {"loadpast": "0"}, {"numVisitsToRetrieve": "ten"}],
)
def test_past_query_breaks_bounce(signed_in: PortalDriver, query: dict[str, str]) -> None:
    assert _bounced(_past(signed_in, **query))


def test_sending_the_per_organization_index_as_cursor_bounces(signed_in: PortalDriver) -> None:
    [org] = _past(signed_in).json()["List"].values()
    assert _bounced(_past(signed_in, org["SerializedIndex"]))


def test_past_as_json_instead_of_a_form_bounces(signed_in: PortalDriver) -> None:
    params = {"loadpast": "1", "oldestRenderedDate": "2026-11-23T10:00:00.000Z", "noCache": "1"}
    response = signed_in.client.post(PAST, params=params, json={}, headers=_headers(signed_in), follow_redirects=False)
    assert _bounced(response)


def test_upcoming_with_the_wrong_referer_bounces(signed_in: PortalDriver) -> None:
    params = {"timeZone": "America/Los_Angeles", "ComponentNumber": "5", "noCache": "0.2"}
    response = signed_in.client.post(
        UPCOMING, params=params, headers=_headers(signed_in, "Home"), follow_redirects=False
    )
    assert _bounced(response)


def _visit_quirks(visit: dict[str, Any]) -> None:
    match = _MS.fullmatch(visit["Instant"])
    assert match is not None
    moment = datetime.fromtimestamp(int(match[1]) / 1000, tz=UTC)
    phone = visit["PrimaryDepartment"]["PhoneNumber"]
    assert phone.startswith("\u202a") and phone.endswith("\u202c")
    if visit["Time"] is None:  # date-only: UTC midnight of the displayed day, the evening before in Pacific
        assert (moment.hour, moment.minute) == (0, 0)
        assert moment.astimezone(PACIFIC).date() < moment.date()
    else:
        local = moment.astimezone(PACIFIC)
        assert visit["Time"] == f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def test_small_past_has_each_status_and_kind_with_their_quirks() -> None:
    past = generate_patient(seed=4).visits.past
    for visit in past:
        _visit_quirks(visit)
    assert any(v["IsCanceled"] for v in past) and any(v["IsNoShow"] for v in past)
    refill = next(v for v in past if v["VisitTypeName"] == "Refill")
    assert refill["Time"] is None and refill["IsInHomeVisit"] and refill["Telemedicine"] is None
    assert any(v["Telemedicine"] is not None for v in past)


def test_large_has_over_300_past_visits_most_with_documents() -> None:
    patient = generate_patient(seed=4, size="large")
    assert len(patient.visits.past) >= 300
    assert sum(bool(docs.notes["noteList"]) for docs in patient.visit_documents.values()) >= 250
