"""The appointments surface: ``LoadUpcoming`` -> Appointments, every ``LoadPast`` page -> Encounters
(+ the Locations and Practitioners both refer to)."""

from __future__ import annotations

from datetime import UTC, datetime

from gateway.kaiser.surfaces import appointments
from gateway.sync.surfaces.base import Collected, Surface, SyncContext
from translators.appointments import translate_upcoming
from translators.encounters import translate_past_visits
from translators.types import TranslationResult
from translators.visit_context import deduplicated


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(appointments.SURFACE, 2)
    csrf = await ctx.client.csrf_token(appointments.PAGE)
    upcoming = await appointments.fetch_upcoming(ctx.client, csrf)
    ctx.progress.surface_advanced(appointments.SURFACE)
    past = await appointments.fetch_past(ctx.client, csrf, now=datetime.now(UTC))
    ctx.progress.surface_advanced(appointments.SURFACE)
    translation = ctx.translation()
    result = TranslationResult()
    result.extend(translate_upcoming(upcoming, translation))
    organizations = [item.organization for item in past]
    result.extend(translate_past_visits([item.visit for item in past], translation, organizations=organizations))
    result.resources = deduplicated(result.resources)
    return Collected(result=result)


APPOINTMENTS = Surface(
    appointments.SURFACE,
    "Appointments",
    ("Appointment", "Encounter", "Location", "Organization", "Practitioner"),
    _collect,
)
