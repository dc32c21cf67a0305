"""What Appointment and Encounter share from a Visits-page visit object, read once by :func:`read_visit`:
ids, times, Location, Practitioner.

- ``Instant`` (``/Date(ms)/``) is the only machine time. It is written at the visit's own UTC offset,
  read off ``PrimaryDate`` (the same moment on the department's wall clock), so an evening visit keeps its
  day; without a usable ``PrimaryDate`` it stays in UTC. When ``Time`` is null (refills, surgery
  scheduling) the visit is date-only and its instant is UTC midnight, which is the evening before in
  Pacific time: the date is then taken from the display ``Date`` ("Monday January 5, 2026").
- Department phone numbers come wrapped in Unicode bidi marks, which are stripped.
- Practitioners are keyed by display name: the portal's ``EncryptedId`` is session-scoped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from translators.dates import DateParseError, at_display_offset, fhir_date, ms_date_instant, weekday_display_date
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode, WarningLog
from translators.pruning import pruned
from translators.resource_meta import meta
from translators.types import FhirJson, TranslationWarning
from translators.validation import validated

SURFACE = "appointments"
US_CORE_LOCATION = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-location"
VIRTUAL_VISIT = "urn:fhirgate:kaiser:extension:virtual-visit"
"""Appointment/Encounter: the portal sent a non-null ``Telemedicine`` or ``EVisit`` object."""
DATE_ONLY = "urn:fhirgate:kaiser:extension:date-only"
"""Appointment: the visit has no time (``Time`` null); ``start`` is a placeholder and this date is the day."""
_BIDI = re.compile("[\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_CITY_LINE = re.compile(r"(?P<city>[^,]+),\s*(?P<state>[A-Z]{2})\s+(?P<zip>\d{5}(?:-\d{4})?)")


@dataclass(frozen=True)
class VisitTime:
    instant: str | None
    """The instant from ``Instant``, at the visit's local offset when the portal shows it (else UTC)."""
    date_only: str | None
    """The visit's date when it has no time of day, else None."""


@dataclass(frozen=True)
class PortalVisit:
    """One visit object as Appointment and Encounter are both built from it."""

    node: PortalNode
    csn: str
    """``Csn``, else ``Id``: the visit's key."""
    log: WarningLog
    """Warnings about this visit (keyed by its ``csn``)."""
    when: VisitTime
    practitioner: FhirJson | None
    location: FhirJson | None
    visit_type: str | None
    specialty: str | None
    virtual: bool


def read_visit(visit: PortalNode, region: str, warnings: list[TranslationWarning], what: str) -> PortalVisit | None:
    """The visit's key, people, place and time, or None (with a warning naming ``what``) when it has no key."""
    csn = visit.get("Csn").key_text() or visit.get("Id").key_text()
    log = WarningLog(SURFACE, csn or visit.path, warnings)
    visit.log = log
    if csn is None:
        log.warn("Csn", f"{what} has no Csn or Id; skipped")
        return None
    who, where = practitioner(visit), location(visit, region)
    return PortalVisit(
        node=visit,
        csn=csn,
        log=log,
        when=visit_time(visit, log),
        practitioner=who,
        location=where,
        visit_type=visit.get("VisitTypeName").text(),
        specialty=specialty(visit),
        virtual=is_virtual(visit),
    )


def encounter_id(csn: str) -> str:
    return stable_id(SURFACE, f"enc:{csn}")


def appointment_id(csn: str) -> str:
    return stable_id(SURFACE, f"appt:{csn}")


def csn_identifier(csn: str, region: str) -> list[dict[str, str]]:
    return [{"system": identifier_system(region, "csn"), "value": csn}]


def strip_bidi(text: str) -> str:
    return _BIDI.sub("", text).strip()


def visit_time(visit: PortalNode, log: WarningLog) -> VisitTime:
    instant = None
    try:
        instant = ms_date_instant(visit.get("Instant").value)
    except DateParseError as error:
        log.warn("Instant", str(error))
    if visit.get("Time").text() is not None:
        if instant is not None:
            local = at_display_offset(instant, visit.get("PrimaryDate").value)
            if local is None:
                log.warn("PrimaryDate", "no local time to read the visit's UTC offset from; start kept in UTC")
            instant = local or instant
        return VisitTime(instant, None)
    try:
        day = weekday_display_date(visit.get("Date").value) or fhir_date(
            (visit.get("PrimaryDate").text() or "").split(" ")[0] or None
        )
    except DateParseError as error:
        log.warn("Date", f"{error}; date-only visit kept without its day")
        day = None
    return VisitTime(instant, day)


def is_virtual(visit: PortalNode) -> bool:
    return not visit.get("Telemedicine").absent or not visit.get("EVisit").absent


def practitioner(visit: PortalNode) -> FhirJson | None:
    name = visit.get("PrimaryProvider").get("Name").text() or visit.get("PrimaryProviderName").text()
    if name is None:
        return None
    resource = {
        "resourceType": "Practitioner",
        "id": stable_id(SURFACE, f"practitioner:{name.upper()}"),
        "meta": meta(SURFACE),
        "name": [{"text": name}],
    }
    return validated(resource)


def department(visit: PortalNode) -> PortalNode:
    found = visit.get("PrimaryDepartment")
    return found if found.is_object() else visit.get("Department")


def specialty(visit: PortalNode) -> str | None:
    return department(visit).get("Specialty").get("Title").text()


def location(visit: PortalNode, region: str) -> FhirJson | None:
    department_node = department(visit)
    dep_id, name = department_node.get("Id").key_text(), department_node.get("Name").text()
    if dep_id is None or name is None:
        return None
    phone = department_node.get("PhoneNumber").text()
    resource: FhirJson = {
        "resourceType": "Location",
        "id": stable_id(SURFACE, f"location:{dep_id}"),
        "meta": meta(SURFACE, US_CORE_LOCATION),
        "identifier": [{"system": identifier_system(region, "department-id"), "value": dep_id}],
        "name": name,
        "telecom": [{"system": "phone", "value": strip_bidi(phone)}] if phone and strip_bidi(phone) else None,
        "address": _address(department_node.get("Address")),
    }
    return validated(pruned(resource))


def _address(lines: PortalNode) -> dict[str, Any] | None:
    texts = [text for node in lines.items() if (text := node.text())]
    if not texts:
        return None
    match = _CITY_LINE.fullmatch(texts[-1])
    if match is None:
        return {"line": texts, "text": ", ".join(texts)}
    return {
        "line": texts[:-1],
        "city": match["city"].strip(),
        "state": match["state"],
        "postalCode": match["zip"],
        "text": ", ".join(texts),
    }


def reference(resource: FhirJson | None) -> dict[str, str] | None:
    if resource is None:
        return None
    name = resource.get("name")  # a string (Location, Organization) or HumanNames (Practitioner)
    text = name if isinstance(name, str) or name is None else name[0].get("text")
    found = {"reference": f"{resource['resourceType']}/{resource['id']}"}
    if text:
        found["display"] = text
    return found


def deduplicated(resources: list[FhirJson]) -> list[FhirJson]:
    """Each (type, id) once, first occurrence kept: many visits share a Location or Practitioner."""
    seen: set[tuple[str, str]] = set()
    kept = []
    for resource in resources:
        key = (str(resource["resourceType"]), str(resource["id"]))
        if key not in seen:
            seen.add(key)
            kept.append(resource)
    return kept
