"""Row summaries for the care-record types the typed tools list: immunizations, appointments,
messages, documents, care teams, devices, orders, dispenses, access log, coverage, practitioners."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp_server.rows.fhir_text import concept_text, first_date, human_name, quantity_text, reference_text
from mcp_server.rows.summary_base import Summarizer, Summary, notes_of, status_of

__all__ = ["CARE_SUMMARIZERS"]

_SNIPPET = 160


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _refs(values: Any) -> str:
    return ", ".join(t for t in (reference_text(v) for v in values or [] if isinstance(v, Mapping)) if t)


def immunization(shot: Mapping[str, Any]) -> Summary:
    cells = [
        first_date(shot, "occurrenceDateTime", "recorded"),
        concept_text(shot.get("vaccineCode")),
        reference_text(_first(shot.get("performer") or [{}]).get("actor") if shot.get("performer") else None),
        status_of(shot),
    ]
    return Summary(cells, notes_of(shot))


_DATE_ONLY = "urn:fhirgate:kaiser:extension:date-only"
"""The Kaiser translator's mark of a visit with a day but no time (see docs/decisions.md)."""


def _visit_day(visit: Mapping[str, Any]) -> str | None:
    for extension in visit.get("extension") or []:
        if isinstance(extension, Mapping) and extension.get("url") == _DATE_ONLY:
            day = extension.get("valueDate")
            return day if isinstance(day, str) else None
    return None


def appointment(visit: Mapping[str, Any]) -> Summary:
    """A date-only visit shows its day alone (`start` is then only a placeholder), others date and time."""
    people = [p.get("actor") for p in visit.get("participant") or [] if isinstance(p, Mapping)]
    day = _visit_day(visit)
    cells = [
        f"{day} (no time given)" if day else str(visit.get("start") or "")[:16].replace("T", " "),
        concept_text(_first(visit.get("serviceType"))) or concept_text(visit.get("appointmentType")),
        _refs(people),
        status_of(visit),
    ]
    prose = [("description", d)] if isinstance(d := visit.get("description"), str) else []
    return Summary(cells, prose + notes_of(visit))


def communication(message: Mapping[str, Any]) -> Summary:
    texts = [
        p["contentString"]
        for p in message.get("payload") or []
        if isinstance(p, Mapping) and isinstance(p.get("contentString"), str)
    ]
    snippet = " ".join(" ".join(texts).split())
    cells = [
        first_date(message, "sent", "received"),
        concept_text(message.get("topic")) or concept_text(_first(message.get("category"))),
        f"from {reference_text(message.get('sender'))}" if message.get("sender") else "",
        status_of(message),
    ]
    if len(snippet) > _SNIPPET:
        snippet = snippet[:_SNIPPET].rstrip() + f"… [excerpt of {len(snippet)} characters; all of it: read_message]"
    prose = [("excerpt", snippet)] if snippet else []
    return Summary(cells, prose)


def document_reference(document: Mapping[str, Any]) -> Summary:
    binaries: list[str] = []
    for content in document.get("content") or []:
        attachment = content.get("attachment") if isinstance(content, Mapping) else None
        if isinstance(attachment, Mapping) and isinstance(url := attachment.get("url"), str):
            binaries.append(url.rsplit("/", 2)[-2] + "/" + url.rsplit("/", 1)[-1] if "Binary/" in url else url)
    cells = [
        first_date(document, "date", "context.period.start"),
        concept_text(document.get("type")),
        f"text: {', '.join(binaries)}" if binaries else "",
        status_of(document),
    ]
    prose = [("description", d)] if isinstance(d := document.get("description"), str) else []
    return Summary(cells, prose)


def care_team(team: Mapping[str, Any]) -> Summary:
    """One cell per member (`who (role)`), so a large team is never cut short."""
    members = []
    for participant in team.get("participant") or []:
        if isinstance(participant, Mapping):
            roles = ", ".join(t for t in (concept_text(r) for r in participant.get("role") or []) if t)
            who = reference_text(participant.get("member"))
            members.append(f"{who} ({roles})" if roles and who else who or roles)
    return Summary([str(team.get("name") or ""), *(m for m in members if m), status_of(team)])


def _device_names(item: Mapping[str, Any]) -> str:
    names = [n.get("name") for n in item.get("deviceName") or [] if isinstance(n, Mapping)]
    return ", ".join(dict.fromkeys(n.strip() for n in names if isinstance(n, str) and n.strip()))


def _udi(item: Mapping[str, Any]) -> str:
    parts = []
    for carrier in item.get("udiCarrier") or []:
        if isinstance(carrier, Mapping):
            hrf, di = carrier.get("carrierHRF"), carrier.get("deviceIdentifier")
            if isinstance(hrf, str) and hrf:
                parts.append(f"UDI {hrf}")
            elif isinstance(di, str) and di:
                parts.append(f"UDI DI {di}")
    return ", ".join(p for p in parts if p)


def device(item: Mapping[str, Any]) -> Summary:
    """Type, every name (`deviceName`), manufacturer, model, serial number and UDI, when present."""
    maker, serial, model = item.get("manufacturer"), item.get("serialNumber"), item.get("modelNumber")
    cells = [
        concept_text(item.get("type")),
        _device_names(item),
        f"made by {maker}" if isinstance(maker, str) and maker else "",
        f"model {model}" if isinstance(model, str) and model else "",
        f"serial {serial}" if isinstance(serial, str) and serial else "",
        _udi(item),
        status_of(item),
    ]
    return Summary(cells, notes_of(item))


def service_request(order: Mapping[str, Any]) -> Summary:
    cells = [
        first_date(order, "occurrenceDateTime", "occurrencePeriod.start", "authoredOn"),
        concept_text(order.get("code")),
        reference_text(order.get("requester")),
        status_of(order),
    ]
    prose = notes_of(order)
    if isinstance(instruction := order.get("patientInstruction"), str) and instruction.strip():
        prose.insert(0, ("patient instructions", instruction))
    return Summary(cells, prose)


def _telecom(resource: Mapping[str, Any]) -> str:
    points = []
    for point in resource.get("telecom") or []:
        if isinstance(point, Mapping) and isinstance(value := point.get("value"), str) and value.strip():
            label = " ".join(str(point[k]) for k in ("system", "use") if isinstance(point.get(k), str))
            points.append(f"{label} {value}".strip())
    return ", ".join(points)


def _address(resource: Mapping[str, Any]) -> str:
    addresses = [a for a in resource.get("address") or [] if isinstance(a, Mapping)]
    if not addresses:
        return ""
    first = addresses[0]
    if isinstance(text := first.get("text"), str) and text.strip():
        return text
    lines = [str(line) for line in first.get("line") or [] if isinstance(line, str)]
    parts = [*lines, *(str(first[k]) for k in ("city", "state", "postalCode") if isinstance(first.get(k), str))]
    return ", ".join(parts)


def related_person(person: Mapping[str, Any]) -> Summary:
    """Name, relationship(s), phone/email and address: an emergency contact answerable from the row."""
    relations = ", ".join(t for t in (concept_text(r) for r in person.get("relationship") or []) if t)
    cells = [human_name(person.get("name")), relations, _telecom(person), _address(person)]
    if person.get("active") is False:
        cells.append("inactive")
    return Summary(cells)


def organization(org: Mapping[str, Any]) -> Summary:
    """Name, kind, phone/web and address."""
    kinds = ", ".join(t for t in (concept_text(k) for k in org.get("type") or []) if t)
    name = org.get("name")
    return Summary([name if isinstance(name, str) else "", kinds, _telecom(org), _address(org)])


def audit_event(event: Mapping[str, Any]) -> Summary:
    agents = [a.get("who") for a in event.get("agent") or [] if isinstance(a, Mapping)]
    cells = [
        str(event.get("recorded") or "")[:16].replace("T", " "),
        concept_text(event.get("type")) or str((event.get("type") or {}).get("code", "")),
        _refs(agents),
        str(event.get("action") or ""),
        str(event.get("outcome") or ""),
    ]
    return Summary(cells)


def coverage(plan: Mapping[str, Any]) -> Summary:
    classes = [c.get("name") or c.get("value") for c in plan.get("class") or [] if isinstance(c, Mapping)]
    cells = [
        first_date(plan, "period.start"),
        concept_text(plan.get("type")) or ", ".join(str(c) for c in classes if c),
        _refs(plan.get("payor")),
        f"member {plan.get('subscriberId')}" if plan.get("subscriberId") else "",
        status_of(plan),
    ]
    return Summary(cells)


def medication_dispense(dispense: Mapping[str, Any]) -> Summary:
    medication = concept_text(dispense.get("medicationCodeableConcept")) or reference_text(
        dispense.get("medicationReference")
    )
    supply = dispense.get("daysSupply")
    days = supply.get("value") if isinstance(supply, Mapping) else None
    cells = [
        first_date(dispense, "whenHandedOver", "whenPrepared"),
        medication,
        f"{quantity_text(dispense.get('quantity'))}".strip(),
        f"{days} days supply" if days is not None else "",
        status_of(dispense),
    ]
    return Summary(cells, notes_of(dispense))


def provenance(record: Mapping[str, Any]) -> Summary:
    """When, each agent with its role (`fhirgate (Assembler)`), and the target, or how many there are."""
    agents = []
    for agent in record.get("agent") or []:
        if isinstance(agent, Mapping):
            who, role = reference_text(agent.get("who")), concept_text(agent.get("type"))
            agents.append(f"{who} ({role})" if who and role else who or role)
    targets = [t for t in record.get("target") or [] if isinstance(t, Mapping)]
    cells = [
        str(record.get("recorded") or "")[:16].replace("T", " "),
        concept_text(record.get("activity")),
        *agents,
        reference_text(targets[0]) if len(targets) == 1 else f"{len(targets)} targets" if targets else "",
    ]
    return Summary(cells)


def practitioner(person: Mapping[str, Any]) -> Summary:
    qualifications = [concept_text(q.get("code")) for q in person.get("qualification") or [] if isinstance(q, Mapping)]
    return Summary([human_name(person.get("name")), ", ".join(q for q in qualifications if q)])


CARE_SUMMARIZERS: dict[str, Summarizer] = {
    "Appointment": appointment,
    "AuditEvent": audit_event,
    "CareTeam": care_team,
    "Communication": communication,
    "Coverage": coverage,
    "Device": device,
    "DocumentReference": document_reference,
    "Immunization": immunization,
    "MedicationDispense": medication_dispense,
    "Organization": organization,
    "Practitioner": practitioner,
    "Provenance": provenance,
    "RelatedPerson": related_person,
    "ServiceRequest": service_request,
}
