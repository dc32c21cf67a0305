"""Implants (``api/implants/GetImplants``) -> Device (+ Procedure for the implant and the explant).

- Device: ``udi`` -> ``udiCarrier.carrierHRF``, ``sdi`` -> ``deviceIdentifier`` (or the ``(01)`` GTIN read
  from the HRF when ``sdi`` is empty); no ``udiCarrier`` at all for older devices with neither;
  ``status`` Implanted -> active, Explanted -> inactive; ``type`` text only.
- Procedures: dates are display text ("January 3, 2024") despite the field name ``isoDate``; an
  implant without a date is ``unknown`` (US Core requires ``performed`` for completed procedures); an
  all-empty ``explantProcedure`` means never explanted. Body area and laterality go to ``bodySite``
  text (R4 Device has no body site).
- A device listed twice (curated UDI record and raw feed record) stays two Devices, as the portal shows it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from translators.dates import DateParseError, fhir_date
from translators.errors import InvalidResourceError
from translators.extensions import string_extension
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.systems import data_absent_unknown
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "implants"
US_CORE_IMPLANTABLE_DEVICE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-implantable-device"
US_CORE_PROCEDURE = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-procedure"
DEVICE_COUNT = "urn:fhirgate:kaiser:extension:device-count"
"""Procedure: the portal's ``deviceCount`` (a string) for this implant/explant procedure."""
DEVICE_STATUSES = {"implanted": "active", "explanted": "inactive"}
_GTIN = re.compile(r"\(01\)(\d{14})")
_PROCEDURES = (
    ("implantProcedure", "implant", "Implantation of device", "Implanted"),
    ("explantProcedure", "explant", "Removal of device", "Removed"),
)


def translate_implants(body: Mapping[str, Any], ctx: TranslationContext) -> TranslationResult:
    result = TranslationResult()
    log = WarningLog(SURFACE, "", result.warnings)
    implants = root(body, log).get("implantList")
    if not isinstance(implants.value, Mapping):
        log.warn("implantList", "no implantList object; nothing translated")
        return result
    for list_key in list(implants.value):
        device_node = implants.get(str(list_key))
        device_key = device_node.get("id").key_text() or str(list_key)
        item_log = log.for_key(device_key)
        device_node.log = item_log
        if not device_node.is_object():
            item_log.warn(device_node.path, "implant is not an object; skipped")
            continue
        try:
            device = validated(_device(device_node, device_key, ctx, item_log))
        except InvalidResourceError as error:
            item_log.warn(device_node.path, f"device skipped: {error}")
            continue
        result.resources.append(device)
        for field, kind, code, action in _PROCEDURES:
            procedure = _procedure(device_node, device, field, kind, code, action, ctx)
            if procedure is None:
                continue
            try:
                result.resources.append(validated(procedure))
            except InvalidResourceError as error:
                item_log.warn(field, f"procedure skipped: {error}")
    return result


def _udi_carrier(device: PortalNode) -> dict[str, str] | None:
    hrf, sdi = device.get("udi").text(), device.get("sdi").text()
    if sdi is None and hrf is not None and (match := _GTIN.search(hrf)):
        sdi = match[1]
    if sdi is None:
        return None  # US Core: a udiCarrier must have its device identifier
    return {"deviceIdentifier": sdi, "carrierHRF": hrf} if hrf else {"deviceIdentifier": sdi}


def _device(device: PortalNode, key: str, ctx: TranslationContext, log: WarningLog) -> FhirJson:
    raw_status = device.get("status").text()
    status = DEVICE_STATUSES.get((raw_status or "").lower())
    if status is None and device.get("isExplant").boolean() is True:
        status = "inactive"
    if raw_status and status is None:
        log.warn("status", f"unmapped implant status {raw_status!r}; status omitted")
    name, kind = device.get("name").text(), device.get("type").text()
    notes = [
        text for field in ("comments", "description") for node in device.get(field).items() if (text := node.text())
    ]
    resource: FhirJson = {
        "resourceType": "Device",
        "id": stable_id(SURFACE, f"device:{key}"),
        "meta": meta(SURFACE, US_CORE_IMPLANTABLE_DEVICE),
        "identifier": [{"system": identifier_system(ctx.region, "implant-id"), "value": key}],
        "udiCarrier": [_udi_carrier(device)],
        "status": status,
        "manufacturer": device.get("manufacturer").text(),
        "lotNumber": device.get("lot").text(),
        "serialNumber": device.get("serial").text(),
        "deviceName": [{"name": name, "type": "user-friendly-name"}] if name else None,
        "modelNumber": device.get("model").text(),
        "type": {"text": kind} if kind else data_absent_unknown(),
        "patient": patient_reference(ctx.patient_id),
        "note": [{"text": text} for text in notes],
    }
    built: FhirJson = pruned(resource)
    return built


def _procedure(
    device: PortalNode, built: FhirJson, field: str, kind: str, code: str, action: str, ctx: TranslationContext
) -> FhirJson | None:
    procedure = device.get(field)
    facts = {name: procedure.get(name).key_text() for name in ("isoDate", "deviceCount", "provider", "facility")}
    if not any(facts.values()):
        return None
    performed = None
    try:
        performed = fhir_date(facts["isoDate"])
    except DateParseError as error:
        device.log.warn(f"{field}.isoDate", f"{error}; procedure status unknown")
    site = " ".join(part for part in (device.get("laterality").text(), device.get("area").text()) if part)
    resource: FhirJson = {
        "resourceType": "Procedure",
        "id": stable_id(SURFACE, f"{kind}:{built['identifier'][0]['value']}"),
        "meta": meta(SURFACE, US_CORE_PROCEDURE),
        "extension": [string_extension(DEVICE_COUNT, facts["deviceCount"])],
        "status": "completed" if performed else "unknown",
        "code": {"text": code},
        "subject": patient_reference(ctx.patient_id),
        "performedDateTime": performed,
        "performer": [{"actor": {"display": facts["provider"]}}] if facts["provider"] else None,
        "location": {"display": facts["facility"]} if facts["facility"] else None,
        "bodySite": [{"text": site}] if site else None,
        "focalDevice": [{"action": {"text": action}, "manipulated": {"reference": f"Device/{built['id']}"}}],
    }
    result: FhirJson = pruned(resource)
    return result
