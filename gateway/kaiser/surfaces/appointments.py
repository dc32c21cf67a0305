"""The appointments surface: ``LoadUpcoming`` -> Appointments, every ``LoadPast`` page -> Encounters
(+ the Locations and Practitioners both refer to).

Appointments: ``LoadUpcoming`` and the paged ``LoadPast`` of the Visits page (§2.10).

LoadPast pages backwards in time: page 1 asks for visits older than now; each next page passes the
oldest ``Instant`` seen (as a UTC ISO instant) and the *top-level* ``SerializedIndex`` (never the
per-organization one). Paging stops when no organization has more, a page is empty, or ``max_pages``.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.appointments import translate_upcoming
from translators.encounters import translate_past_visits
from translators.types import TranslationResult
from translators.visit_context import deduplicated

SURFACE = "appointments"
PAGE = "Visits"
PAGE_SIZE = 78  # the largest page size OpenKP verified
_MS_DATE = re.compile(r"/Date\((-?\d+)\)/")

log = logging.getLogger("fhirgate.kaiser")


@dataclass(frozen=True)
class PastVisit:
    org_id: str
    visit: dict[str, Any]
    organization: dict[str, Any] | None = None  # the List entry's ``Organization`` object (id, name)


def iso_utc_ms(moment: datetime) -> str:
    """``2026-01-05T15:50:23.129Z``, the shape ``oldestRenderedDate`` wants."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


async def fetch_upcoming(client: PortalClient, csrf: str) -> dict[str, Any]:
    body = await client.mychart_post_query(
        "Visits/VisitsList/LoadUpcoming",
        {"timeZone": "America/Los_Angeles", "ComponentNumber": "5"},
        surface=SURFACE,
        key="LoadUpcoming",
        referer_path=PAGE,
        csrf=csrf,
    )
    if not isinstance(body, dict):
        raise MalformedPayload(SURFACE, "LoadUpcoming", "body is not an object")
    return body


async def fetch_past(client: PortalClient, csrf: str, *, now: datetime, max_pages: int = 100) -> list[PastVisit]:
    """Every past visit, newest first, across organizations."""
    visits: list[PastVisit] = []
    oldest, cursor = now, ""
    for _ in range(max_pages):
        body = await client.mychart_post_query(
            "Visits/VisitsList/LoadPast",
            {
                "loadpast": "1",
                "searchString": "",
                "oldestRenderedDate": iso_utc_ms(oldest),
                "numVisitsToRetrieve": str(PAGE_SIZE),
                "ComponentNumber": "7",
            },
            surface=SURFACE,
            key="LoadPast",
            referer_path=PAGE,
            csrf=csrf,
            form={"serializedIndex": cursor},
        )
        orgs = body.get("List") if isinstance(body, dict) else None
        if not isinstance(orgs, dict):
            raise MalformedPayload(SURFACE, "LoadPast", "no List object")
        page, more = _page_visits(orgs)
        visits.extend(page)
        cursor = str(body.get("SerializedIndex") or "")
        if not page or not more or not cursor:
            return visits
        instants = [moment for item in page if (moment := _instant(item.visit)) is not None]
        oldest = min(instants, default=oldest)
    log.warning("event=paging_capped surface=%s pages=%d", SURFACE, max_pages)
    return visits


def _page_visits(orgs: dict[str, Any]) -> tuple[list[PastVisit], bool]:
    page: list[PastVisit] = []
    more = False
    for org_id, org in orgs.items():
        if not isinstance(org, dict):
            continue
        more = more or org.get("HasMoreData") is True
        items = org.get("List")
        about = org.get("Organization") if isinstance(org.get("Organization"), dict) else None
        page.extend(PastVisit(str(org_id), item, about) for item in items or [] if isinstance(item, dict))
    return page, more


def _instant(visit: dict[str, Any]) -> datetime | None:
    match = _MS_DATE.fullmatch(str(visit.get("Instant") or ""))
    return None if match is None else datetime.fromtimestamp(int(match[1]) / 1000, tz=UTC)


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(SURFACE, 2)
    csrf = await ctx.client.csrf_token(PAGE)
    upcoming = await fetch_upcoming(ctx.client, csrf)
    ctx.progress.surface_advanced(SURFACE)
    past = await fetch_past(ctx.client, csrf, now=datetime.now(UTC))
    ctx.progress.surface_advanced(SURFACE)
    translation = ctx.translation()
    result = TranslationResult()
    result.extend(translate_upcoming(upcoming, translation))
    organizations = [item.organization for item in past]
    result.extend(translate_past_visits([item.visit for item in past], translation, organizations=organizations))
    result.resources = deduplicated(result.resources)
    return Collected(result=result)


APPOINTMENTS = Surface(
    SURFACE,
    "Appointments",
    ("Appointment", "Encounter", "Location", "Organization", "Practitioner"),
    _collect,
)
