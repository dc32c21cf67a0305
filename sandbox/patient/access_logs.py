"""Access logs (KAISER_API.md §2.5): who viewed the record, newest first, in the two logs' own shapes.

``accessTime`` is ISO-8601 with the Pacific offset (-08:00 or -07:00); the integer enums carry the one
value each that was observed. ``large`` makes the third-party log longer than two pages, so the
portal's cursor-repeat quirk hides its oldest entries.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any, Literal

from sandbox.patient.timeline import ANCHOR_DATE, PACIFIC, pacific

__all__ = ["build_access_logs"]

_PORTAL_ACCESSORS = ("Patient Portal", "Patient Portal", "KP Mobile App")
_THIRD_PARTY = ("Example Health App", "Sample Records Aggregator")
_THIRD_PARTY_ACTIONS = ("OAuth2 Access Token Generation", "Immunizations", "Test Result Details")


def _times(rng: random.Random, count: int, spacing_hours: int) -> list[str]:
    start = pacific(ANCHOR_DATE, 9, 12)
    moments = [
        (start - timedelta(hours=spacing_hours * i + rng.randint(0, spacing_hours - 1), seconds=rng.randint(0, 59)))
        for i in range(count)
    ]
    return [moment.astimezone(PACIFIC).isoformat(timespec="seconds") for moment in moments]


def build_access_logs(rng: random.Random, size: Literal["small", "large"]) -> dict[str, list[dict[str, Any]]]:
    """``{"portal": [...], "third_party": [...]}`` entries, each list newest first."""
    portal_count, third_count = (14, 6) if size == "small" else (180, 130)
    portal = [
        {"entryType": 1, "ccdAction": 0, "accessor": rng.choice(_PORTAL_ACCESSORS), "accessTime": moment}
        for moment in _times(rng, portal_count, 30)
    ]
    third_party = [
        {
            "action": rng.choice(_THIRD_PARTY_ACTIONS),
            "accessMethod": 2,
            "accessor": rng.choice(_THIRD_PARTY),
            "accessTime": moment,
        }
        for moment in _times(rng, third_count, 50)
    ]
    return {"portal": portal, "third_party": third_party}
