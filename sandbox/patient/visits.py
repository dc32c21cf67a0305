"""Appointments (KAISER_API.md §2.10): the ``LoadUpcoming`` body and the past visits ``LoadPast`` pages through.

Quirks kept: ``Instant`` is ``/Date(ms)/`` (UTC milliseconds), and for visits with no time (refills,
surgery scheduling) ``Time`` is null and the instant is *UTC* midnight of the displayed date, which is
the previous evening in Pacific time; department phone numbers are wrapped in U+202A ... U+202C;
mailed refills have ``IsInHomeVisit: true``. *Inferred:* the ``Telemedicine`` object's members (no
virtual visit was captured; only "non-null = virtual" is known).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from sandbox.patient.implants import long_date
from sandbox.patient.opaque import wp_id
from sandbox.patient.problems import unpadded_date
from sandbox.patient.timeline import ANCHOR_DATE, PACIFIC, pacific

__all__ = ["ORG_ID", "VisitBook", "build_visits"]

ORG_ID = "ORG-NCA-1"
_PROVIDERS = ("ALEX SAMPLE MD", "JORDAN EXAMPLE MD", "RILEY PLACEHOLDER NP", "CASEY MOCKWELL DO")
_DEPARTMENTS = (
    ("10501", "Oakridge Internal Medicine", "100 Sample Way", "Oakridge, CA 94600", "(510) 555-0142", "17"),
    ("10622", "Bayview Family Medicine", "2200 Example Blvd Fl 2", "Bayview, CA 94501", "(510) 555-0187", "9"),
    ("11040", "Hillcrest Dermatology", "45 Placeholder Ct", "Hillcrest, CA 94611", "(510) 555-0119", "6"),
)
_SPECIALTIES = {"17": ("Internal Medicine", "IM"), "9": ("Family Medicine", "FM"), "6": ("Dermatology", "DERM")}
_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

Status = Literal["done", "cancelled", "noshow", "lwbs"]


@dataclass(frozen=True)
class VisitBook:
    """Every visit the Visits page can show."""

    upcoming: dict[str, Any]
    """The whole ``LoadUpcoming`` body."""
    past: tuple[dict[str, Any], ...]
    """Past visit objects, newest first (``LoadPast`` pages through them under ``ORG_ID``)."""


@dataclass(frozen=True)
class _Spec:
    days: int
    visit_type: str
    status: Status = "done"


_SMALL_PAST = (
    _Spec(5, "Office Visit"),
    _Spec(20, "Refill"),
    _Spec(40, "Video Visit"),
    _Spec(70, "Office Visit", "cancelled"),
    _Spec(120, "Office Visit", "noshow"),
    _Spec(200, "Office Visit"),
    _Spec(400, "Video Visit"),
    _Spec(800, "Office Visit", "lwbs"),
)


def _large_past(rng: random.Random) -> list[_Spec]:
    specs = []
    for index in range(330):
        status: Status = "cancelled" if index % 25 == 7 else "noshow" if index % 40 == 11 else "done"
        status = "lwbs" if index % 97 == 50 else status
        kind = "Refill" if index % 9 == 4 else "Video Visit" if index % 5 == 2 else "Office Visit"
        specs.append(_Spec(3 + index * 11 + rng.randint(0, 5), kind, status))
    return specs


def _phone(display: str) -> str:
    return f"\u202a{display}\u202c"


def _department(index: int) -> dict[str, Any]:
    dep_id, name, line1, city_line, phone, specialty = _DEPARTMENTS[index]
    title, abbreviation = _SPECIALTIES[specialty]
    return {
        "Id": dep_id,
        "Name": name,
        "Address": [line1, city_line],
        "PhoneNumber": _phone(phone),
        "Specialty": {"Value": specialty, "Title": title, "Abbreviation": abbreviation},
        "TimeZone": "America/Los_Angeles",
        "ArrivalLocation": "",
        "CanShowDrivingDirections": True,
    }


def _display(moment: datetime, timed: bool) -> dict[str, Any]:
    local = moment.astimezone(PACIFIC) if timed else moment
    day = local.date()
    hour12 = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    return {
        "Date": f"{_WEEKDAYS[day.weekday()]} {long_date(day)}",
        "Time": f"{hour12}:{local.minute:02d} {meridiem}" if timed else None,
        "TimeZone": local.tzname() if timed else "",
        "ClientTimeZoneMarker": "",
        "PrimaryDate": f"{unpadded_date(day)} {hour12}:{local.minute:02d}:00 {meridiem}",
        "ShortDate": day.strftime("%m/%d/%y"),
    }


def _visit(rng: random.Random, day: date, visit_type: str, providers: dict[str, str]) -> dict[str, Any]:
    timed = visit_type not in ("Refill", "Surgery Scheduling")
    moment = pacific(day, rng.randint(8, 16), rng.choice((0, 10, 20, 30, 40, 50))) if timed else None
    instant = moment or datetime(day.year, day.month, day.day, tzinfo=UTC)
    department = _department(rng.randrange(len(_DEPARTMENTS)))
    provider = rng.choice(_PROVIDERS)
    virtual = visit_type == "Video Visit"
    csn = wp_id(rng, rng.randint(80, 110))
    return {
        "Id": csn,
        "Csn": csn,
        "Dat": wp_id(rng, 64),
        "Instant": f"/Date({int(instant.timestamp() * 1000)})/",
        **_display(instant, timed),
        "VisitTypeName": visit_type,
        "EncounterType": 3,
        "PrimaryProviderName": provider,
        "PrimaryProvider": {
            "EncryptedId": providers[provider],
            "Name": provider,
            "PhotoUrl": "",
            "WebPageUrl": "",
            "Department": department["Name"],
        },
        "PrimaryDepartment": department,
        "OtherProviders": [],
        # Inferred members: only "non-null means a video visit" is documented.
        "Telemedicine": {"IsVideoVisit": True, "ConnectionStatus": "NotStarted"} if virtual else None,
        "EVisit": None,
        "CanShowTelemedicine": virtual,
        "ArrivalTime": None,
        "DurationInMinutes": None,
        "Copay": None,
        "IsRescheduleEnabled": False,
        "IsDirectCancelEnabled": False,
        "IsRequestCancelEnabled": False,
        "IsEcheckInCompleted": False,
        "IsLocal": True,
        "IsNonEpic": False,
        "IsTimeToBeDetermined": not timed,
        "IsHideVisitTime": not timed,
        "Organization": {},
    }


def _bucket(days: int) -> str:
    for limit, name in ((183, "past6month"), (365, "past1year"), (730, "past2year")):
        if days < limit:
            return name
    return "past5year" if days < 1826 else "pastOlder"  # inferred names past two years


def _past(rng: random.Random, spec: _Spec, providers: dict[str, str]) -> dict[str, Any]:
    visit = _visit(rng, ANCHOR_DATE - timedelta(days=spec.days), spec.visit_type, providers)
    completed = spec.status == "done"
    refill = spec.visit_type == "Refill"
    visit.update(
        {
            "IsCanceled": spec.status == "cancelled",
            "IsNoShow": spec.status == "noshow",
            "LeftWithoutSeen": spec.status == "lwbs",
            "IsNotViewed": spec.days < 60,
            "IsNotesOnly": False,
            "PastVisitBucket": _bucket(spec.days),
            "HasDownloadSummaryLink": completed,
            "HasTransmitSummaryLink": completed,
            "IsClinicalInformationAvailable": completed,
            "IsClinicalNoteAvailable": completed and not refill,
            "IsVisitSummaryEnabled": completed,
            "TelehealthMode": 3 if refill else (1 if visit["Telemedicine"] else 0),
            "IsInHomeVisit": refill,
            "IsFullyPaid": True,
        }
    )
    return visit


def _upcoming(rng: random.Random, size: Literal["small", "large"], providers: dict[str, str]) -> dict[str, Any]:
    soon = _visit(rng, ANCHOR_DATE + timedelta(days=3), "Office Visit", providers)
    soon["DurationInMinutes"] = 30
    later = [
        _visit(rng, ANCHOR_DATE + timedelta(days=20), "Video Visit", providers),
        _visit(rng, ANCHOR_DATE + timedelta(days=45), "Surgery Scheduling", providers),
    ]
    if size == "large":
        later += [_visit(rng, ANCHOR_DATE + timedelta(days=60 + 30 * n), "Office Visit", providers) for n in range(4)]
    days = [soon, *later]
    return {
        "InProgressVisits": [],
        "NextNDaysVisits": [soon],
        "LaterVisitsList": later,
        "HighlightDays": [visit["PrimaryDate"].split(" ")[0] for visit in days],
        "HasPVG": False,
    }


def build_visits(rng: random.Random, size: Literal["small", "large"]) -> VisitBook:
    """Upcoming visits and past visits (8 for ``small`` incl. a cancelled and a no-show, 330 for ``large``)."""
    providers = {name: wp_id(rng, 90) for name in _PROVIDERS}
    specs = list(_SMALL_PAST) if size == "small" else _large_past(rng)
    past = tuple(_past(rng, spec, providers) for spec in sorted(specs, key=lambda spec: spec.days))
    return VisitBook(upcoming=_upcoming(rng, size, providers), past=past)
