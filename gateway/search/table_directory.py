"""Search parameters of the directory and the audit trail: people, organizations, places, devices,
audit events and provenance (FHIR R4 definitions; US Core 6.1.0 server requirements covered)."""

from __future__ import annotations

from gateway.search.definitions import ANY_TARGET, IDENTIFIER, PERFORMER_TARGETS, STATUS, SearchParameter
from gateway.search.definitions import SearchParamType as _T
from gateway.search.definitions import param as _p

DIRECTORY_PARAMETERS: tuple[SearchParameter, ...] = (
    # Organization
    _p("Organization", "name", _T.STRING, "name|alias", "A portion of the organization's name or alias"),
    _p("Organization", "identifier", _T.TOKEN, "identifier", "An organization identifier (system|value)"),
    _p("Organization", "address", _T.STRING, "address", "Any part of the address"),
    # Practitioner
    _p("Practitioner", "name", _T.STRING, "name", "Any part of a name"),
    _p("Practitioner", "family", _T.STRING, "name.family", "A portion of the family name"),
    _p("Practitioner", "given", _T.STRING, "name.given", "A portion of a given name"),
    _p("Practitioner", "identifier", _T.TOKEN, "identifier", "A practitioner identifier (e.g. NPI)"),
    # PractitionerRole
    _p("PractitionerRole", "practitioner", _T.REFERENCE, "practitioner", "The practitioner", "Practitioner"),
    _p("PractitionerRole", "organization", _T.REFERENCE, "organization", "The organization", "Organization"),
    _p("PractitionerRole", "location", _T.REFERENCE, "location", "Where the role is performed", "Location"),
    _p("PractitionerRole", "specialty", _T.TOKEN, "specialty", "The practitioner's specialty"),
    _p("PractitionerRole", "role", _T.TOKEN, "code", "The role"),
    _p("PractitionerRole", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    # RelatedPerson
    _p("RelatedPerson", "patient", _T.REFERENCE, "patient", "The patient this person is related to", "Patient"),
    _p("RelatedPerson", "name", _T.STRING, "name", "Any part of a name"),
    _p("RelatedPerson", "relationship", _T.TOKEN, "relationship", "The relationship to the patient"),
    _p("RelatedPerson", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    # Location
    _p("Location", "name", _T.STRING, "name|alias", "A portion of the location's name or alias"),
    _p("Location", "address", _T.STRING, "address", "Any part of the address"),
    _p("Location", "address-city", _T.STRING, "address.city", "The city"),
    _p("Location", "address-state", _T.STRING, "address.state", "The state"),
    _p("Location", "address-postalcode", _T.STRING, "address.postalCode", "The postal code"),
    _p("Location", "organization", _T.REFERENCE, "managingOrganization", "The managing organization", "Organization"),
    _p("Location", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    # Device
    _p("Device", "patient", _T.REFERENCE, "patient", "The patient the device is for", "Patient"),
    _p("Device", "type", _T.TOKEN, "type", "The kind of device"),
    _p("Device", "status", _T.TOKEN, "status", STATUS),
    _p("Device", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    # AuditEvent
    _p("AuditEvent", "date", _T.DATE, "recorded", "When the event was recorded"),
    _p("AuditEvent", "type", _T.TOKEN, "type", "The kind of event"),
    _p("AuditEvent", "subtype", _T.TOKEN, "subtype", "The more specific kind of event"),
    _p("AuditEvent", "action", _T.TOKEN, "action", "C, R, U, D or E"),
    _p("AuditEvent", "outcome", _T.TOKEN, "outcome", "0 success, 4/8/12 failures"),
    _p("AuditEvent", "agent", _T.REFERENCE, "agent.who", "Who took part", *PERFORMER_TARGETS),
    _p("AuditEvent", "entity", _T.REFERENCE, "entity.what", "What was used", *ANY_TARGET),
    _p("AuditEvent", "patient", _T.REFERENCE, "agent.who|entity.what", "The patient involved", "Patient"),
    # Provenance
    _p("Provenance", "target", _T.REFERENCE, "target", "The resource this provenance is about", *ANY_TARGET),
    _p("Provenance", "patient", _T.REFERENCE, "target", "The patient the target is about", "Patient"),
    _p("Provenance", "recorded", _T.DATE, "recorded", "When the activity was recorded"),
    _p("Provenance", "agent", _T.REFERENCE, "agent.who", "Who took part", *PERFORMER_TARGETS),
    _p("Provenance", "entity", _T.REFERENCE, "entity.what", "What was used", *ANY_TARGET),
)
