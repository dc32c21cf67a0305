"""URIs of the code systems the translators use (all published by HL7 or the code's owner; none is ours)."""

from __future__ import annotations

OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
DIAGNOSTIC_SERVICE_SECTION = "http://terminology.hl7.org/CodeSystem/v2-0074"
OBSERVATION_INTERPRETATION = "http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation"
IDENTIFIER_TYPE = "http://terminology.hl7.org/CodeSystem/v2-0203"
DATA_ABSENT_REASON = "http://terminology.hl7.org/CodeSystem/data-absent-reason"
DATA_ABSENT_REASON_EXTENSION = "http://hl7.org/fhir/StructureDefinition/data-absent-reason"
UCUM = "http://unitsofmeasure.org"
NDC = "http://hl7.org/fhir/sid/ndc"
LOINC = "http://loinc.org"


def data_absent_unknown() -> dict[str, object]:
    """A CodeableConcept saying "unknown" (US Core's rule for a mandatory coded element with no data)."""
    return {"coding": [{"system": DATA_ABSENT_REASON, "code": "unknown", "display": "Unknown"}]}
