"""The US Core 6.1.0 rules the suite checks, as data: each names its profile and element and cites its source.

Written from the 6.1.0 StructureDefinition differentials as summarised in ``US_CORE.md`` (one section per
profile; ``src:`` there names the file). Kinds: ``required`` (min >= 1), ``each`` (a child required in every
present parent), ``coding`` (a pattern/fixed coding that must be present), ``codes`` (a required binding on a
code), ``invariant`` (a us-core-N constraint as a Python predicate), ``must-support`` (an MS element the portal
always gives data for, so its absence is a loss).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from conformance.fhir_paths import has, values

__all__ = ["PROFILES", "RULES", "Rule"]

_SD = "http://hl7.org/fhir/us/core/StructureDefinition/"
_STATUSES_WITH_TIMES = frozenset({"partial", "preliminary", "final", "amended", "corrected", "appended"})
_ORDER_INTENTS = frozenset({"order", "original-order", "reflex-order", "filler-order", "instance-order"})
_DAR = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
_UCUM = "http://unitsofmeasure.org"


@dataclass(frozen=True)
class Rule:
    profile: str
    """Profile name after ``…/StructureDefinition/`` (``us-core-patient``)."""
    kind: str
    element: str
    citation: str
    child: str = ""
    system: str = ""
    code: str = ""
    allowed: frozenset[str] = frozenset()
    predicate: Callable[[dict[str, Any]], bool] | None = None


def _required(profile: str, *elements: str) -> list[Rule]:
    return [Rule(profile, "required", e, f"{profile}: {e} min 1 (US_CORE.md, Mandatory)") for e in elements]


def _each(profile: str, parent: str, *children: str) -> list[Rule]:
    return [
        Rule(profile, "each", parent, f"{profile}: {parent}.{c} 1..1 when {parent} present", child=c) for c in children
    ]


def _coding(profile: str, element: str, system: str, code: str, slice_name: str) -> Rule:
    citation = f"{profile}: {element}:{slice_name} 1..1 pattern {system}#{code}"
    return Rule(profile, "coding", element, citation, system=system, code=code)


def _invariant(profile: str, key: str, element: str, predicate: Callable[[dict[str, Any]], bool]) -> Rule:
    return Rule(profile, "invariant", element, f"{profile}: {key} (error) on {element}", predicate=predicate)


def _must_support(profile: str, *elements: str) -> list[Rule]:
    return [
        Rule(profile, "must-support", e, f"{profile}: {e} Must Support, always given by the portal") for e in elements
    ]


def _codes(profile: str, element: str, value_set: str, *codes: str) -> Rule:
    return Rule(
        profile, "codes", element, f"{profile}: {element} required binding {value_set}", allowed=frozenset(codes)
    )


def _name_given_or_absent(resource: dict[str, Any]) -> bool:
    for name in values(resource, "name"):
        named = has(name, "family") or has(name, "given")
        absent = any(ext.get("url") == _DAR for ext in values(name, "extension"))
        if named == absent:
            return False
    return True


def _value_or_absent(resource: dict[str, Any]) -> bool:
    if has(resource, "component") or has(resource, "hasMember"):
        return True
    return has(resource, "value[x]") or has(resource, "dataAbsentReason")


def _effective_to_day(resource: dict[str, Any]) -> bool:
    effective = resource.get("effectiveDateTime")
    return effective is None or len(str(effective)) >= 10


def _ucum_quantity(resource: dict[str, Any]) -> bool:
    quantity = resource.get("valueQuantity")
    return not isinstance(quantity, dict) or quantity.get("system") in (None, _UCUM)


def _times_when(element: str) -> Callable[[dict[str, Any]], bool]:
    return lambda r: r.get("status") not in _STATUSES_WITH_TIMES or has(r, element)


def _requester_for_orders(resource: dict[str, Any]) -> bool:
    return resource.get("intent") not in _ORDER_INTENTS or has(resource, "requester")


def _member_id(resource: dict[str, Any]) -> bool:
    member = any(
        c.get("system") == "http://terminology.hl7.org/CodeSystem/v2-0203" and c.get("code") == "MB"
        for c in values(resource, "identifier.type.coding")
    )
    return member or has(resource, "subscriberId")


def _loinc_coded(resource: dict[str, Any]) -> bool:
    return any(c.get("system") == "http://loinc.org" and c.get("code") for c in values(resource, "code.coding"))


_OBS_CAT = "http://terminology.hl7.org/CodeSystem/observation-category"
_COND_CAT = "http://terminology.hl7.org/CodeSystem/condition-category"
_OBS_STATUS = ("registered", "preliminary", "final", "amended", "corrected", "cancelled", "entered-in-error", "unknown")
_CLINICAL_RESULT = [
    *_required("us-core-observation-lab", "status", "code", "category", "subject"),
    _invariant("us-core-observation-lab", "us-core-2", "Observation", _value_or_absent),
    _invariant("us-core-observation-lab", "us-core-1", "Observation.effective[x]", _effective_to_day),
    _invariant("us-core-observation-lab", "us-core-3", "Observation.value[x]", _ucum_quantity),
    _coding("us-core-observation-lab", "category.coding", _OBS_CAT, "laboratory", "us-core"),
    _codes("us-core-observation-lab", "status", "observation-status", *_OBS_STATUS),
    *_must_support("us-core-observation-lab", "effective[x]"),
    Rule(
        "us-core-observation-lab",
        "invariant",
        "Observation.code",
        "us-core-observation-lab: code extensible binding us-core-laboratory-test-codes (LOINC); fhirgate claims"
        " the profile only where its lab map gave a LOINC coding",
        predicate=_loinc_coded,
    ),
]

RULES: tuple[Rule, ...] = (
    # 1. Patient (structuredefinition-us-core-patient.json)
    *_required("us-core-patient", "identifier", "name", "gender"),
    *_each("us-core-patient", "identifier", "system", "value"),
    *_each("us-core-patient", "telecom", "system", "value"),
    _invariant("us-core-patient", "us-core-6", "Patient.name", _name_given_or_absent),
    _codes("us-core-patient", "gender", "administrative-gender", "male", "female", "other", "unknown"),
    *_must_support("us-core-patient", "birthDate"),
    # 2b. Laboratory Result Observation (+ 2a Clinical Result, its base)
    *_CLINICAL_RESULT,
    # 4. DiagnosticReport Lab
    *_required("us-core-diagnosticreport-lab", "status", "code", "category", "subject"),
    _coding(
        "us-core-diagnosticreport-lab",
        "category.coding",
        "http://terminology.hl7.org/CodeSystem/v2-0074",
        "LAB",
        "LaboratorySlice",
    ),
    _invariant("us-core-diagnosticreport-lab", "us-core-8", "DiagnosticReport", _times_when("effective[x]")),
    _invariant("us-core-diagnosticreport-lab", "us-core-9", "DiagnosticReport", _times_when("issued")),
    # 5. DiagnosticReport Note
    *_required("us-core-diagnosticreport-note", "status", "code", "category", "subject"),
    _invariant("us-core-diagnosticreport-note", "us-core-10", "DiagnosticReport", _times_when("effective[x]")),
    # 6. DocumentReference
    *_required("us-core-documentreference", "status", "type", "category", "subject", "content"),
    _invariant(
        "us-core-documentreference",
        "us-core-6",
        "DocumentReference.content.attachment",
        lambda r: all(has(a, "url") or has(a, "data") for a in values(r, "content.attachment")),
    ),
    # 7. MedicationRequest / 8. Medication
    *_required("us-core-medicationrequest", "status", "intent", "medication[x]", "subject"),
    _invariant("us-core-medicationrequest", "us-core-21", "MedicationRequest", _requester_for_orders),
    *_must_support("us-core-medicationrequest", "authoredOn", "dosageInstruction.text"),
    *_required("us-core-medication", "code"),
    # 9./10. Condition
    *_required("us-core-condition-problems-health-concerns", "category", "code", "subject", "clinicalStatus"),
    *_required("us-core-condition-encounter-diagnosis", "category", "code", "subject", "clinicalStatus"),
    _coding("us-core-condition-encounter-diagnosis", "category.coding", _COND_CAT, "encounter-diagnosis", "us-core"),
    # 11. AllergyIntolerance (clinicalStatus has no "unknown": general-requirements.md, Missing Data)
    *_required("us-core-allergyintolerance", "code", "patient"),
    # 12. Immunization
    *_required("us-core-immunization", "status", "vaccineCode", "patient", "occurrence[x]"),
    # 13. Encounter
    *_required("us-core-encounter", "status", "class", "type", "subject"),
    *_each("us-core-encounter", "identifier", "system", "value"),
    # 14. CareTeam / 15. Practitioner / 16. PractitionerRole / 17. Organization / 18. Location
    *_required("us-core-careteam", "subject", "participant"),
    *_each("us-core-careteam", "participant", "role", "member"),
    *_required("us-core-practitioner", "identifier", "name"),
    *_each("us-core-practitioner", "identifier", "system", "value"),
    *_each("us-core-practitioner", "name", "family"),
    *_each("us-core-practitionerrole", "telecom", "system", "value"),
    _invariant(
        "us-core-practitionerrole",
        "us-core-13",
        "PractitionerRole",
        lambda r: any(has(r, e) for e in ("practitioner", "organization", "healthcareService", "location")),
    ),
    *_required("us-core-organization", "active", "name"),
    *_required("us-core-location", "name"),
    # 19. Procedure / 20. Implantable Device / 21. ServiceRequest
    *_required("us-core-procedure", "status", "code", "subject"),
    _invariant(
        "us-core-procedure",
        "us-core-7",
        "Procedure",
        lambda r: r.get("status") not in {"completed", "in-progress"} or has(r, "performed[x]"),
    ),
    *_required("us-core-implantable-device", "type", "patient"),
    *_each("us-core-implantable-device", "udiCarrier", "deviceIdentifier"),
    *_required("us-core-servicerequest", "status", "intent", "code", "subject"),
    # 22. Coverage / 23. RelatedPerson / 24. Provenance
    *_required("us-core-coverage", "status", "relationship", "beneficiary", "payor"),
    _invariant("us-core-coverage", "us-core-15", "Coverage", _member_id),
    *_required("us-core-relatedperson", "active", "patient"),
    _invariant(
        "us-core-relatedperson", "us-core-14", "RelatedPerson", lambda r: has(r, "name") or has(r, "relationship")
    ),
    *_required("us-core-provenance", "target", "recorded", "agent"),
    *_each("us-core-provenance", "agent", "who"),
)

PROFILES: dict[str, str] = {rule.profile: _SD + rule.profile for rule in RULES}
"""Profile name -> canonical URL, for every profile the table has rules for."""
