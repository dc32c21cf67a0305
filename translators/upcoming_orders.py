"""Upcoming orders (``GetUpcomingOrders``) -> ServiceRequest (status active, intent order).

Per ``orderList`` entry: ``code`` text = ``name`` (no code is exposed); ``authoredOn`` = ``orderedDateISO``;
``occurrencePeriod`` from the expected date (or the group's due date) to the expiry (``expiredDateISO``,
else ``actionableDateISO`` when ``actionableDateType`` is "expire"); a standing order (``isStanding``)
repeats, so it gets ``occurrenceTiming`` instead: that window as ``repeat.boundsPeriod``, the original number
of occurrences as ``repeat.count`` and the portal's interval ("Every 4 weeks") as ``code.text`` (parsing it
into a frequency would be a guess); ``requester`` = the group's
provider by name; ``patientInstruction`` = the ``instructions`` HTML as plain text; ``comments``,
``expectedDateComment``, the standing-order facts and the ordering visit (name, date) and due date of
the group -> ``note``; the group's ``apptCSN`` -> ``supportingInfo`` Appointment. ``...ISO`` dates are
plain ``YYYY-MM-DD`` or ``""``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from translators.errors import InvalidResourceError
from translators.html_content import plain_text
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated
from translators.visit_context import appointment_id

SURFACE = "upcoming-orders"
US_CORE_SERVICE_REQUEST = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-servicerequest"


def translate_upcoming_orders(body: Mapping[str, Any], ctx: TranslationContext) -> TranslationResult:
    result = TranslationResult()
    log = WarningLog(SURFACE, "", result.warnings)
    payload = root(body, log)
    groups = _groups_by_order(payload.get("orderGroupList"))
    providers = payload.get("providerList")
    orders = payload.get("orderList")
    if not isinstance(orders.value, Mapping):
        log.warn("orderList", "no orderList object; nothing translated")
        return result
    for key in list(orders.value):
        order = orders.get(str(key))
        order_id = order.get("id").key_text() or str(key)
        order.log = log.for_key(order_id)
        if not order.is_object():
            order.log.warn(order.path, "order is not an object; skipped")
            continue
        group = groups.get(order_id) or groups.get(str(key)) or root(None, order.log)
        try:
            result.resources.append(validated(_service_request(order, order_id, group, providers, ctx)))
        except InvalidResourceError as error:
            order.log.warn(order.path, f"order skipped: {error}")
    return result


def _groups_by_order(groups: PortalNode) -> dict[str, PortalNode]:
    found: dict[str, PortalNode] = {}
    if isinstance(groups.value, Mapping):
        for key in list(groups.value):
            group = groups.get(str(key))
            for order_id in group.get("orderIDs").items():
                if (text := order_id.key_text()) is not None:
                    found.setdefault(text, group)
    return found


def _notes(order: PortalNode) -> list[str]:
    texts = [text for node in order.get("comments").items() if (text := node.text())]
    if expected := order.get("expectedDateComment").text():
        texts.append(f"Expected date: {expected}")
    if order.get("isStanding").boolean():
        interval = order.get("orderInterval").text()
        left, total = order.get("standingOccurrences").integer(), order.get("originalStandingOccurrences").integer()
        standing = "Standing order" + (f" ({interval})" if interval else "")
        if left is not None and total is not None:
            standing += f"; {left} of {total} occurrences remain"
        texts.append(standing)
    if last := order.get("lastPerformedDateISO").date():
        texts.append(f"Last performed: {last}")
    return texts


def _group_notes(group: PortalNode) -> list[str]:
    texts = []
    visit, ordered_at = group.get("visitName").text(), group.get("encDateISO").date()
    if visit or ordered_at:
        texts.append("Ordered at " + " on ".join(part for part in (visit or "a visit", ordered_at) if part))
    if due := group.get("dueDateISO").date():
        texts.append(f"Due by {due}")
    return texts


def _occurrence(order: PortalNode, window: dict[str, str | None]) -> dict[str, Any]:
    """``occurrencePeriod`` for a one-time order; ``occurrenceTiming`` for a standing (repeating) one."""
    if not order.get("isStanding").boolean():
        return {"occurrencePeriod": window}
    total = order.get("originalStandingOccurrences").integer()
    return {
        "occurrenceTiming": {
            "repeat": {"boundsPeriod": window, "count": total if total and total > 0 else None},
            "code": {"text": order.get("orderInterval").text()},
        }
    }


def _service_request(
    order: PortalNode, order_id: str, group: PortalNode, providers: PortalNode, ctx: TranslationContext
) -> FhirJson:
    name = order.get("name").text()
    expires = order.get("expiredDateISO").date()
    if expires is None and order.get("actionableDateType").text() == "expire":
        expires = order.get("actionableDateISO").date()
    start = order.get("expectedDateISO").date() or group.get("dueDateISO").date()
    if start and expires and expires < start:
        order.log.warn("expiredDateISO", "expiry before the expected date; period end omitted")
        expires = None
    provider_id = group.get("encProviderID").key_text()
    requester = providers.get(provider_id).get("name").text() if provider_id else None
    instructions = order.get("instructions").text()
    appointment = group.get("apptCSN").key_text()
    request: FhirJson = {
        "resourceType": "ServiceRequest",
        "id": stable_id(SURFACE, f"order:{order_id}"),
        "meta": meta(SURFACE, US_CORE_SERVICE_REQUEST if name else None),
        "identifier": [{"system": identifier_system(ctx.region, "order-id"), "value": order_id}],
        "status": "active",
        "intent": "order",
        "code": {"text": name} if name else None,
        "subject": patient_reference(ctx.patient_id),
        **_occurrence(order, {"start": start, "end": expires}),
        "asNeededBoolean": order.get("isPRN").boolean(),
        "authoredOn": order.get("orderedDateISO").date(),
        "requester": {"display": requester} if requester else None,
        "supportingInfo": [{"reference": f"Appointment/{appointment_id(appointment)}"}] if appointment else None,
        "note": [{"text": text} for text in _notes(order) + _group_notes(group)],
        "patientInstruction": (plain_text(instructions) or None) if instructions else None,
    }
    result: FhirJson = pruned(request)
    return result
