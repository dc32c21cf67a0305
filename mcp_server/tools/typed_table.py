"""THE table of typed read tools: one row per tool, each a FHIR search with friendly filters.

Adding a tool is adding a row. Every tool also takes `source` (default: all sources,
queried concurrently), `format`, `max_tokens` and `cursor`; see `typed_tools`.
"""

from __future__ import annotations

from dataclasses import dataclass

from mcp_server.tools.search_filters import (
    CONDITION_CATEGORIES,
    DOCUMENT_TYPES,
    OBSERVATION_CATEGORIES,
    Filter,
    date_filter,
    token_filter,
    when_filter,
)

__all__ = ["TYPED_TOOLS", "TypedTool"]


@dataclass(frozen=True)
class TypedTool:
    """A tool that is one FHIR search: fixed parameters, optional filters and a default sort."""

    name: str
    resource_type: str
    summary: str
    filters: tuple[Filter, ...] = ()
    fixed: tuple[tuple[str, str], ...] = ()
    sort: str | None = None


_CODE = token_filter("code", "code", "A code (LOINC, SNOMED, ...) as system|code or code.")
_STATUS = token_filter("status", "status", "Status code, e.g. active, completed, stopped.")

TYPED_TOOLS: tuple[TypedTool, ...] = (
    TypedTool("get_patient", "Patient", "The patient's demographics (name, birth date, gender) from each source."),
    TypedTool(
        "search_encounter",
        "Encounter",
        "Visits and admissions, newest first.",
        (date_filter("date", "date", "When the encounter took place."), _STATUS),
        sort="-date",
    ),
    TypedTool("get_coverage", "Coverage", "Insurance coverage (plan, member, period).", (_STATUS,)),
    TypedTool(
        "get_practitioner",
        "Practitioner",
        "Clinicians known to the source.",
        (token_filter("name", "name:contains", "A portion of the practitioner's name (any part)."),),
    ),
    TypedTool(
        "search_observation",
        "Observation",
        "Observations (lab results, vital signs, social history, ...), newest first.",
        (
            token_filter("category", "category", "Kind of observation.", OBSERVATION_CATEGORIES),
            _CODE,
            date_filter("date", "date", "When the observation was made."),
        ),
        sort="-date",
    ),
    TypedTool(
        "search_condition",
        "Condition",
        "Conditions: problem list items, encounter diagnoses, health concerns.",
        (token_filter("category", "category", "Kind of condition.", CONDITION_CATEGORIES), _CODE),
    ),
    TypedTool(
        "list_problems",
        "Condition",
        "The problem list (Condition category problem-list-item).",
        fixed=(("category", "problem-list-item"),),
    ),
    TypedTool(
        "search_medication_request",
        "MedicationRequest",
        "Prescriptions and medication orders, newest first.",
        (_STATUS,),
        sort="-authoredon",
    ),
    TypedTool("list_allergies", "AllergyIntolerance", "Allergies and intolerances."),
    TypedTool("list_immunizations", "Immunization", "Immunizations, newest first.", sort="-date"),
    TypedTool("list_care_plans", "CarePlan", "Care plans.", (_STATUS,)),
    TypedTool(
        "search_document_reference",
        "DocumentReference",
        "Clinical notes and documents, newest first; read one's text with get_binary.",
        (
            token_filter("type", "type", "Document type.", DOCUMENT_TYPES),
            date_filter("date", "date", "When the document was written."),
        ),
        sort="-date",
    ),
    TypedTool("list_appointments", "Appointment", "Appointments.", (when_filter("date"),), sort="-date"),
    TypedTool(
        "list_messages",
        "Communication",
        "Secure messages with the care team, newest first; read one in full with read_message.",
        sort="-sent",
    ),
    TypedTool("list_care_team", "CareTeam", "Care team members and their roles."),
    TypedTool(
        "list_implants",
        "Device",
        "Implantable devices (US Core Implantable Device).",
    ),
    TypedTool(
        "list_upcoming_orders",
        "ServiceRequest",
        "Active orders (labs, imaging, referrals) not yet done.",
        fixed=(("status", "active"),),
    ),
    TypedTool("list_access_log", "AuditEvent", "Who accessed the record and when, newest first.", sort="-date"),
)
