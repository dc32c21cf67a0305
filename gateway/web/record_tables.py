"""The record's lists as tables: one row of facts per resource (what US Core marks must-support and the
portal gives us: instructions, device names, roles...), each row with its origin. One table drives the
routes, the navigation and the headings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gateway.web.fhir_display import concept_text, date_text, displays, when_text
from gateway.web.record_reading import FactOrigin, RecordReader, Resource, origin_of

__all__ = ["TABLES", "RecordTable", "TableRow", "table_rows"]

Cells = Callable[[Resource], list[list[str]]]
"""A resource's rows (most resources give one; a care team gives one per member)."""


@dataclass(frozen=True)
class RecordTable:
    slug: str
    title: str
    resource_type: str
    columns: tuple[str, ...]
    cells: Cells
    sort_key: Callable[[Resource], str]
    empty: str


@dataclass(frozen=True)
class TableRow:
    cells: list[str]
    origin: FactOrigin


def _status(resource: Resource, key: str = "clinicalStatus") -> str:
    value = resource.get(key)
    return concept_text(value) if isinstance(value, dict) else str(value or "")


def _medication(request: Resource) -> list[list[str]]:
    medication = request.get("medicationReference") or {}
    name = str(medication.get("display") or "") or concept_text(request.get("medicationCodeableConcept"))
    dosage = "; ".join(str(d.get("text")) for d in request.get("dosageInstruction") or [] if d.get("text"))
    refills = (request.get("dispenseRequest") or {}).get("numberOfRepeatsAllowed")
    requester = (request.get("requester") or {}).get("display", "")
    written = date_text(request.get("authoredOn"))
    return [
        [name, str(request.get("status", "")), dosage, str(requester), written, "" if refills is None else str(refills)]
    ]


def _problem(condition: Resource) -> list[list[str]]:
    onset = when_text(condition, "onsetDateTime", "onsetPeriod") or str(condition.get("onsetString") or "")
    recorded = date_text(condition.get("recordedDate"))
    return [
        [
            concept_text(condition.get("code")),
            _status(condition),
            _status(condition, "verificationStatus"),
            onset,
            recorded,
        ]
    ]


def _allergy(allergy: Resource) -> list[list[str]]:
    reactions = []
    for reaction in allergy.get("reaction") or []:
        words = displays(reaction.get("manifestation"))
        reactions.append(f"{words} ({reaction['severity']})" if reaction.get("severity") else words)
    criticality = str(allergy.get("criticality") or "")
    recorded = date_text(allergy.get("recordedDate"))
    return [[concept_text(allergy.get("code")), _status(allergy), "; ".join(reactions), criticality, recorded]]


def _immunization(immunization: Resource) -> list[list[str]]:
    when = when_text(immunization, "occurrenceDateTime") or str(immunization.get("occurrenceString") or "")
    site = concept_text(immunization.get("site"))
    return [
        [
            concept_text(immunization.get("vaccineCode")),
            when,
            str(immunization.get("status", "")),
            str(immunization.get("lotNumber") or ""),
            site,
        ]
    ]


def _care_team(team: Resource) -> list[list[str]]:
    rows = []
    for participant in team.get("participant") or []:
        member = (participant.get("member") or {}).get("display", "")
        period = when_text(participant, "period")
        rows.append([str(member), displays(participant.get("role")), str(team.get("name") or ""), period])
    return rows


def _device(device: Resource) -> list[list[str]]:
    names = ", ".join(str(n.get("name")) for n in device.get("deviceName") or [] if n.get("name"))
    udi = ", ".join(str(u.get("carrierHRF") or u.get("deviceIdentifier") or "") for u in device.get("udiCarrier") or [])
    return [
        [
            names,
            concept_text(device.get("type")),
            str(device.get("manufacturer") or ""),
            str(device.get("serialNumber") or ""),
            udi,
            str(device.get("status", "")),
        ]
    ]


def _order(order: Resource) -> list[list[str]]:
    notes = "; ".join(str(n.get("text")) for n in order.get("note") or [] if n.get("text"))
    when = when_text(order, "occurrencePeriod", "occurrenceDateTime")
    requester = (order.get("requester") or {}).get("display", "")
    return [
        [
            concept_text(order.get("code")),
            str(order.get("status", "")),
            when,
            str(requester),
            str(order.get("patientInstruction") or ""),
            notes,
        ]
    ]


def _appointment(appointment: Resource) -> list[list[str]]:
    people, places = [], []
    for participant in appointment.get("participant") or []:
        actor = participant.get("actor") or {}
        kind = str(actor.get("reference", "")).partition("/")[0]
        if kind == "Location":
            places.append(str(actor.get("display") or ""))
        elif kind != "Patient" and actor.get("display"):
            people.append(str(actor["display"]))
    kind_of_visit = displays(appointment.get("serviceType")) or concept_text(appointment.get("appointmentType"))
    return [
        [
            date_text(appointment.get("start")),
            str(appointment.get("status", "")),
            kind_of_visit,
            displays(appointment.get("specialty")),
            ", ".join(people),
            ", ".join(places),
        ]
    ]


def _key(*fields: str) -> Callable[[Resource], str]:
    def key(resource: Resource) -> str:
        for name in fields:
            value = resource.get(name)
            if isinstance(value, dict):
                value = value.get("start")
            if isinstance(value, str):
                return value
        return ""

    return key


TABLES: tuple[RecordTable, ...] = (
    RecordTable("medications", "Medications", "MedicationRequest",
                ("Medication", "Status", "Instructions", "Prescriber", "Written", "Refills allowed"),
                _medication, _key("authoredOn"), "No medications are on record."),
    RecordTable("problems", "Problems", "Condition",
                ("Problem", "Clinical status", "Verification", "Onset", "Recorded"),
                _problem, _key("recordedDate", "onsetDateTime"), "No problems are on record."),
    RecordTable("allergies", "Allergies", "AllergyIntolerance",
                ("Allergy", "Clinical status", "Reactions", "Criticality", "Recorded"),
                _allergy, _key("recordedDate"), "No allergies are on record."),
    RecordTable("immunizations", "Immunizations", "Immunization",
                ("Vaccine", "Given", "Status", "Lot", "Site"),
                _immunization, _key("occurrenceDateTime"), "No immunizations are on record."),
    RecordTable("care-team", "Care team", "CareTeam",
                ("Member", "Role", "Team", "Period"),
                _care_team, _key("name"), "No care team is on record."),
    RecordTable("implants", "Implants", "Device",
                ("Device", "Type", "Manufacturer", "Serial number", "UDI", "Status"),
                _device, _key("manufacturer"), "No implants are on record."),
    RecordTable("orders", "Upcoming orders", "ServiceRequest",
                ("Order", "Status", "When", "Ordered by", "Instructions", "Notes"),
                _order, _key("occurrencePeriod", "occurrenceDateTime", "authoredOn"), "No upcoming orders."),
    RecordTable("appointments", "Appointments", "Appointment",
                ("When", "Status", "Visit", "Specialty", "With", "Where"),
                _appointment, _key("start"), "No appointments are on record."),
)  # fmt: skip


def table_rows(reader: RecordReader, table: RecordTable) -> list[TableRow]:
    """Every row of ``table``, newest first."""
    resources = sorted(reader.all(table.resource_type), key=table.sort_key, reverse=True)
    return [TableRow(cells, origin_of(resource)) for resource in resources for cells in table.cells(resource)]
