"""FHIR date/dateTime/instant values as half-open UTC instant ranges ``[low, high)`` in epoch microseconds.

A value covers everything its precision allows: ``2024`` is the whole year, ``2024-03`` the month,
``2024-03-01`` the day (in UTC; FHIR dates carry no zone), ``2024-03-01T10:00:00Z`` that second.
An open Period end is ``+inf`` (``DATE_MAX``), an open start ``-inf`` (``DATE_MIN``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone

DATE_MIN = -(2**62)
DATE_MAX = 2**62
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

_PATTERN = re.compile(
    r"(?P<year>\d{4})(?:-(?P<month>\d{2})(?:-(?P<day>\d{2})"
    r"(?:T(?P<hour>\d{2}):(?P<minute>\d{2})(?::(?P<second>\d{2})(?P<fraction>\.\d+)?)?"
    r"(?P<zone>Z|[+-]\d{2}:\d{2})?)?)?)?"
)


@dataclass(frozen=True, slots=True)
class DateRange:
    """Half-open range of instants ``[low, high)`` in microseconds since the epoch (UTC)."""

    low: int
    high: int


def to_epoch_micros(moment: datetime) -> int:
    """``moment`` (timezone-aware) as microseconds since 1970-01-01T00:00Z."""
    return (moment - _EPOCH) // _MICROSECOND


def _add_months(moment: datetime, months: int) -> datetime:
    total = moment.month - 1 + months
    return moment.replace(year=moment.year + total // 12, month=total % 12 + 1)


def _zone(text: str | None) -> timezone:
    if text is None or text == "Z":
        return UTC  # a time without zone is read as UTC (documented leniency)
    sign = -1 if text[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[4:6])))


def parse_date_range(text: str) -> DateRange | None:
    """The range a FHIR date/dateTime/instant string covers, or None when it is not one."""
    match = _PATTERN.fullmatch(text.strip())
    if match is None:
        return None
    parts = match.groupdict()
    try:
        start = datetime(
            int(parts["year"]),
            int(parts["month"] or 1),
            int(parts["day"] or 1),
            int(parts["hour"] or 0),
            int(parts["minute"] or 0),
            int(parts["second"] or 0),
            int((parts["fraction"] or ".0")[1:7].ljust(6, "0")),
            tzinfo=_zone(parts["zone"]),
        )
    except ValueError:
        return None
    try:
        end = _end_of_precision(start, parts)
        high = to_epoch_micros(end)
    except (ValueError, OverflowError):
        high = DATE_MAX
    return DateRange(to_epoch_micros(start), high)


def _end_of_precision(start: datetime, parts: dict[str, str | None]) -> datetime:
    if parts["fraction"]:
        digits = min(len(parts["fraction"]) - 1, 6)
        return start + timedelta(microseconds=10 ** (6 - digits))
    if parts["second"]:
        return start + timedelta(seconds=1)
    if parts["minute"]:
        return start + timedelta(minutes=1)
    if parts["day"]:
        return start + timedelta(days=1)
    if parts["month"]:
        return _add_months(start, 1)
    return start.replace(year=start.year + 1)


def period_range(start: str | None, end: str | None) -> DateRange | None:
    """The range a FHIR Period covers; a missing bound is open. None when a present bound is malformed.

    An inverted Period (end before start, which FHIR forbids) covers its start alone: ranges are never
    empty, which the store's date conditions rely on.
    """
    low, high = DATE_MIN, DATE_MAX
    first = parse_date_range(start) if start is not None else None
    if start is not None:
        if first is None:
            return None
        low = first.low
    if end is not None:
        parsed = parse_date_range(end)
        if parsed is None:
            return None
        high = parsed.high
    if first is not None and high <= low:
        return first
    return DateRange(low, high)
