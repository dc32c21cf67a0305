"""Problem list (``Clinical/HealthIssues/LoadListData``) -> Condition (category ``problem-list-item``).

The portal gives a patient-friendly name and a date noted, nothing more: ``code`` is text only (no
ICD-10/SNOMED is ever invented), ``recordedDate`` comes from the unpadded ``M/D/YYYY``, ``Action == 0``
is the only value seen and means active. Any other ``Action`` has no known meaning and Condition has no
"unknown" clinical status, so such an item is skipped with a warning.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from translators.dates import DateParseError, fhir_date
from translators.errors import InvalidResourceError
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "problems"
US_CORE_CONDITION_PROBLEMS = (
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-condition-problems-health-concerns"
)
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"


def list_item(entry: PortalNode, *wrappers: str) -> PortalNode:
    """The first wrapper that is an object (``LocalItem`` before its twin), else the entry itself."""
    for name in wrappers:
        node = entry.get(name)
        if node.is_object():
            return node
    return entry


def date_noted(item: PortalNode, log: WarningLog) -> str | None:
    try:
        return fhir_date(item.get("FormattedDateNoted").value)
    except DateParseError as error:
        log.warn("FormattedDateNoted", f"{error}; recordedDate omitted")
        return None


def active_action(item: PortalNode, log: WarningLog) -> bool:
    """True for ``Action == 0`` (or absent); otherwise warns: no other value was ever seen."""
    action = item.get("Action").integer()
    if action in (0, None):
        return True
    log.warn("Action", f"unknown Action {action!r}: no clinical status can be derived; item skipped")
    return False


def translate_problem_list(body: Mapping[str, Any], ctx: TranslationContext) -> TranslationResult:
    """One Condition per ``DataList`` entry; entries without an ``ID`` or ``Name`` are skipped with a warning."""
    result = TranslationResult()
    log = WarningLog(SURFACE, "", result.warnings)
    for entry in root(body, log).get("DataList").items():
        item = list_item(entry, "LocalItem", "HealthIssueItem")
        issue_id = item.get("ID").key_text()
        item_log = log.for_key(issue_id or entry.path)
        condition = _condition(item, issue_id, ctx, item_log)
        if condition is None:
            continue
        try:
            result.resources.append(validated(condition))
        except InvalidResourceError as error:
            item_log.warn(entry.path, f"problem skipped: {error}")
    return result


def _condition(item: PortalNode, issue_id: str | None, ctx: TranslationContext, log: WarningLog) -> FhirJson | None:
    name = item.get("Name").text()
    if issue_id is None or name is None:
        log.warn("ID" if issue_id is None else "Name", "problem has no ID or no name; skipped")
        return None
    if not active_action(item, log):
        return None
    comment = item.get("Comments").text()
    condition: FhirJson = {
        "resourceType": "Condition",
        "id": stable_id(SURFACE, f"condition:{issue_id}"),
        "meta": meta(SURFACE, US_CORE_CONDITION_PROBLEMS),
        "identifier": [{"system": identifier_system(ctx.region, "health-issue-id"), "value": issue_id}],
        "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active", "display": "Active"}]},
        # Assumed: the problem list shows only confirmed problems (KAISER_API.md §5).
        "verificationStatus": {
            "coding": [{"system": CONDITION_VERIFICATION, "code": "confirmed", "display": "Confirmed"}]
        },
        "category": [
            {"coding": [{"system": CONDITION_CATEGORY, "code": "problem-list-item", "display": "Problem List Item"}]}
        ],
        "code": {"text": name},
        "subject": patient_reference(ctx.patient_id),
        "recordedDate": date_noted(item, log),
        "note": [{"text": comment}] if comment else None,
    }
    result: FhirJson = pruned(condition)
    return result
