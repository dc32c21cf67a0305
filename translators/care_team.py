"""Care team (``Clinical/CareTeam/Load`` + ``LoadExternal``) -> CareTeam, Practitioner, PractitionerRole.

Each provider becomes a Practitioner (its opaque ``ID`` kept as an identifier under our own system: the
``NationalProviderID`` field is an opaque handle, not an NPI) and a PractitionerRole (specialty, care-team
relation, department). One CareTeam lists them all; external providers are flagged on their participant.
:func:`primary_care_reference` gives the profile surface ``Patient.generalPractitioner``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from translators.errors import InvalidResourceError
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.systems import data_absent_unknown
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "care-team"
PRIMARY_CARE_RELATION = "Primary Care Provider"
US_CORE_CARE_TEAM = "http://hl7.org/fhir/us/core/StructureDefinition/us-core-careteam"
EXTERNAL_PROVIDER = "urn:fhirgate:kaiser:extension:external-provider"
"""CareTeam.participant: ``IsExternal`` - the provider is outside Kaiser Permanente."""


def practitioner_id(provider_id: str) -> str:
    """The logical id of the Practitioner for a care-team provider ``ID``."""
    return stable_id(SURFACE, f"practitioner:{provider_id}")


def primary_care_reference(load: Mapping[str, Any] | None) -> str | None:
    """``Practitioner/<id>`` of the first provider whose ``Relation`` is exactly "Primary Care Provider"."""
    log = WarningLog(SURFACE)
    for provider in root(load, log).get("ProvidersList").items():
        provider_id = provider.get("ID").key_text()
        if provider.get("Relation").value == PRIMARY_CARE_RELATION and provider_id:
            return f"Practitioner/{practitioner_id(provider_id)}"
    return None


def translate_care_team(
    load: Mapping[str, Any], ctx: TranslationContext, *, external: Mapping[str, Any] | None = None
) -> TranslationResult:
    """Practitioners and PractitionerRoles, then one CareTeam (only when at least one provider translated)."""
    result = TranslationResult()
    log = WarningLog(SURFACE, "Load", result.warnings)
    participants: list[dict[str, Any]] = []
    seen: set[str] = set()
    sources = (root(load, log), root(external, log.for_key("LoadExternal")))
    title = sources[0].get("DescriptiveTitle").text()
    for payload in sources:
        for index, provider in enumerate(payload.get("ProvidersList").items()):
            provider_id = provider.get("ID").key_text()
            if provider_id is None:
                payload.log.warn(f"ProvidersList[{index}].ID", "provider has no ID; skipped")
                continue
            if provider_id in seen:
                continue
            seen.add(provider_id)
            item = PortalNode(provider.value, provider.path, payload.log.for_key(provider_id))
            participant = _provider(item, provider_id, ctx, result)
            if participant is not None:
                participants.append(participant)
    if participants:
        care_team = {
            "resourceType": "CareTeam",
            "id": stable_id(SURFACE, f"careteam:{ctx.patient_id}"),
            # subject and participant (each with role and member) are always present: US Core CareTeam.
            "meta": meta(SURFACE, US_CORE_CARE_TEAM),
            "status": "active",
            "name": title,
            "subject": patient_reference(ctx.patient_id),
            "participant": participants,
        }
        _append(result, care_team, log)
    return result


def _append(result: TranslationResult, resource: FhirJson, log: WarningLog) -> bool:
    try:
        result.resources.append(validated(pruned(resource)))
    except InvalidResourceError as error:
        log.warn(str(resource["resourceType"]), f"skipped: {error}")
        return False
    return True


def _provider(
    provider: PortalNode, provider_id: str, ctx: TranslationContext, result: TranslationResult
) -> dict[str, Any] | None:
    name = provider.get("Name").text()
    relation = provider.get("Relation").text()
    specialty = provider.get("Specialty").text()
    reference = {"reference": f"Practitioner/{practitioner_id(provider_id)}", "display": name}
    identifiers: list[dict[str, str | None]] = [
        {"system": identifier_system(ctx.region, "provider"), "value": provider_id},
        {
            "system": identifier_system(ctx.region, "provider-handle"),
            "value": provider.get("NationalProviderID").text(),
        },
    ]
    practitioner = {
        "resourceType": "Practitioner",
        "id": practitioner_id(provider_id),
        # No US Core claim: the portal gives one upper-case display string, so name.family is unknown.
        "meta": meta(SURFACE),
        "identifier": [item for item in identifiers if item["value"]],
        "name": [{"text": name}],
        "telecom": [{"system": "url", "value": provider.get("WebPageUrl").text()}],
        "photo": [{"url": provider.get("Photo").text()}],
    }
    if not _append(result, practitioner, provider.log):
        return None
    department = provider.get("DepartmentID").text()
    role = {
        "resourceType": "PractitionerRole",
        "id": stable_id(SURFACE, f"role:{provider_id}"),
        "meta": meta(SURFACE),
        "practitioner": reference,
        "organization": {
            "type": "Organization",
            "identifier": {"system": identifier_system(ctx.region, "department"), "value": department},
        }
        if department
        else None,
        "code": [{"text": relation}] if relation else None,
        "specialty": [{"text": specialty}] if specialty else None,
    }
    _append(result, role, provider.log)
    external = provider.get("IsExternal").boolean()
    return {
        "extension": [{"url": EXTERNAL_PROVIDER, "valueBoolean": external}] if external is not None else None,
        # US Core: role 1..1; an unknown relation is data-absent-reason "unknown".
        "role": [{"text": relation} if relation else data_absent_unknown()],
        "member": reference,
    }
