"""Search parameters of the clinical record: Patient, results, medications, problems, allergies, immunizations,
procedures (FHIR R4 definitions; US Core 6.1.0 server requirements covered)."""

from __future__ import annotations

from gateway.search.definitions import IDENTIFIER, PERFORMER_TARGETS, STATUS, SUBJECT_TARGETS, SearchParameter
from gateway.search.definitions import SearchParamType as _T
from gateway.search.definitions import param as _p

_EFFECTIVE = "effectiveDateTime|effectivePeriod|effectiveInstant"

CLINICAL_PARAMETERS: tuple[SearchParameter, ...] = (
    # Patient
    _p("Patient", "identifier", _T.TOKEN, "identifier", "A patient identifier (system|value)"),
    _p("Patient", "name", _T.STRING, "name", "Any part of a name: family, given, prefix, suffix or text"),
    _p("Patient", "family", _T.STRING, "name.family", "A portion of the family name"),
    _p("Patient", "given", _T.STRING, "name.given", "A portion of a given name"),
    _p("Patient", "birthdate", _T.DATE, "birthDate", "The patient's date of birth"),
    _p("Patient", "gender", _T.TOKEN, "gender", "Administrative gender"),
    _p("Patient", "death-date", _T.DATE, "deceasedDateTime", "The date of death"),
    _p("Patient", "telecom", _T.TOKEN, "telecom", "A contact point (phone, email)"),
    _p("Patient", "address", _T.STRING, "address", "Any part of an address"),
    # Observation
    _p("Observation", "patient", _T.REFERENCE, "subject", "The patient the observation is about", "Patient"),
    _p("Observation", "subject", _T.REFERENCE, "subject", "The subject of the observation", *SUBJECT_TARGETS),
    _p("Observation", "category", _T.TOKEN, "category", "Classification of the observation"),
    _p("Observation", "code", _T.TOKEN, "code", "The code of the observation (e.g. LOINC)"),
    _p("Observation", "date", _T.DATE, _EFFECTIVE, "Clinically relevant time or period of the observation"),
    _p("Observation", "status", _T.TOKEN, "status", STATUS),
    _p("Observation", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    _p("Observation", "encounter", _T.REFERENCE, "encounter", "The encounter of the observation", "Encounter"),
    _p("Observation", "value-quantity", _T.QUANTITY, "valueQuantity", "The value (number|system|code)"),
    _p("Observation", "performer", _T.REFERENCE, "performer", "Who performed the observation", *PERFORMER_TARGETS),
    _p("Observation", "derived-from", _T.REFERENCE, "derivedFrom", "Source observation", "Observation"),
    _p("Observation", "has-member", _T.REFERENCE, "hasMember", "Member observations of a panel", "Observation"),
    # DiagnosticReport
    _p("DiagnosticReport", "patient", _T.REFERENCE, "subject", "The patient the report is about", "Patient"),
    _p("DiagnosticReport", "subject", _T.REFERENCE, "subject", "The subject of the report", *SUBJECT_TARGETS),
    _p("DiagnosticReport", "category", _T.TOKEN, "category", "Service category of the report"),
    _p("DiagnosticReport", "code", _T.TOKEN, "code", "The code of the report"),
    _p("DiagnosticReport", "date", _T.DATE, "effectiveDateTime|effectivePeriod", "Clinically relevant time"),
    _p("DiagnosticReport", "status", _T.TOKEN, "status", STATUS),
    _p("DiagnosticReport", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    _p("DiagnosticReport", "encounter", _T.REFERENCE, "encounter", "The encounter of the report", "Encounter"),
    _p("DiagnosticReport", "result", _T.REFERENCE, "result", "Observations of the report", "Observation"),
    _p("DiagnosticReport", "issued", _T.DATE, "issued", "When the report was released"),
    _p("DiagnosticReport", "performer", _T.REFERENCE, "performer", "Who is responsible", *PERFORMER_TARGETS),
    # MedicationRequest
    _p("MedicationRequest", "patient", _T.REFERENCE, "subject", "The patient the request is for", "Patient"),
    _p("MedicationRequest", "subject", _T.REFERENCE, "subject", "The subject of the request", "Patient", "Group"),
    _p("MedicationRequest", "status", _T.TOKEN, "status", STATUS),
    _p("MedicationRequest", "intent", _T.TOKEN, "intent", "Kind of request (order, plan, ...)"),
    _p("MedicationRequest", "authoredon", _T.DATE, "authoredOn", "When the prescription was written"),
    _p("MedicationRequest", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    _p("MedicationRequest", "encounter", _T.REFERENCE, "encounter", "The encounter of the request", "Encounter"),
    _p("MedicationRequest", "code", _T.TOKEN, "medicationCodeableConcept", "The medication code (e.g. RxNorm)"),
    _p("MedicationRequest", "medication", _T.REFERENCE, "medicationReference", "The medication", "Medication"),
    _p("MedicationRequest", "requester", _T.REFERENCE, "requester", "Who asked for it", *PERFORMER_TARGETS),
    # Medication
    _p("Medication", "code", _T.TOKEN, "code", "The medication code (e.g. RxNorm)"),
    _p("Medication", "status", _T.TOKEN, "status", STATUS),
    # MedicationDispense
    _p("MedicationDispense", "patient", _T.REFERENCE, "subject", "The patient dispensed to", "Patient"),
    _p("MedicationDispense", "subject", _T.REFERENCE, "subject", "The subject dispensed to", "Patient", "Group"),
    _p("MedicationDispense", "status", _T.TOKEN, "status", STATUS),
    _p("MedicationDispense", "code", _T.TOKEN, "medicationCodeableConcept", "The medication code"),
    _p("MedicationDispense", "medication", _T.REFERENCE, "medicationReference", "The medication", "Medication"),
    _p(
        "MedicationDispense",
        "prescription",
        _T.REFERENCE,
        "authorizingPrescription",
        "The prescription dispensed",
        "MedicationRequest",
    ),
    _p("MedicationDispense", "whenhandedover", _T.DATE, "whenHandedOver", "When it was handed over"),
    _p("MedicationDispense", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    # Condition
    _p("Condition", "patient", _T.REFERENCE, "subject", "The patient with the condition", "Patient"),
    _p("Condition", "subject", _T.REFERENCE, "subject", "The subject of the condition", "Patient", "Group"),
    _p("Condition", "category", _T.TOKEN, "category", "Problem list item, encounter diagnosis, health concern"),
    _p("Condition", "clinical-status", _T.TOKEN, "clinicalStatus", "active, resolved, ..."),
    _p("Condition", "verification-status", _T.TOKEN, "verificationStatus", "confirmed, provisional, ..."),
    _p("Condition", "code", _T.TOKEN, "code", "The code of the condition"),
    _p("Condition", "onset-date", _T.DATE, "onsetDateTime|onsetPeriod", "When the condition began"),
    _p("Condition", "abatement-date", _T.DATE, "abatementDateTime|abatementPeriod", "When it resolved"),
    _p("Condition", "recorded-date", _T.DATE, "recordedDate", "When it was first recorded"),
    _p(
        "Condition",
        "asserted-date",
        _T.DATE,
        "extension(condition-assertedDate).valueDateTime",
        "When it was first asserted (condition-assertedDate extension)",
    ),
    _p("Condition", "encounter", _T.REFERENCE, "encounter", "The encounter of the condition", "Encounter"),
    _p("Condition", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    # AllergyIntolerance
    _p("AllergyIntolerance", "patient", _T.REFERENCE, "patient", "The patient with the allergy", "Patient"),
    _p("AllergyIntolerance", "clinical-status", _T.TOKEN, "clinicalStatus", "active, inactive, resolved"),
    _p("AllergyIntolerance", "verification-status", _T.TOKEN, "verificationStatus", "confirmed, ..."),
    _p("AllergyIntolerance", "code", _T.TOKEN, "code|reaction.substance", "The substance"),
    _p("AllergyIntolerance", "category", _T.TOKEN, "category", "food, medication, environment, biologic"),
    _p("AllergyIntolerance", "criticality", _T.TOKEN, "criticality", "low, high, unable-to-assess"),
    _p("AllergyIntolerance", "date", _T.DATE, "recordedDate", "When it was recorded"),
    _p("AllergyIntolerance", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    # Immunization
    _p("Immunization", "patient", _T.REFERENCE, "patient", "The vaccinated patient", "Patient"),
    _p("Immunization", "status", _T.TOKEN, "status", STATUS),
    _p("Immunization", "date", _T.DATE, "occurrenceDateTime", "When the vaccine was given"),
    _p("Immunization", "vaccine-code", _T.TOKEN, "vaccineCode", "The vaccine (e.g. CVX)"),
    _p("Immunization", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
    # Procedure
    _p("Procedure", "patient", _T.REFERENCE, "subject", "The patient of the procedure", "Patient"),
    _p("Procedure", "subject", _T.REFERENCE, "subject", "The subject of the procedure", "Patient", "Group"),
    _p("Procedure", "status", _T.TOKEN, "status", STATUS),
    _p("Procedure", "date", _T.DATE, "performedDateTime|performedPeriod", "When the procedure was performed"),
    _p("Procedure", "code", _T.TOKEN, "code", "The code of the procedure"),
    _p("Procedure", "encounter", _T.REFERENCE, "encounter", "The encounter of the procedure", "Encounter"),
    _p("Procedure", "identifier", _T.TOKEN, "identifier", IDENTIFIER),
)
