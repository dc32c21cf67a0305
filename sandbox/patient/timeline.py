"""Fixed time frame of the synthetic record: the anchor date and kp.org's date/time renderings.

Nothing here reads the wall clock, so the same seed always yields the same record. Local times are
Pacific (the NCA region's ``America/Los_Angeles``), which gives -08:00 and -07:00 offsets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "ANCHOR_DATE",
    "PACIFIC",
    "days_before_anchor",
    "display_date",
    "display_datetime",
    "iso_utc_z",
    "mmddyyyy",
    "pacific",
]

ANCHOR_DATE = date(2026, 11, 1)
"""'Today' for the synthetic patient; every generated date is relative to it."""

PACIFIC = ZoneInfo("America/Los_Angeles")

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def pacific(day: date, hour: int, minute: int) -> datetime:
    """An aware datetime at a Pacific wall-clock time."""
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=PACIFIC)


def display_date(moment: date) -> str:
    """``Jan 10, 2026`` (day not padded), as in ``formattedDate``."""
    return f"{_MONTHS[moment.month - 1]} {moment.day}, {moment.year}"


def display_datetime(moment: datetime) -> str:
    """``Jan 10, 2026 7:50 AM`` in Pacific time, as in the ``*Display`` fields."""
    local = moment.astimezone(PACIFIC)
    hour12 = local.hour % 12 or 12
    meridiem = "AM" if local.hour < 12 else "PM"
    return f"{display_date(local.date())} {hour12}:{local.minute:02d} {meridiem}"


def iso_utc_z(moment: datetime) -> str:
    """``2026-01-10T16:15:00Z``, as in ``prioritizedInstantISO``."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def mmddyyyy(day: date) -> str:
    """``01/05/2026``, the pharmacy BFF's date format."""
    return day.strftime("%m/%d/%Y")


def days_before_anchor(days: int) -> date:
    """The date ``days`` days before the anchor."""
    return ANCHOR_DATE - timedelta(days=days)
