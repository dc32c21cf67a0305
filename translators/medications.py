"""Medications (pharmacy BFF ``rxDetails``) -> MedicationRequest + Medication (+ MedicationDispense).

``fillable`` and ``nonFillable`` are merged (they mean "web-orderable now or not", not active vs
inactive). Per prescription: a MedicationRequest keyed by the Rx number, a Medication keyed by the last
dispensed NDC (shared by prescriptions of the same product; by name when there is no NDC), and a
MedicationDispense for the last fill when Kaiser gives a real date for it. The next planned fill
(``nextFillDate``) and the first day a refill may be dispensed (``afcInfo.nextFillEligibleDate``) are
dates no R4 element holds, so they are fhirgate extensions (see :mod:`translators.extensions`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from translators import extensions, us_core
from translators.dates import DateParseError, fhir_date
from translators.errors import InvalidResourceError
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.systems import NDC
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.units import days
from translators.validation import validated

SURFACE = "medications"

_NDC_11 = re.compile(r"\d{11}")
_SUCCESS = "000"


def translate_rx_details(raw: Mapping[str, Any], ctx: TranslationContext) -> TranslationResult:
    """Every prescription of an ``rxDetails`` response; a prescription without an Rx number is skipped."""
    result = TranslationResult()
    log = WarningLog(SURFACE, "rxDetails", result.warnings)
    payload = root(raw, log)
    status_code = payload.get("executionContext").get("statusCode").key_text()
    if status_code is not None and status_code != _SUCCESS:
        log.warn("executionContext.statusCode", f"portal reported {status_code!r}; translating what is present")
    prescriptions = payload.get("prescriptions")
    emitted_ids: set[str] = set()
    for rx in prescriptions.get("fillable").items() + prescriptions.get("nonFillable").items():
        for resource in _translate_rx(rx, ctx, log):
            if resource["id"] in emitted_ids and resource["resourceType"] == "Medication":
                continue  # one Medication per product, however many prescriptions share it
            if resource["id"] in emitted_ids:
                log.warn(rx.path, f"{resource['resourceType']} {resource['id']} repeated; first kept")
                continue
            emitted_ids.add(resource["id"])
            result.resources.append(resource)
    return result


def _translate_rx(rx: PortalNode, ctx: TranslationContext, surface_log: WarningLog) -> list[FhirJson]:
    if not rx.is_object():
        surface_log.warn(rx.path, "prescription is not an object; skipped")
        return []
    afc = rx.get("afcInfo")
    rx_number = afc.get("rxnbr").key_text()
    if rx_number is None:
        surface_log.warn(f"{rx.path}.afcInfo.rxnbr", "prescription has no Rx number; skipped")
        return []
    log = surface_log.for_key(rx_number)
    rx = PortalNode(rx.value, rx.path, log)
    afc = rx.get("afcInfo")

    medication = _medication(rx, afc, log)
    if medication is None:
        log.warn("medicineName", "no Medication could be built (no name, no NDC, or invalid); prescription skipped")
        return []
    resources = [medication]
    request = _medication_request(rx, afc, medication, rx_number, ctx, log)
    if request is not None:
        resources.append(request)
        dispense = _medication_dispense(rx, afc, medication, request, rx_number, ctx, log)
        if dispense is not None:
            resources.append(dispense)
    return resources


def _ndc(afc: PortalNode, log: WarningLog) -> str | None:
    ndc = afc.get("lastdispensedndc").text()
    if ndc is None:
        return None
    if not _NDC_11.fullmatch(ndc):
        log.warn("afcInfo.lastdispensedndc", f"{ndc!r} is not an 11-digit NDC; coding omitted")
        return None
    return ndc


def _medication(rx: PortalNode, afc: PortalNode, log: WarningLog) -> FhirJson | None:
    name = rx.get("medicineName").text()
    ndc = _ndc(afc, log)
    if ndc is not None:
        key = f"med:ndc:{ndc}"
    elif name is not None:
        key = "med:name:" + " ".join(name.upper().split())  # Kaiser's case is inconsistent between rows
    else:
        return None
    medication: FhirJson = {
        "resourceType": "Medication",
        "id": stable_id(SURFACE, key),
        "meta": meta(SURFACE, us_core.MEDICATION),
        "extension": [
            extensions.string_extension(extensions.BRAND_NAME, rx.get("commonBrandName").text()),
        ],
        "code": {
            "coding": [{"system": NDC, "code": ndc}] if ndc else None,
            "text": name,
        },
    }
    return _validated_or_warn(medication, "Medication", log)


def _medication_request(
    rx: PortalNode,
    afc: PortalNode,
    medication: FhirJson,
    rx_number: str,
    ctx: TranslationContext,
    log: WarningLog,
) -> FhirJson | None:
    prescriber = rx.get("consumerName").text()  # the prescriber, despite the field's name
    refills_remaining = rx.get("refillsRemaining").integer()
    if refills_remaining is not None and refills_remaining < 0:
        log.warn("refillsRemaining", f"negative refill count {refills_remaining}; omitted")
        refills_remaining = None
    days_supply = afc.get("dispenseddayssupply").integer()
    instructions = rx.get("consumerInstructions").text()
    as_needed = afc.get("prn").boolean()
    request: FhirJson = {
        "resourceType": "MedicationRequest",
        "id": stable_id(SURFACE, f"medreq:{rx_number}"),
        # us-core-21: an order needs a requester, so the profile is claimed only with a prescriber.
        "meta": meta(SURFACE, us_core.MEDICATION_REQUEST if prescriber else None),
        "extension": [
            extensions.boolean_extension(extensions.REFILL_ELIGIBLE, rx.get("refillEligible").boolean()),
            extensions.boolean_extension(extensions.AUTO_REFILL, rx.get("autoRefill").boolean()),
            extensions.boolean_extension(extensions.MAILABLE, rx.get("mailable").boolean()),
            extensions.date_extension(extensions.NEXT_FILL_DATE, rx.get("nextFillDate").date()),
            extensions.date_extension(extensions.NEXT_FILL_ELIGIBLE_DATE, afc.get("nextFillEligibleDate").date()),
        ],
        "identifier": [{"system": identifier_system(ctx.region, "rx-number"), "value": rx_number}],
        "status": "active",
        "intent": "order",
        "medicationReference": _reference(medication),
        "subject": patient_reference(ctx.patient_id),
        "authoredOn": _authored_on(rx, log),
        "requester": {"display": prescriber} if prescriber else None,
        "dosageInstruction": [{"text": instructions, "asNeededBoolean": as_needed}],
        "dispenseRequest": {
            # Kaiser reports refills *remaining*, not the number originally authorized.
            "numberOfRepeatsAllowed": refills_remaining,
            "expectedSupplyDuration": days(days_supply) if days_supply is not None and days_supply > 0 else None,
        },
    }
    return _validated_or_warn(request, "MedicationRequest", log)


def _authored_on(rx: PortalNode, log: WarningLog) -> str | None:
    """``prescribedOn`` (MM/DD/YYYY); ``recentRxDate`` (ISO or MM/DD/YYYY, row by row) when it is missing."""
    for field in ("prescribedOn", "recentRxDate"):
        try:
            parsed = fhir_date(rx.get(field).value)
        except DateParseError as error:
            log.warn(field, str(error))
            continue
        if parsed is not None:
            return parsed
    return None


def _medication_dispense(
    rx: PortalNode,
    afc: PortalNode,
    medication: FhirJson,
    request: FhirJson,
    rx_number: str,
    ctx: TranslationContext,
    log: WarningLog,
) -> FhirJson | None:
    handed_over = None
    for field in ("lastSoldDate", "lastRefillDate"):  # sold = picked up/shipped; refill date as fallback
        try:
            handed_over = fhir_date(rx.get(field).value)
        except DateParseError as error:
            log.warn(field, str(error))
        if handed_over is not None:
            break
    if handed_over is None:
        return None
    days_supply = afc.get("dispenseddayssupply").integer()
    dispense: FhirJson = {
        "resourceType": "MedicationDispense",
        "id": stable_id(SURFACE, f"dispense:{rx_number}:{handed_over}"),
        "meta": meta(SURFACE),
        "status": "completed",
        "medicationReference": _reference(medication),
        "subject": patient_reference(ctx.patient_id),
        "authorizingPrescription": [{"reference": f"MedicationRequest/{request['id']}"}],
        "daysSupply": days(days_supply) if days_supply is not None and days_supply > 0 else None,
        "whenHandedOver": handed_over,
    }
    return _validated_or_warn(dispense, "MedicationDispense", log)


def _reference(medication: FhirJson) -> dict[str, str]:
    reference = {"reference": f"Medication/{medication['id']}"}
    name = medication["code"].get("text")
    if name:
        reference["display"] = name
    return reference


def _validated_or_warn(resource: FhirJson, label: str, log: WarningLog) -> FhirJson | None:
    try:
        return validated(pruned(resource))
    except InvalidResourceError as error:
        log.warn(label, f"{label} skipped: {error}")
        return None
