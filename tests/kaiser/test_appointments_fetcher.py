"""The appointments fetcher: LoadUpcoming and every LoadPast page, against the sandbox portal."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from gateway.kaiser.errors import PortalContractError
from gateway.kaiser.surfaces import appointments
from sandbox.patient import generate_patient
from tests.kaiser.sandbox_portal import signed_in_portal
from translators import TranslationContext, translate_past_visits, translate_upcoming

NOW = datetime(2026, 11, 23, 12, 0, 0, 123000, tzinfo=UTC)


async def test_past_visits_are_paged_through_completely_newest_first() -> None:
    portal = signed_in_portal(generate_patient(seed=1, size="large"))
    async with portal.client() as client:
        csrf = await client.csrf_token(appointments.PAGE)
        past = await appointments.fetch_past(client, csrf, now=NOW)
        pages = client.request_count - 1
    expected = [visit["Csn"] for visit in portal.config.patient.visits.past]
    assert [item.visit["Csn"] for item in past] == expected
    assert pages == -(-len(expected) // appointments.PAGE_SIZE)  # ceil: one request per page


async def test_fetched_visits_translate_without_warnings() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        csrf = await client.csrf_token(appointments.PAGE)
        upcoming = await appointments.fetch_upcoming(client, csrf)
        past = await appointments.fetch_past(client, csrf, now=NOW)
    ctx = TranslationContext(patient_id="p1")
    booked = translate_upcoming(upcoming, ctx)
    visits = translate_past_visits([item.visit for item in past], ctx)
    assert sum(r["resourceType"] == "Appointment" for r in booked.resources) == 3
    assert sum(r["resourceType"] == "Encounter" for r in visits.resources) == len(past)
    assert not booked.warnings and not visits.warnings


def test_oldest_rendered_date_has_milliseconds_and_z() -> None:
    assert appointments.iso_utc_ms(NOW) == "2026-11-23T12:00:00.123Z"


async def test_load_past_without_the_anti_forgery_header_is_bounced() -> None:
    portal = signed_in_portal()
    async with portal.client() as client:
        with pytest.raises(PortalContractError, match="anti-forgery"):
            await appointments.fetch_past(client, "not-a-token", now=NOW)
