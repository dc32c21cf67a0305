"""Upcoming visits (``Visits/VisitsList/LoadUpcoming``) -> Appointment (+ Location, Practitioner).

``status`` is ``booked``, or ``checked-in`` for the ``InProgressVisits`` bucket. ``start`` is the instant of
``/Date(ms)/`` at the visit's local offset (see :mod:`translators.visit_context`); a visit without a time
(``Time`` null) gets a placeholder instant at noon UTC of its day (the same calendar day in every zone from
UTC-11 to UTC+11; Epic's own is UTC midnight, the evening before in the Americas) and carries its real day in
the ``date-only`` extension; no ``end`` is computed from a placeholder.
``end`` needs ``DurationInMinutes``; without it ``end`` is marked data-absent (unknown) rather than guessed,
since R4 wants booked appointments to have one (app-3). Also used for past no-shows (status ``noshow``) by
:mod:`translators.encounters`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from translators.dates import instant_after
from translators.errors import InvalidResourceError
from translators.extensions import boolean_extension
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.systems import DATA_ABSENT_REASON_EXTENSION
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated
from translators.visit_context import (
    DATE_ONLY,
    SURFACE,
    VIRTUAL_VISIT,
    PortalVisit,
    appointment_id,
    csn_identifier,
    deduplicated,
    read_visit,
    reference,
)

BUCKETS = {"InProgressVisits": "checked-in", "NextNDaysVisits": "booked", "LaterVisitsList": "booked"}


def translate_upcoming(body: Mapping[str, Any], ctx: TranslationContext) -> TranslationResult:
    """One Appointment per visit in the three buckets, plus each visit's Location and Practitioner."""
    result = TranslationResult()
    log = WarningLog(SURFACE, "", result.warnings)
    payload = root(body, log)
    for bucket, status in BUCKETS.items():
        for visit in payload.get(bucket).items():
            translate_visit_appointment(visit, status, ctx, result)
    result.resources = deduplicated(result.resources)
    return result


def translate_visit_appointment(
    visit: PortalNode, status: str, ctx: TranslationContext, result: TranslationResult
) -> None:
    """Append the Appointment for ``visit`` (and its Location/Practitioner) to ``result``, or a warning."""
    parsed = read_visit(visit, ctx.region, result.warnings, "visit")
    if parsed is None:
        return
    try:
        appointment = validated(_appointment(parsed, status, ctx))
    except InvalidResourceError as error:
        parsed.log.warn(visit.path, f"appointment skipped: {error}")
        return
    result.resources.extend(resource for resource in (parsed.practitioner, parsed.location) if resource is not None)
    result.resources.append(appointment)


_LONGEST_VISIT_MINUTES = 60 * 24 * 366
"""Longer than any visit; a larger duration is junk (and may pass year 9999 or FHIR's positiveInt)."""


def _plausible(minutes: int | None) -> bool:
    return minutes is not None and 0 < minutes <= _LONGEST_VISIT_MINUTES


def _end(start: str | None, minutes: int | None) -> str | None:
    if start is None or minutes is None or minutes <= 0:
        return None
    return instant_after(start, minutes)


def _appointment(visit: PortalVisit, status: str, ctx: TranslationContext) -> FhirJson:
    when, who, where = visit.when, visit.practitioner, visit.location
    # A visit with a day but no time: FHIR wants an instant in `start` (app-3), and Epic's is UTC midnight,
    # which a client west of UTC shows as the afternoon before. Noon UTC is the same calendar day from
    # UTC-11 to UTC+11; the date-only extension says the time is a placeholder. No end from a placeholder.
    start = f"{when.date_only}T12:00:00Z" if when.date_only else when.instant
    timed = start if not when.date_only else None
    minutes = visit.node.get("DurationInMinutes").integer()
    try:
        end = _end(timed, minutes if minutes is None or minutes <= _LONGEST_VISIT_MINUTES else None)
    except OverflowError:
        end = None
    if minutes is not None and minutes > 0 and end is None and timed is not None:
        visit.log.warn("DurationInMinutes", f"duration of {minutes} minutes is not a visit's length; end omitted")
    participants = [
        {"actor": patient_reference(ctx.patient_id), "status": "accepted"},
        {"actor": reference(who), "status": "accepted"} if who else None,
        {"actor": reference(where), "status": "accepted"} if where else None,
    ]
    appointment: FhirJson = {
        "resourceType": "Appointment",
        "id": appointment_id(visit.csn),
        "meta": meta(SURFACE),
        "extension": [
            boolean_extension(VIRTUAL_VISIT, True) if visit.virtual else None,
            {"url": DATE_ONLY, "valueDate": when.date_only} if when.date_only else None,
        ],
        "identifier": csn_identifier(visit.csn, ctx.region),
        "status": status,
        "serviceType": [{"text": visit.visit_type}] if visit.visit_type else None,
        "specialty": [{"text": visit.specialty}] if visit.specialty else None,
        "start": start,
        "end": end,
        "minutesDuration": minutes if end or (timed is None and _plausible(minutes)) else None,
        "participant": participants,
    }
    built: FhirJson = pruned(appointment)
    if start and not end:
        # app-3: a booked appointment has an end; the portal does not say it, so it is marked unknown.
        built["_end"] = {"extension": [{"url": DATA_ABSENT_REASON_EXTENSION, "valueCode": "unknown"}]}
    return built
