"""Test results (``api/test-results/GetList`` + ``GetDetails``) -> DiagnosticReport + Observations.

One order (a ``newResults`` entry, its ``GetDetails`` response, and optionally its encounter-level
``newResultGroups`` entry) becomes one DiagnosticReport and one Observation per result component. Only
``results[0]`` of a detail is translated (Kaiser sends one; more are reported as a warning).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from translators import us_core
from translators.dates import DateParseError, fhir_instant, local_display_datetime
from translators.errors import InvalidResourceError
from translators.html_content import attachment, plain_text
from translators.ids import identifier_system, stable_id
from translators.lab_codes import component_code
from translators.lab_loinc import find_loinc, loinc_coding
from translators.lab_values import interpretation, observation_value, reference_range
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.systems import DIAGNOSTIC_SERVICE_SECTION, OBSERVATION_CATEGORY, data_absent_unknown
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "test-results"

REPORT_STATUSES = {"final": "final", "preliminary": "preliminary", "corrected": "corrected"}
"""Kaiser ``resultStatus`` (lower-cased) -> DiagnosticReport/Observation status; anything else is ``unknown``."""

_STATUSES_NEEDING_TIMES = frozenset({"partial", "preliminary", "final", "amended", "corrected", "appended"})

_REPORT_CATEGORIES: dict[str, dict[str, Any]] = {
    "LAB": {"coding": [{"system": DIAGNOSTIC_SERVICE_SECTION, "code": "LAB", "display": "Laboratory"}]},
    # Kaiser's IMAGING also holds ECGs and device checks; v2-0074 RAD is the closest service section.
    "IMAGING": {"coding": [{"system": DIAGNOSTIC_SERVICE_SECTION, "code": "RAD", "display": "Radiology"}]},
    "OTHER": {"text": "Other"},  # pathology, transcriptions: no single v2-0074 section fits
}
_OBSERVATION_CATEGORIES: dict[str, dict[str, Any]] = {
    "LAB": {"coding": [{"system": OBSERVATION_CATEGORY, "code": "laboratory", "display": "Laboratory"}]},
    "IMAGING": {"coding": [{"system": OBSERVATION_CATEGORY, "code": "imaging", "display": "Imaging"}]},
}


@dataclass(frozen=True)
class _Report:
    """What every resource of one order shares."""

    order_key: str
    result_type: str | None
    status: str
    effective: str | None
    issued: str | None
    patient: dict[str, str]
    region: str
    specimen: str | None
    """``specimensDisplay`` ("Blood"): only a display, so it is a display-only Reference (no Specimen resource)."""
    order_name: str | None = None
    """The order (panel) name, one of the keys of the lab LOINC map."""


def translate_lab_result(
    list_entry: Mapping[str, Any],
    detail: Mapping[str, Any],
    ctx: TranslationContext,
    *,
    group: Mapping[str, Any] | None = None,
) -> TranslationResult:
    """One DiagnosticReport plus one Observation per component; an untranslatable order yields only warnings.

    ``list_entry`` is the value of ``newResults["<orderKey>^"]``; ``detail`` the ``GetDetails`` body;
    ``group`` the ``newResultGroups`` entry whose ``resultList`` holds the order (its ``sortDate`` offset is
    borrowed for the zone-less collection time).
    """
    result = TranslationResult()
    log = WarningLog(SURFACE, "", result.warnings)
    entry, details = root(list_entry, log), root(detail, log)
    order_key = _order_key(entry, details)
    if order_key is None:
        log.warn("key", "no order key in the list entry or the detail; order skipped")
        return result
    log.key = order_key
    if not details.is_object():
        log.warn("detail", "detail is missing or not an object; order skipped")
        return result
    results = details.get("results")
    if not isinstance(results.value, list) or not results.value:
        log.warn("results", f"expected a non-empty list, got {results.value!r:.40}; order skipped")
        return result
    if len(results.value) > 1:
        log.warn("results", f"{len(results.value)} results; only results[0] is translated")
    first = results.items()[0]
    if not first.is_object():
        log.warn(first.path, "result is not an object; order skipped")
        return result
    report = _report_context(order_key, entry, first, root(group, log), ctx)
    report = replace(report, order_name=_first_text(details.get("orderName"), first.get("name"), entry.get("name")))
    observations = _observations(report, first, log)
    result.resources.extend(observations)
    diagnostic_report = _diagnostic_report(report, entry, details, first, observations, log)
    if diagnostic_report is not None:
        result.resources.insert(0, diagnostic_report)
    return result


def _order_key(entry: PortalNode, details: PortalNode) -> str | None:
    for node in (entry.get("key"), details.get("key"), details.get("results").first_item().get("key")):
        key = node.key_text()
        if key:
            return key.rstrip("^") or None  # the caret belongs to newResults' keys, never to the order key
    return None


def _first_text(*nodes: PortalNode) -> str | None:
    for node in nodes:
        if (text := node.text()) is not None:
            return text
    return None


def _report_context(
    order_key: str, entry: PortalNode, first: PortalNode, group: PortalNode, ctx: TranslationContext
) -> _Report:
    detail_meta, list_meta = first.get("orderMetadata"), entry.get("orderMetadata")
    log = entry.log

    raw_status = _first_text(detail_meta.get("resultStatus"), list_meta.get("resultStatus"))
    status = REPORT_STATUSES.get((raw_status or "").lower())
    if status is None:
        log.warn("resultStatus", f"unmapped result status {raw_status!r}; status set to unknown")
        status = "unknown"

    result_type = _first_text(detail_meta.get("resultType"), list_meta.get("resultType"))
    result_type = result_type.upper() if result_type else None

    issued = None
    prioritized = _first_text(detail_meta.get("prioritizedInstantISO"), list_meta.get("prioritizedInstantISO"))
    try:
        issued = fhir_instant(prioritized)
    except DateParseError as error:
        log.warn("prioritizedInstantISO", f"{error}; issued omitted")

    effective = None
    collected = _first_text(
        detail_meta.get("collectionTimestampsDisplay"), list_meta.get("collectionTimestampsDisplay")
    )
    try:
        effective = local_display_datetime(collected, offset_source=group.get("sortDate").value)
    except DateParseError as error:
        log.warn("collectionTimestampsDisplay", f"{error}; effective falls back to the result instant")
    return _Report(
        order_key=order_key,
        result_type=result_type,
        status=status,
        effective=effective or issued,
        issued=issued,
        patient=patient_reference(ctx.patient_id),
        region=ctx.region,
        specimen=_first_text(detail_meta.get("specimensDisplay"), list_meta.get("specimensDisplay")),
    )


def _observations(report: _Report, first: PortalNode, log: WarningLog) -> list[FhirJson]:
    observations: list[FhirJson] = []
    used_keys: set[str] = set()
    for index, component in enumerate(first.get("resultComponents").items()):
        if not component.is_object():
            log.warn(component.path, "component is not an object; skipped")
            continue
        component_id = component.get("componentInfo").get("componentID").key_text()
        key = component_id if component_id and component_id not in used_keys else f"#{index}"
        if component_id and key != component_id:
            log.warn(component.path, f"duplicate componentID {component_id!r}; keyed by position")
        used_keys.add(key)
        observation = _observation(report, component, key, component_id)
        try:
            observations.append(validated(observation))
        except InvalidResourceError as error:
            log.warn(component.path, f"component skipped: {error}")
    return observations


def _observation(report: _Report, component: PortalNode, key: str, component_id: str | None) -> FhirJson:
    info, result_info = component.get("componentInfo"), component.get("componentResultInfo")
    unit = info.get("units").text()
    is_lab = report.result_type == "LAB"
    code = component_code(info, report.region)
    mapped = find_loinc(report.order_name, info.get("name").text(), unit, report.specimen) if is_lab else None
    if mapped is not None:
        code["coding"] = [*code.get("coding", []), loinc_coding(mapped)]
    flag = interpretation(result_info.get("abnormalFlagCategoryValue"))
    ranges = reference_range(result_info.get("referenceRange"), unit)
    comment = component.get("componentComments").get("contentAsHtml").text()
    note_text = plain_text(comment) if comment else ""
    observation: FhirJson = {
        "resourceType": "Observation",
        "id": stable_id(SURFACE, f"obs:{report.order_key}:{key}"),
        # US Core lab results are LOINC-coded (extensible binding): claimed only when the map gave one
        "meta": meta(SURFACE, us_core.OBSERVATION_LAB if mapped is not None else None),
        "identifier": [{"system": identifier_system(report.region, "component-id"), "value": component_id}]
        if component_id
        else None,
        "status": report.status,
        "category": [_OBSERVATION_CATEGORIES[report.result_type]]
        if report.result_type in _OBSERVATION_CATEGORIES
        else None,
        "code": code,
        "subject": report.patient,
        "effectiveDateTime": report.effective,
        "issued": report.issued,
        **observation_value(result_info, unit),
        "interpretation": [flag] if flag else None,
        "note": [{"text": note_text}] if note_text else None,
        "specimen": {"display": report.specimen} if report.specimen else None,
        "referenceRange": [ranges] if ranges else None,
    }
    return dict(pruned(observation))


def _diagnostic_report(
    report: _Report,
    entry: PortalNode,
    details: PortalNode,
    first: PortalNode,
    observations: list[FhirJson],
    log: WarningLog,
) -> FhirJson | None:
    detail_meta, list_meta = first.get("orderMetadata"), entry.get("orderMetadata")
    name = _first_text(details.get("orderName"), first.get("name"), entry.get("name"))
    category = _report_category(report.result_type, log)
    performer = _first_text(
        detail_meta.get("authorizingProviderName"),
        list_meta.get("authorizingProviderName"),
        detail_meta.get("orderProviderName"),
        list_meta.get("orderProviderName"),
    )
    claims_lab = report.result_type == "LAB" and (
        report.status not in _STATUSES_NEEDING_TIMES or (report.effective is not None and report.issued is not None)
    )
    diagnostic_report: FhirJson = {
        "resourceType": "DiagnosticReport",
        "id": stable_id(SURFACE, f"dr:{report.order_key}"),
        "meta": meta(SURFACE, us_core.DIAGNOSTIC_REPORT_LAB if claims_lab else None),
        "identifier": [{"system": identifier_system(report.region, "order-key"), "value": report.order_key}],
        "status": report.status,
        "category": [category] if category else None,
        "code": {"text": name} if name else data_absent_unknown(),
        "subject": report.patient,
        "effectiveDateTime": report.effective,
        "issued": report.issued,
        "performer": [{"display": performer}] if performer else None,
        "specimen": [{"display": report.specimen}] if report.specimen else None,
        "result": [{"reference": f"Observation/{observation['id']}"} for observation in observations],
        "conclusion": _conclusion(first),
        "presentedForm": _presented_forms(first),
    }
    try:
        return validated(pruned(diagnostic_report))
    except InvalidResourceError as error:
        log.warn("DiagnosticReport", f"report skipped: {error}")
        return None


def _report_category(result_type: str | None, log: WarningLog) -> dict[str, Any] | None:
    if result_type is None:
        log.warn("resultType", "no result type; category omitted")
        return None
    category = _REPORT_CATEGORIES.get(result_type)
    if category is None:
        log.warn("resultType", f"unknown result type {result_type!r}; kept as category text")
        return {"text": result_type}
    return category


def _conclusion(first: PortalNode) -> str | None:
    """The imaging impression, then the clinicians' comments to the patient (R4 DiagnosticReport has no note)."""
    parts: list[str] = []
    impression = first.get("studyResult").get("impression").text()
    if impression:
        parts.append(plain_text(impression))
    for comment in first.get("providerComments").items():
        html = comment.get("contentAsHtml").text()
        if html:
            parts.append(plain_text(html))
    text = "\n\n".join(part for part in parts if part)
    return text or None


def _presented_forms(first: PortalNode) -> list[dict[str, Any]]:
    forms: list[dict[str, Any]] = []
    narrative = first.get("studyResult").get("narrative").text()
    if narrative:
        forms.append(attachment(narrative, title="Narrative"))
    note = first.get("resultNote")
    note_body = _first_text(note.get("contentAsHtml"), note.get("contentAsString"))
    if note_body:
        forms.append(attachment(note_body, title="Result note"))
    return forms
