"""Past visits (``Visits/VisitsList/LoadPast`` pages) -> Encounter (+ Location, Practitioner; Appointment for no-shows).

- ``status``: ``finished``; ``cancelled`` when ``IsCanceled``, ``IsNoShow`` or ``LeftWithoutSeen``
  (R4 Encounter has no no-show status: a no-show also yields an Appointment with status ``noshow``, and
  the two flags are kept as extensions).
- ``class``: ``VR`` (virtual) when ``Telemedicine`` or ``EVisit`` is non-null, else ``AMB``;
  ``IsInHomeVisit`` marks mailed refills and is *not* home health.
- Refill pseudo-visits are kept (type "Refill", date-only period) so no event the portal lists is lost.
- ``period.start`` is the visit's instant at its local offset (``PrimaryDate``), so an evening visit
  keeps its day, or the displayed date alone for visits without a time.
- ``serviceProvider`` is the visit's organization (``List.<org>.Organization``: id and name, e.g. a Kaiser
  region) as its own Organization; when the portal names none, the Kaiser Organization the profile surface
  emits.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from translators.appointments import translate_visit_appointment
from translators.errors import InvalidResourceError
from translators.extensions import boolean_extension
from translators.organizations import kaiser_organization_id, visit_organization
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.systems import data_absent_unknown
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated
from translators.visit_context import (
    SURFACE,
    VIRTUAL_VISIT,
    PortalVisit,
    csn_identifier,
    deduplicated,
    encounter_id,
    read_visit,
    reference,
)

US_CORE_ENCOUNTER = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-encounter"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
PARTICIPATION_TYPE = "http://terminology.hl7.org/CodeSystem/v3-ParticipationType"
NO_SHOW = "urn:fhirgate:kaiser:extension:no-show"
"""Encounter: the portal's ``IsNoShow`` (the patient did not come)."""
LEFT_WITHOUT_BEING_SEEN = "urn:fhirgate:kaiser:extension:left-without-being-seen"
"""Encounter: the portal's ``LeftWithoutSeen``."""
_CLASSES = {
    "AMB": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
    "VR": {"system": ACT_CODE, "code": "VR", "display": "virtual"},
}


def translate_past_visits(
    visits: Sequence[Mapping[str, Any]],
    ctx: TranslationContext,
    *,
    organizations: Sequence[Mapping[str, Any] | None] | None = None,
) -> TranslationResult:
    """One Encounter per past visit object (the ``List.<org>.List`` elements of every LoadPast page).

    ``organizations[i]`` is the ``Organization`` object of the ``List`` entry that ``visits[i]`` came from.
    """
    result = TranslationResult()
    log = WarningLog(SURFACE, "", result.warnings)
    if not isinstance(visits, list | tuple):
        log.warn("List", f"expected a list of visits, got {type(visits).__name__}; nothing translated")
        return result
    for index, raw in enumerate(visits):
        visit = root(raw, log)
        visit.path = f"List[{index}]"
        organization = organizations[index] if organizations is not None and index < len(organizations) else None
        _translate_visit(visit, root(organization, log), ctx, result)
    result.resources = deduplicated(result.resources)
    return result


def _translate_visit(
    visit: PortalNode, organization: PortalNode, ctx: TranslationContext, result: TranslationResult
) -> None:
    parsed = read_visit(visit, ctx.region, result.warnings, "past visit")
    if parsed is None:
        return
    organization.log = parsed.log
    provider = _service_provider(organization, ctx, parsed.log)
    try:
        encounter = validated(_encounter(parsed, provider, ctx))
    except InvalidResourceError as error:
        parsed.log.warn(visit.path, f"encounter skipped: {error}")
        return
    result.resources.extend(
        resource for resource in (parsed.practitioner, parsed.location, provider) if resource is not None
    )
    result.resources.append(encounter)
    if visit.get("IsNoShow").boolean():
        translate_visit_appointment(visit, "noshow", ctx, result)


def _status(visit: PortalNode) -> str:
    flags = ("IsCanceled", "IsNoShow", "LeftWithoutSeen")
    return "cancelled" if any(visit.get(flag).boolean() for flag in flags) else "finished"


def _service_provider(organization: PortalNode, ctx: TranslationContext, log: WarningLog) -> FhirJson | None:
    built = visit_organization(organization, ctx.region)
    if built is None:
        return None
    try:
        return validated(built)
    except InvalidResourceError as error:
        log.warn("Organization", f"visit organization skipped: {error}")
        return None


def _encounter(visit: PortalVisit, provider: FhirJson | None, ctx: TranslationContext) -> FhirJson:
    node, when, who, where = visit.node, visit.when, visit.practitioner, visit.location
    encounter: FhirJson = {
        "resourceType": "Encounter",
        "id": encounter_id(visit.csn),
        "meta": meta(SURFACE, US_CORE_ENCOUNTER),
        "extension": [
            boolean_extension(VIRTUAL_VISIT, True) if visit.virtual else None,
            boolean_extension(NO_SHOW, True) if node.get("IsNoShow").boolean() else None,
            boolean_extension(LEFT_WITHOUT_BEING_SEEN, True) if node.get("LeftWithoutSeen").boolean() else None,
        ],
        "identifier": csn_identifier(visit.csn, ctx.region),
        "status": _status(node),
        "class": _CLASSES["VR" if visit.virtual else "AMB"],
        "type": [{"text": visit.visit_type} if visit.visit_type else data_absent_unknown()],
        "serviceType": {"text": visit.specialty} if visit.specialty else None,
        "subject": patient_reference(ctx.patient_id),
        "participant": [
            {
                "type": [{"coding": [{"system": PARTICIPATION_TYPE, "code": "PPRF", "display": "primary performer"}]}],
                "individual": reference(who),
            }
        ]
        if who
        else None,
        "period": {"start": when.date_only or when.instant} if (when.date_only or when.instant) else None,
        "location": [{"location": reference(where)}] if where else None,
        "serviceProvider": reference(provider)
        if provider
        else {"reference": f"Organization/{kaiser_organization_id()}"},
    }
    built: FhirJson = pruned(encounter)
    return built
