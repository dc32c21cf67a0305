"""One compact row per resource, by resource type, for search results the model reads.

`SUMMARIZERS` is the table: resource type -> function giving the row's cells (short,
mostly coded values) and its prose (notes, comments, conclusions: free text from the
record that the renderer fences as untrusted). Types without an entry use `generic`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from mcp_server.rows.fhir_text import (
    concept_text,
    first_date,
    human_name,
    number_text,
    quantity_text,
    range_text,
    ratio_text,
    reference_text,
)
from mcp_server.rows.summaries_care import CARE_SUMMARIZERS
from mcp_server.rows.summary_base import SHORT_TEXT, Summarizer, Summary, notes_of, status_of

__all__ = ["SUMMARIZERS", "Summary", "generic", "summarize"]

_notes = notes_of
_status = status_of


def _observation_value(obs: Mapping[str, Any], prose: list[tuple[str, str]]) -> str:
    if "valueQuantity" in obs:
        return quantity_text(obs["valueQuantity"])
    if "valueCodeableConcept" in obs:
        return concept_text(obs["valueCodeableConcept"])
    if isinstance(text := obs.get("valueString"), str):
        if len(text) <= SHORT_TEXT and "\n" not in text:
            return text
        prose.append(("value", text))
        return "(text value, see record text)"
    for key in ("valueBoolean", "valueInteger", "valueDateTime", "valueTime"):
        if key in obs:
            return str(obs[key]).lower() if key == "valueBoolean" else str(obs[key])
    if "valueRange" in obs:
        return range_text(obs["valueRange"])
    if "valueRatio" in obs:
        return ratio_text(obs["valueRatio"])
    components = [c for c in obs.get("component") or [] if isinstance(c, Mapping)]
    if components:
        parts = [f"{concept_text(c.get('code'))} {_observation_value(c, prose)}".strip() for c in components]
        return "; ".join(p for p in parts if p)
    if "dataAbsentReason" in obs:
        return f"no value ({concept_text(obs['dataAbsentReason'])})"
    return ""


def _interpretation(obs: Mapping[str, Any]) -> str:
    for concept in obs.get("interpretation") or []:
        codings = concept.get("coding") if isinstance(concept, Mapping) else None
        for coding in codings or []:
            if isinstance(coding, Mapping) and isinstance(coding.get("code"), str):
                return str(coding["code"])
        if text := concept_text(concept):
            return text
    return ""


def _reference_range(obs: Mapping[str, Any]) -> str:
    ranges = [r for r in obs.get("referenceRange") or [] if isinstance(r, Mapping)]
    if not ranges:
        return ""
    written = ranges[0].get("text")
    text = range_text(ranges[0]) or (written if isinstance(written, str) else "")
    quantity = obs.get("valueQuantity")
    unit = quantity.get("unit") if isinstance(quantity, Mapping) else None
    if isinstance(unit, str) and unit and text.endswith(f" {unit}"):
        text = text.removesuffix(f" {unit}")  # the value beside it already names the unit
    return f"ref {text}" if text else ""


def observation(obs: Mapping[str, Any]) -> Summary:
    prose = _notes(obs)
    value = _observation_value(obs, prose)
    if flag := _interpretation(obs):
        value = f"{value} ({flag})" if value else f"({flag})"
    date = first_date(obs, "effectiveDateTime", "effectivePeriod.start", "effectiveInstant", "issued")
    cells = [date, concept_text(obs.get("code")), value, _reference_range(obs), _status(obs)]
    return Summary(cells, prose)


def diagnostic_report(report: Mapping[str, Any]) -> Summary:
    prose = _notes(report)
    if isinstance(conclusion := report.get("conclusion"), str):
        prose.append(("conclusion", conclusion))
    results = report.get("result") if isinstance(report.get("result"), list) else []
    forms = report.get("presentedForm") if isinstance(report.get("presentedForm"), list) else []
    date = first_date(report, "effectiveDateTime", "effectivePeriod.start", "issued")
    cells = [
        date,
        concept_text(report.get("code")),
        f"{len(results)} result{'s' if len(results) != 1 else ''}" if results else "",
        f"{len(forms)} attached document{'s' if len(forms) != 1 else ''}" if forms else "",
        _status(report),
    ]
    return Summary(cells, prose)


def _medication(resource: Mapping[str, Any]) -> str:
    return concept_text(resource.get("medicationCodeableConcept")) or reference_text(
        resource.get("medicationReference")
    )


def medication_request(request: Mapping[str, Any]) -> Summary:
    dosages = [d for d in request.get("dosageInstruction") or [] if isinstance(d, Mapping)]
    sig = dosages[0].get("text") if dosages and isinstance(dosages[0].get("text"), str) else ""
    dispense = request.get("dispenseRequest")
    refills = dispense.get("numberOfRepeatsAllowed") if isinstance(dispense, Mapping) else None
    cells = [
        first_date(request, "authoredOn"),
        _medication(request),
        str(sig),
        f"refills {number_text(refills)}" if number_text(refills) else "",
        reference_text(request.get("requester")),
        _status(request),
    ]
    return Summary(cells, _notes(request))


def medication(med: Mapping[str, Any]) -> Summary:
    return Summary([concept_text(med.get("code")), concept_text(med.get("form")), _status(med)])


def patient(person: Mapping[str, Any]) -> Summary:
    birth = person.get("birthDate")
    gender = person.get("gender")
    cells = [
        human_name(person.get("name")),
        gender if isinstance(gender, str) else "",
        f"born {birth}" if isinstance(birth, str) else "",
        "deceased" if person.get("deceasedBoolean") or "deceasedDateTime" in person else "",
    ]
    return Summary(cells)


def condition(cond: Mapping[str, Any]) -> Summary:
    verification = concept_text(cond.get("verificationStatus"))
    cells = [
        first_date(cond, "onsetDateTime", "onsetPeriod.start", "recordedDate"),
        concept_text(cond.get("code")),
        concept_text(cond.get("clinicalStatus")),
        verification if verification != "confirmed" else "",
    ]
    return Summary(cells, _notes(cond))


def allergy_intolerance(allergy: Mapping[str, Any]) -> Summary:
    prose = _notes(allergy)
    manifestations: list[str] = []
    for reaction in allergy.get("reaction") or []:
        if not isinstance(reaction, Mapping):
            continue
        manifestations += [concept_text(m) for m in reaction.get("manifestation") or []]
        if isinstance(description := reaction.get("description"), str):
            prose.append(("reaction", description))
    criticality = allergy.get("criticality")
    cells = [
        first_date(allergy, "onsetDateTime", "recordedDate"),
        concept_text(allergy.get("code")),
        ", ".join(m for m in manifestations if m),
        f"criticality {criticality}" if isinstance(criticality, str) else "",
        concept_text(allergy.get("clinicalStatus")),
    ]
    return Summary(cells, prose)


def encounter(visit: Mapping[str, Any]) -> Summary:
    types = visit.get("type") if isinstance(visit.get("type"), list) else []
    kind = concept_text(types[0]) if types else ""
    visit_class = visit.get("class")
    if not kind and isinstance(visit_class, Mapping):
        kind = str(visit_class.get("display") or visit_class.get("code") or "")
    locations = [loc for loc in visit.get("location") or [] if isinstance(loc, Mapping)]
    where = reference_text(locations[0].get("location")) if locations else ""
    reasons = visit.get("reasonCode") if isinstance(visit.get("reasonCode"), list) else []
    cells = [
        first_date(visit, "period.start"),
        kind,
        where or reference_text(visit.get("serviceProvider")),
        concept_text(reasons[0]) if reasons else "",
        _status(visit),
    ]
    return Summary(cells)


def generic(resource: Mapping[str, Any]) -> Summary:
    """Date, code (or type) text and status: enough to pick a resource to `fhir_get`."""
    date = first_date(
        resource,
        "effectiveDateTime",
        "effectivePeriod.start",
        "occurrenceDateTime",
        "authoredOn",
        "recordedDate",
        "onsetDateTime",
        "date",
        "issued",
        "sent",
        "period.start",
        "meta.lastUpdated",
    )
    types = resource.get("type")
    code = concept_text(resource.get("code")) or concept_text(types[0] if isinstance(types, list) and types else types)
    return Summary([date, code, _status(resource)], _notes(resource))


SUMMARIZERS: dict[str, Summarizer] = {
    "AllergyIntolerance": allergy_intolerance,
    "Condition": condition,
    "DiagnosticReport": diagnostic_report,
    "Encounter": encounter,
    "Medication": medication,
    "MedicationRequest": medication_request,
    "Observation": observation,
    "Patient": patient,
    **CARE_SUMMARIZERS,
}


def summarize(resource: Mapping[str, Any]) -> Summary:
    """The row summary for any resource, through `SUMMARIZERS` or `generic`."""
    return SUMMARIZERS.get(str(resource.get("resourceType")), generic)(resource)
