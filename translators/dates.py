"""Kaiser's date and time strings -> FHIR ``date``, ``dateTime`` and ``instant`` strings.

Accepted: ``YYYY-MM-DD``, ``MM/DD/YYYY`` and unpadded ``M/D/YYYY``, ``Mon D, YYYY`` / ``Month D, YYYY``,
``Mon D, YYYY h:mm AM`` (a local display time), ISO 8601 with ``Z`` or an offset. ``"N/A"``, ``""`` and
``null`` mean "no date" (``None``). Anything else raises :class:`DateParseError`, which callers turn into
a warning.

Time zones are never invented: a local display time becomes a ``dateTime`` only when an offset is
borrowed from a timestamp of the same encounter on the same local date (see :func:`local_display_datetime`);
otherwise only its date is kept. Month names are matched from a fixed English table, not ``strptime``'s
``%b``, which follows the process locale.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta, timezone

_ABSENT_MARKERS = frozenset({"", "n/a", "na", "none", "null"})

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}

_ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_US_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
_MONTH_NAME_DATE = re.compile(r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4})")
_MONTH_NAME_DATE_TIME = re.compile(
    r"([A-Za-z]+)\.?\s+(\d{1,2}),?\s+(\d{4}),?\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])\.?[Mm]\.?"
)
_ISO_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})", re.IGNORECASE)


class DateParseError(ValueError):
    """A non-empty date string in none of the shapes Kaiser is known to send."""


def is_absent(value: object) -> bool:
    """True for ``None`` and Kaiser's "no date" markers (``"N/A"``, blank)."""
    return value is None or (isinstance(value, str) and value.strip().lower() in _ABSENT_MARKERS)


def parse_date(value: object) -> date | None:
    """A calendar date from any accepted date shape (a timestamp's own local date for ISO timestamps)."""
    if is_absent(value):
        return None
    if not isinstance(value, str):
        raise DateParseError(f"expected a date string, got {type(value).__name__}")
    text = value.strip()
    try:
        if match := _ISO_DATE.fullmatch(text):
            return date(int(match[1]), int(match[2]), int(match[3]))
        if match := _US_DATE.fullmatch(text):
            return date(int(match[3]), int(match[1]), int(match[2]))
        if match := _MONTH_NAME_DATE.fullmatch(text):
            return date(int(match[3]), _month(match[1]), int(match[2]))
    except ValueError as error:  # e.g. 02/30/2026
        raise DateParseError(f"not a real date: {text!r}") from error
    if _ISO_TIMESTAMP.fullmatch(text):
        return _parse_timestamp(text).date()
    raise DateParseError(f"unrecognised date: {text!r}")


def fhir_date(value: object) -> str | None:
    """A FHIR ``date`` (``YYYY-MM-DD``) or ``None`` for an absent date."""
    parsed = parse_date(value)
    return None if parsed is None else parsed.isoformat()


def fhir_instant(value: object) -> str | None:
    """A FHIR ``instant`` from an ISO timestamp that carries ``Z`` or an offset; the offset is kept."""
    if is_absent(value):
        return None
    if not isinstance(value, str) or not _ISO_TIMESTAMP.fullmatch(value.strip()):
        raise DateParseError(f"expected an ISO timestamp with a zone, got {value!r}")
    return _format_instant(_parse_timestamp(value.strip()))


def local_display_datetime(display: object, *, offset_source: object = None) -> str | None:
    """A ``dateTime`` from a zone-less display time such as ``"Jan 10, 2026 7:50 AM"``.

    The UTC offset is borrowed from ``offset_source`` (an ISO timestamp of the same encounter, e.g. a result
    group's ``sortDate``) only when that timestamp falls on the same local calendar date; otherwise the
    result is the date alone (``YYYY-MM-DD``), never a guessed zone. Display strings with no time part are
    accepted as plain dates.
    """
    if is_absent(display):
        return None
    if not isinstance(display, str):
        raise DateParseError(f"expected a display time string, got {type(display).__name__}")
    text = display.strip()
    match = _MONTH_NAME_DATE_TIME.fullmatch(text)
    if match is None:
        return fhir_date(text)
    hour, minute, second = int(match[4]), int(match[5]), int(match[6] or 0)
    if not 1 <= hour <= 12:
        raise DateParseError(f"not a 12-hour clock time: {text!r}")
    hour = hour % 12 + (12 if match[7].lower() == "p" else 0)
    try:
        local = datetime(int(match[3]), _month(match[1]), int(match[2]), hour, minute, second)
    except ValueError as error:
        raise DateParseError(f"not a real date/time: {text!r}") from error
    offset = _same_day_offset(local.date(), offset_source)
    if offset is None:
        return local.date().isoformat()
    return local.strftime("%Y-%m-%dT%H:%M:%S") + _format_offset(offset)


def _same_day_offset(day: date, offset_source: object) -> timedelta | None:
    if is_absent(offset_source) or not isinstance(offset_source, str):
        return None
    text = offset_source.strip()
    if not _ISO_TIMESTAMP.fullmatch(text):
        return None
    source = _parse_timestamp(text)
    if source.date() != day:  # another day may sit on the other side of a daylight-saving change
        return None
    return source.utcoffset()


def _month(name: str) -> int:
    try:
        return _MONTHS[name.lower()]
    except KeyError:
        raise DateParseError(f"unknown month name: {name!r}") from None


def _parse_timestamp(text: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(text.replace("z", "Z"))
    except ValueError as error:
        raise DateParseError(f"not a real timestamp: {text!r}") from error
    if parsed.tzinfo is None:  # pragma: no cover - the regex requires a zone
        raise DateParseError(f"timestamp without a zone: {text!r}")
    return parsed


def _format_instant(moment: datetime) -> str:
    text = moment.strftime("%Y-%m-%dT%H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}".rstrip("0")
    offset = moment.utcoffset()
    return text + ("Z" if not offset else _format_offset(offset))


def _format_offset(offset: timedelta | None) -> str:
    minutes = int((offset or timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


_MS_DATE = re.compile(r"/Date\((-?\d+)(?:[+-]\d{4})?\)/")
_WEEKDAY_DATE = re.compile(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+(.+)", re.IGNORECASE)


def ms_date_instant(value: object) -> str | None:
    """A FHIR ``instant`` in UTC (``Z``) from ASP.NET's legacy ``"/Date(1767225600000)/"`` (ms since the epoch).

    The milliseconds are UTC by definition; an optional ``+hhmm`` suffix is display-only and ignored.
    """
    if is_absent(value):
        return None
    match = _MS_DATE.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise DateParseError(f"expected /Date(ms)/, got {value!r}")
    try:
        moment = datetime.fromtimestamp(int(match[1]) / 1000, tz=UTC)
    except (OverflowError, OSError, ValueError) as error:
        raise DateParseError(f"/Date(ms)/ out of range: {value!r}") from error
    return _format_instant(moment)


def weekday_display_date(value: object) -> str | None:
    """A FHIR ``date`` from ``"Monday January 5, 2026"`` (the weekday is dropped, not checked)."""
    if is_absent(value):
        return None
    if not isinstance(value, str):
        raise DateParseError(f"expected a date string, got {type(value).__name__}")
    match = _WEEKDAY_DATE.fullmatch(value.strip())
    return fhir_date(match[1] if match else value)


_US_DATE_TIME = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp])\.?[Mm]\.?")
_QUARTER_HOUR = 15 * 60
_MAX_OFFSET = 14 * 3600  # UTC-12:00 .. UTC+14:00 is every zone there is


def at_display_offset(instant: str, display: object) -> str | None:
    """``instant`` rewritten at the UTC offset that the portal's wall-clock ``display`` of it shows.

    ``display`` is the same moment as the portal renders it in the visit's zone (``PrimaryDate``,
    ``"1/5/2026 5:50:00 PM"``); the difference from the UTC instant is that zone's offset, so an evening
    visit keeps its own day. ``None`` when ``display`` is absent or not a whole quarter-hour offset away
    (then no zone can be read off it, and none is invented).
    """
    if not isinstance(display, str) or (match := _US_DATE_TIME.fullmatch(display.strip())) is None:
        return None
    hour = int(match[4])
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if match[7].lower() == "p" else 0)
    try:
        wall = datetime(int(match[3]), int(match[1]), int(match[2]), hour, int(match[5]), int(match[6] or 0))
    except ValueError:
        return None
    moment = _parse_timestamp(instant)
    offset = wall - moment.astimezone(UTC).replace(tzinfo=None)
    seconds = int(offset.total_seconds())
    if seconds % _QUARTER_HOUR or abs(seconds) > _MAX_OFFSET:
        return None
    return _format_instant(moment.astimezone(timezone(offset)))


def instant_after(instant: str, minutes: int) -> str:
    """The FHIR ``instant`` ``minutes`` after ``instant``, written at the same offset."""
    return _format_instant(_parse_timestamp(instant) + timedelta(minutes=minutes))
