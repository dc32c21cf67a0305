"""US Core 6.1.0 profile canonicals the translators may claim in ``meta.profile``.

A translator claims a profile only after checking the profile's mandatory elements and invariants for
that very resource; see the ``claims_*`` checks next to each builder.
"""

from __future__ import annotations

_BASE = "http://hl7.org/fhir/us/core/StructureDefinition/"

PATIENT = _BASE + "us-core-patient"
COVERAGE = _BASE + "us-core-coverage"
ORGANIZATION = _BASE + "us-core-organization"
DIAGNOSTIC_REPORT_LAB = _BASE + "us-core-diagnosticreport-lab"
OBSERVATION_LAB = _BASE + "us-core-observation-lab"
MEDICATION_REQUEST = _BASE + "us-core-medicationrequest"
MEDICATION = _BASE + "us-core-medication"
