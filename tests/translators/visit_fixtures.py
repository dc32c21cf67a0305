"""Visit objects shaped like KAISER_API.md §2.10 (invented values), shared by the appointment and encounter tests."""

from __future__ import annotations

import copy
from typing import Any

DEPARTMENT: dict[str, Any] = {
    "Id": "10501",
    "Name": "Oakridge Internal Medicine",
    "Address": ["100 Sample Way", "Oakridge, CA 94600"],
    "PhoneNumber": "\u202a(510) 555-0142\u202c",
    "Specialty": {"Value": "17", "Title": "Internal Medicine", "Abbreviation": "IM"},
    "TimeZone": "America/Los_Angeles",
    "ArrivalLocation": "",
    "CanShowDrivingDirections": True,
}
TIMED: dict[str, Any] = {
    "Id": "WP-24csn-invented-1",
    "Csn": "WP-24csn-invented-1",
    "Dat": "WP-24dat-invented",
    "Instant": "/Date(1767649800000)/",
    "Date": "Monday January 5, 2026",
    "Time": "1:50 PM",
    "TimeZone": "PST",
    "PrimaryDate": "1/5/2026 1:50:00 PM",
    "ShortDate": "01/05/26",
    "VisitTypeName": "Office Visit",
    "EncounterType": 3,
    "PrimaryProviderName": "ALEX SAMPLE MD",
    "PrimaryProvider": {"EncryptedId": "WP-24prov", "Name": "ALEX SAMPLE MD", "PhotoUrl": "", "WebPageUrl": ""},
    "PrimaryDepartment": DEPARTMENT,
    "OtherProviders": [],
    "Telemedicine": None,
    "EVisit": None,
    "CanShowTelemedicine": False,
    "ArrivalTime": None,
    "DurationInMinutes": None,
    "Copay": None,
}
# The §2.10.2 refill example: Time null, instant at UTC midnight, mailed ("IsInHomeVisit").
REFILL: dict[str, Any] = {
    **copy.deepcopy(TIMED),
    "Id": "WP-24csn-invented",
    "Csn": "WP-24csn-invented",
    "Instant": "/Date(1767225600000)/",
    "Date": "Thursday January 1, 2026",
    "Time": None,
    "VisitTypeName": "Refill",
    "IsCanceled": False,
    "IsNoShow": False,
    "LeftWithoutSeen": False,
    "IsInHomeVisit": True,
    "TelehealthMode": 3,
    "PastVisitBucket": "past6month",
}


def visit(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    result = copy.deepcopy(base)
    result.update(changes)
    return result
