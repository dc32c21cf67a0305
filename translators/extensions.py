"""fhirgate's own extensions, for Kaiser facts that no FHIR R4 element or HL7 extension holds.

They live under ``urn:fhirgate:kaiser:extension:`` (like our identifier systems, not an HL7 namespace),
so no client mistakes them for a standard; each carries exactly one portal field, unchanged.
"""

from __future__ import annotations

from typing import Any

_BASE = "urn:fhirgate:kaiser:extension:"

BRAND_NAME = _BASE + "brand-name"
"""Medication: the pharmacy's ``commonBrandName`` (R4 Medication has no brand element)."""
REFILL_ELIGIBLE = _BASE + "refill-eligible"
"""MedicationRequest: ``refillEligible`` - Kaiser would accept a web refill order now (can lag reality)."""
AUTO_REFILL = _BASE + "auto-refill"
"""MedicationRequest: ``autoRefill`` - the prescription is enrolled in automatic refills."""
MAILABLE = _BASE + "mailable"
"""MedicationRequest: ``mailable`` - the pharmacy can ship this prescription by mail."""
NEXT_FILL_DATE = _BASE + "next-fill-date"
"""MedicationRequest (and a refill order's MedicationDispense): ``nextFillDate`` - the day the pharmacy
plans the next fill (a date; R4 has no element: ``dispenseRequest.validityPeriod`` is the prescriber's
validity window, not the pharmacy's schedule)."""
NEXT_FILL_ELIGIBLE_DATE = _BASE + "next-fill-eligible-date"
"""MedicationRequest: ``afcInfo.nextFillEligibleDate`` - the first day a refill may be dispensed (a date)."""
SYSTEM_MESSAGE = _BASE + "system-message"
"""Communication: the thread's ``tags.System`` - an automated message from the portal, not from a person."""


def string_extension(url: str, value: str | None) -> dict[str, Any] | None:
    return None if value is None else {"url": url, "valueString": value}


def boolean_extension(url: str, value: bool | None) -> dict[str, Any] | None:
    return None if value is None else {"url": url, "valueBoolean": value}


def date_extension(url: str, value: str | None) -> dict[str, Any] | None:
    return None if value is None else {"url": url, "valueDate": value}
