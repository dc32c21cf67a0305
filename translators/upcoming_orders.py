"""Upcoming orders (``GetUpcomingOrders``) -> ServiceRequest (status active, intent order).

Per ``orderList`` entry: ``code`` text = ``name`` (no code is exposed); ``authoredOn`` = ``orderedDateISO``;
``occurrencePeriod`` from the expected date (or the group's due date) to the expiry (``expiredDateISO``,
else ``actionableDateISO`` when ``actionableDateType`` is "expire"); ``requester`` = the group's
provider by name; ``patientInstruction`` = the ``instructions`` HTML as plain text; ``comments``,
``expectedDateComment``, the standing-order facts and the ordering visit (name, date) and due date of
the group -> ``note``; the group's ``apptCSN`` -> ``supportingInfo`` Appointment. ``...ISO`` dates are
plain ``YYYY-MM-DD`` or ``""``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from translators.dates import DateParseError, fhir_date
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


def _date(node: PortalNode) -> str | None:
    try:
        return fhir_date(node.value)
    except DateParseError as error:
        node.log.warn(node.path, f"{error}; omitted")
        return None


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
    if last := _date(order.get("lastPerformedDateISO")):
        texts.append(f"Last performed: {last}")
    return texts


def _group_notes(group: PortalNode) -> list[str]:
    texts = []
    visit, ordered_at = group.get("visitName").text(), _date(group.get("encDateISO"))
    if visit or ordered_at:
        texts.append("Ordered at " + " on ".join(part for part in (visit or "a visit", ordered_at) if part))
    if due := _date(group.get("dueDateISO")):
        texts.append(f"Due by {due}")
    return texts


def _service_request(
    order: PortalNode, order_id: str, group: PortalNode, providers: PortalNode, ctx: TranslationContext
) -> FhirJson:
    name = order.get("name").text()
    expires = _date(order.get("expiredDateISO"))
    if expires is None and order.get("actionableDateType").text() == "expire":
        expires = _date(order.get("actionableDateISO"))
    start = _date(order.get("expectedDateISO")) or _date(group.get("dueDateISO"))
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
        "occurrencePeriod": {"start": start, "end": expires},
        "asNeededBoolean": order.get("isPRN").boolean(),
        "authoredOn": _date(order.get("orderedDateISO")),
        "requester": {"display": requester} if requester else None,
        "supportingInfo": [{"reference": f"Appointment/{appointment_id(appointment)}"}] if appointment else None,
        "note": [{"text": text} for text in _notes(order) + _group_notes(group)],
        "patientInstruction": (plain_text(instructions) or None) if instructions else None,
    }
    result: FhirJson = pruned(request)
    return result
