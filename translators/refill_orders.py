"""Refill-order tracking (``rx-order-management-bff/v1/orderDetails``, §3.1) -> Task + MedicationDispense.

One mail order becomes a Task (the pharmacy's fulfilment of the order, status from ``orderStatus``,
``basedOn`` the prescriptions it refills) whose outputs are one MedicationDispense per ``rxList``
line, each pointing back at its MedicationRequest by Rx number. Payment data (``paymentInfo``,
``ccinfo`` with its payment token) and the shipping address are never translated.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from translators.dates import DateParseError, fhir_date, fhir_instant
from translators.errors import InvalidResourceError
from translators.extensions import NEXT_FILL_DATE, date_extension
from translators.ids import identifier_system, stable_id
from translators.portal import WarningLog
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.systems import NDC
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "medications"
FINAL_STATES = frozenset({"DELIVERED", "CANCELLED"})
"""Order states after which an order no longer changes (DELIVERED and CANCELLED are *inferred* values)."""
_TASK_STATUS = {
    "INPROGRESS": "in-progress",
    "SHIPPED": "in-progress",
    "DELIVERED": "completed",
    "CANCELLED": "cancelled",
}
_DISPENSE_STATUS = {"INPROGRESS": "preparation", "SHIPPED": "in-progress", "DELIVERED": "completed"}


def task_id(order_number: str) -> str:
    return stable_id(SURFACE, f"refill-order:{order_number}")


def translate_refill_order(order: Mapping[str, Any], ctx: TranslationContext) -> TranslationResult:
    """A Task plus one MedicationDispense per Rx line; an order without a number yields only a warning."""
    result = TranslationResult()
    log = WarningLog(SURFACE, "orderDetails", result.warnings)
    number = str(order.get("orderNumber") or "").strip()
    if not number:
        log.warn("orderNumber", "no order number; order skipped")
        return result
    state = str(order.get("orderStatus") or "").upper()
    status = _TASK_STATUS.get(state)
    if status is None:
        log.warn("orderStatus", f"unmapped order status {state!r}; status set to requested")
        status = "requested"
    placed = _instant(order.get("orderPlacedDate"), "orderPlacedDate", log)
    dispenses = []
    for index, line in enumerate(order.get("rxList") or []):
        if isinstance(line, Mapping):
            dispense = _dispense(number, index, line, state, ctx, log)
            if dispense is not None:
                dispenses.append(dispense)
    task: FhirJson = {
        "resourceType": "Task",
        "id": task_id(number),
        "meta": meta(SURFACE),
        "identifier": [{"system": identifier_system(ctx.region, "refill-order"), "value": number}],
        "basedOn": _prescriptions(dispenses) or None,
        "status": status,
        "businessStatus": {
            "coding": [{"system": identifier_system(ctx.region, "refill-order-status"), "code": state}]
            if state
            else None,
            "text": str(order.get("digitalStatus") or state or "unknown"),
        },
        "intent": "order",
        "code": {"text": "Mail-order prescription refill"},
        "for": patient_reference(ctx.patient_id),
        "requester": _placer(order.get("placerName"), ctx),
        "authoredOn": placed,
        "lastModified": _instant(order.get("orderComittedDate"), "orderComittedDate", log),  # sic, as Kaiser spells it
        "output": [
            {"type": {"text": "dispense"}, "valueReference": {"reference": f"MedicationDispense/{d['id']}"}}
            for d in dispenses
        ],
    }
    try:
        result.resources.append(validated(pruned(task)))
    except InvalidResourceError as error:
        log.warn("Task", f"order skipped: {error}")
        return result
    result.resources.extend(dispenses)
    return result


def _dispense(
    number: str, index: int, line: Mapping[str, Any], state: str, ctx: TranslationContext, log: WarningLog
) -> FhirJson | None:
    rx_number = str(line.get("rxNumber") or "").strip()
    tracking = str(line.get("trackingId") or "").strip()
    ndc = str(line.get("drugNdc") or "").strip()
    name = str(line.get("drugName") or "").strip()
    quantity = line.get("quantity")
    dispense: FhirJson = {
        "resourceType": "MedicationDispense",
        "id": stable_id(SURFACE, f"refill-order:{number}:{rx_number or index}"),
        "meta": meta(SURFACE),
        "extension": [_next_fill(line.get("nextFillDate"), index, log)],
        "identifier": [{"system": identifier_system(ctx.region, "shipment-tracking"), "value": tracking}]
        if tracking
        else None,
        "status": _DISPENSE_STATUS.get(str(line.get("rxStatus") or state).upper(), "unknown"),
        "medicationCodeableConcept": {
            "coding": [{"system": NDC, "code": ndc}] if len(ndc) == 11 and ndc.isdigit() else None,
            "text": name or None,
        },
        "subject": patient_reference(ctx.patient_id),
        "authorizingPrescription": [
            {
                "reference": f"MedicationRequest/{stable_id(SURFACE, f'medreq:{rx_number}')}",
                "identifier": {"system": identifier_system(ctx.region, "rx-number"), "value": rx_number},
            }
        ]
        if rx_number
        else None,
        "quantity": {"value": quantity}
        if isinstance(quantity, int | float) and not isinstance(quantity, bool)
        else None,
    }
    try:
        return validated(pruned(dispense))
    except InvalidResourceError as error:
        log.warn(f"rxList[{index}]", f"line skipped: {error}")
        return None


def _prescriptions(dispenses: list[FhirJson]) -> list[FhirJson]:
    """The prescriptions the order refills, once each, so ``Task?based-on=MedicationRequest/…`` finds it."""
    references = dict.fromkeys(r["reference"] for d in dispenses for r in d.get("authorizingPrescription") or [])
    return [{"reference": reference} for reference in references]


def _placer(name: object, ctx: TranslationContext) -> FhirJson | None:
    """Who placed the order: the member (the portal gives only the name, the account is the patient's)."""
    text = str(name or "").strip()
    return {**patient_reference(ctx.patient_id), "display": text} if text else None


def _next_fill(value: object, index: int, log: WarningLog) -> FhirJson | None:
    try:
        return date_extension(NEXT_FILL_DATE, fhir_date(value))
    except DateParseError as error:
        log.warn(f"rxList[{index}].nextFillDate", f"{error}; omitted")
        return None


def _instant(value: object, field: str, log: WarningLog) -> str | None:
    try:
        return fhir_instant(value)
    except DateParseError as error:
        log.warn(field, f"{error}; omitted")
        return None
