"""Allergies (``Clinical/Allergies/LoadListData``) -> AllergyIntolerance, with "no known allergies" done right.

- ``DataList: []`` with ``AllergiesStatus: 0`` is the captured "no known allergies" state: one
  AllergyIntolerance coded SNOMED 716186003 (confirmed, active), as US Core prescribes.
- An empty list with any other (or no) status is "unknown": nothing is emitted, with a warning; it is
  never turned into "no known allergies".
- *Inferred* item shape (never captured): like a problem (``LocalItem``/``AllergyItem`` wrapper, or flat)
  with ``Name``, ``ID``, ``FormattedDateNoted``, ``Action``, ``Comments``; ``Reactions`` as catalog
  ``Value`` strings, objects with ``Title``/``Value``, or plain titles; ``Severity`` as Low/Medium/High or
  mild/moderate/severe. Every guessed field has a fallback and a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from translators.errors import InvalidResourceError
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode, WarningLog, root
from translators.problems import active_action, date_noted, list_item
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "allergies"
US_CORE_ALLERGY = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-allergyintolerance"
CLINICAL = "http://terminology.hl7.org/CodeSystem/allergyintolerance-clinical"
VERIFICATION = "http://terminology.hl7.org/CodeSystem/allergyintolerance-verification"
SNOMED = "http://snomed.info/sct"
NO_KNOWN_ALLERGY = {"system": SNOMED, "code": "716186003", "display": "No known allergy"}
NO_KNOWN_ALLERGIES_STATUS = 0
SEVERITIES = {"low": "mild", "mild": "mild", "medium": "moderate", "moderate": "moderate"}
SEVERITIES |= {"high": "severe", "severe": "severe"}


def translate_allergy_list(body: Mapping[str, Any], ctx: TranslationContext) -> TranslationResult:
    result = TranslationResult()
    log = WarningLog(SURFACE, "", result.warnings)
    payload = root(body, log)
    entries = payload.get("DataList").items()
    if not entries:
        status = payload.get("AllergiesStatus").integer()
        if status == NO_KNOWN_ALLERGIES_STATUS:
            result.resources.append(validated(_no_known_allergies(ctx)))
        else:
            log.warn("AllergiesStatus", f"empty list with status {status!r}: allergy status unknown; nothing emitted")
        return result
    catalog = _reaction_catalog(payload.get("ReactionList"))
    for entry in entries:
        item = list_item(entry, "LocalItem", "AllergyItem")
        allergy_id = item.get("ID").key_text()
        item_log = log.for_key(allergy_id or entry.path)
        name = item.get("Name").text()
        if allergy_id is None or name is None:
            item_log.warn("ID" if allergy_id is None else "Name", "allergy has no ID or no name; skipped")
            continue
        if not active_action(item, item_log):
            continue
        try:
            result.resources.append(validated(_allergy(item, allergy_id, name, catalog, ctx, item_log)))
        except InvalidResourceError as error:
            item_log.warn(entry.path, f"allergy skipped: {error}")
    return result


def _status(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": system, "code": code, "display": code.capitalize()}]}


def _no_known_allergies(ctx: TranslationContext) -> FhirJson:
    return {
        "resourceType": "AllergyIntolerance",
        "id": stable_id(SURFACE, "no-known-allergies"),
        "meta": meta(SURFACE, US_CORE_ALLERGY),
        "clinicalStatus": _status(CLINICAL, "active"),
        "verificationStatus": _status(VERIFICATION, "confirmed"),
        "code": {"coding": [NO_KNOWN_ALLERGY], "text": "No known allergies"},
        "patient": patient_reference(ctx.patient_id),
    }


def _reaction_catalog(reactions: PortalNode) -> dict[str, str]:
    catalog: dict[str, str] = {}
    for reaction in reactions.items():
        value, title = reaction.get("Value").key_text(), reaction.get("Title").text()
        if value and title:
            catalog[value] = title
    return catalog


def _manifestations(item: PortalNode, catalog: Mapping[str, str], log: WarningLog) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for reaction in item.get("Reactions").items():
        if reaction.is_object():
            value = reaction.get("Value").key_text()
            title = reaction.get("Title").text() or catalog.get(value or "")
        else:
            value = reaction.key_text()
            title = catalog.get(value or "", value)  # a value outside the catalog is taken as the title itself
        if title:
            found.append({"text": title})
        else:
            log.warn(reaction.path, "reaction without a title; dropped")
    return found


def _allergy(
    item: PortalNode, allergy_id: str, name: str, catalog: Mapping[str, str], ctx: TranslationContext, log: WarningLog
) -> FhirJson:
    manifestations = _manifestations(item, catalog, log)
    raw_severity = item.get("Severity").text()
    severity = SEVERITIES.get((raw_severity or "").lower())
    if raw_severity and severity is None:
        log.warn("Severity", f"unmapped severity {raw_severity!r}; omitted")
    if severity and not manifestations:
        log.warn("Severity", "severity given without reactions; FHIR keeps severity only on a reaction, omitted")
    comment = item.get("Comments").text()
    allergy: FhirJson = {
        "resourceType": "AllergyIntolerance",
        "id": stable_id(SURFACE, f"allergy:{allergy_id}"),
        "meta": meta(SURFACE, US_CORE_ALLERGY),
        "identifier": [{"system": identifier_system(ctx.region, "allergy-id"), "value": allergy_id}],
        "clinicalStatus": _status(CLINICAL, "active"),
        "verificationStatus": _status(VERIFICATION, "confirmed"),
        "code": {"text": name},
        "patient": patient_reference(ctx.patient_id),
        "recordedDate": date_noted(item, log),
        "note": [{"text": comment}] if comment else None,
        "reaction": [{"manifestation": manifestations, "severity": severity}] if manifestations else None,
    }
    result: FhirJson = pruned(allergy)
    return result
