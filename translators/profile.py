"""Profile (``GET /mycare/v1.0/user``) -> Patient, a Coverage per plan, and their Organizations.

The Patient's id comes from the MRN (see :func:`patient_id_from_profile`). Coverage status cannot read a
clock here: it is ``active`` unless the plan ends before it starts (``cancelled``); ``period`` carries the
dates so the facade can judge whether a plan is current. The open end ``9999-12-31`` means "no end" and is
omitted.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from translators import us_core
from translators.contact_points import addresses, telecom
from translators.dates import DateParseError, parse_date
from translators.errors import InvalidResourceError, UntranslatableError
from translators.ids import identifier_system, stable_id
from translators.languages import preferred_communication
from translators.organizations import (
    kaiser_organization,
    kaiser_organization_id,
    purchaser_organization,
    purchaser_organization_id,
)
from translators.portal import PortalNode, WarningLog, root
from translators.pruning import pruned
from translators.resource_meta import meta, patient_reference
from translators.systems import DATA_ABSENT_REASON, DATA_ABSENT_REASON_EXTENSION, IDENTIFIER_TYPE
from translators.types import FhirJson, TranslationContext, TranslationResult
from translators.validation import validated

SURFACE = "profile"

GENDERS = {"M": "male", "F": "female"}
"""Kaiser's administrative sex code -> Patient.gender; anything else (or nothing) is ``unknown``."""

_OPEN_END_YEAR = 9999


def _account(raw: object, log: WarningLog) -> PortalNode:
    """``UserAccountData``, or the payload itself when Kaiser dropped the wrapper (single-path projections)."""
    payload = root(raw, log)
    wrapped = payload.get("UserAccountData")
    return wrapped if not wrapped.absent else payload


def _identity_key(account: PortalNode) -> str | None:
    person = account.get("ebizAccountsWithPersonInfos")
    mrn = person.get("areaOfCareInfos").first_item().get("mrn").integer()
    if mrn is None:
        # accountId equals the MRN in practice, so it shares the MRN's key and keeps the id stable.
        mrn = person.get("membershipAccountInfo").get("accountId").integer()
    if mrn is not None:
        return f"patient:{mrn}"
    guid = account.get("userIdentityInfo").get("guid").integer()
    return None if guid is None else f"patient:guid:{guid}"


def patient_id_from_profile(raw: Mapping[str, Any]) -> str:
    """The Patient's stable id: from the MRN, else the membership account id, else the user GUID.

    Raises :class:`~translators.errors.UntranslatableError` when the payload has none of them.
    """
    key = _identity_key(_account(raw, WarningLog(SURFACE)))
    if key is None:
        raise UntranslatableError("profile has no MRN, membership account id or GUID")
    return stable_id(SURFACE, key)


def translate_profile(
    raw: Mapping[str, Any], ctx: TranslationContext, *, general_practitioner: str | None = None
) -> TranslationResult:
    """Patient, then each plan's Coverage, then Kaiser Permanente and each purchaser as Organizations.

    ``general_practitioner`` (``Practitioner/<id>``, from the care team's Primary Care Provider) becomes
    ``Patient.generalPractitioner``.
    """
    result = TranslationResult()
    log = WarningLog(SURFACE, "profile", result.warnings)
    account = _account(raw, log)
    key = _identity_key(account)
    if key is None:
        log.warn("areaOfCareInfos[0].mrn", "no MRN, membership account id or GUID; profile skipped")
        return result
    patient_id = stable_id(SURFACE, key)
    log.key = patient_id
    if patient_id != ctx.patient_id:
        log.warn("patient_id", f"context patient id {ctx.patient_id!r} differs from the profile's {patient_id!r}")
    built = _patient(account, patient_id, ctx, log)
    if general_practitioner:
        built["generalPractitioner"] = [{"reference": general_practitioner}]
    patient = _emit(built, log)
    if patient is None:
        return result
    result.resources.append(patient)
    person = account.get("ebizAccountsWithPersonInfos")
    membership = person.get("membershipAccountInfo")
    organizations: dict[str, FhirJson] = {}
    for plan in membership.get("planInfos").items():
        coverage = _emit(_coverage(plan, membership, patient_id, log), log)
        if coverage is None:
            continue
        result.resources.append(coverage)
        organizations.setdefault(kaiser_organization_id(), kaiser_organization())
        purchaser = plan.get("purchaserName").text()
        if purchaser:
            organizations.setdefault(purchaser_organization_id(purchaser), purchaser_organization(purchaser))
    for organization in organizations.values():
        emitted = _emit(organization, log)
        if emitted is not None:
            result.resources.append(emitted)
    return result


def _emit(resource: FhirJson, log: WarningLog) -> FhirJson | None:
    try:
        return validated(pruned(resource))
    except InvalidResourceError as error:
        log.warn(str(resource.get("resourceType")), f"skipped: {error}")
        return None


def _patient(account: PortalNode, patient_id: str, ctx: TranslationContext, log: WarningLog) -> FhirJson:
    person = account.get("ebizAccountsWithPersonInfos")
    identity = account.get("userIdentityInfo")
    contact = person.get("contactInfo")
    raw_gender = person.get("gender").text()
    gender = GENDERS.get((raw_gender or "").upper(), "unknown")
    if raw_gender is not None and gender == "unknown":
        log.warn("gender", f"unmapped gender {raw_gender!r}; set to unknown")
    birth_date = None
    try:
        parsed = parse_date(person.get("dateOfBirth").value)
        birth_date = parsed.isoformat() if parsed else None
    except DateParseError as error:
        log.warn("dateOfBirth", str(error))
    return {
        "resourceType": "Patient",
        "id": patient_id,
        # identifier, name and gender (US Core's mandatory trio) are always produced below.
        "meta": meta(SURFACE, us_core.PATIENT),
        "identifier": _identifiers(person, identity, ctx),
        "name": _names(person, identity, log),
        "telecom": telecom(contact.get("phoneInfos"), identity.get("email").text()),
        "gender": gender,
        "birthDate": birth_date,
        "address": addresses(contact.get("addressInfos")),
        "communication": preferred_communication(person.get("preferredLanguage").text()),
    }


def _identifiers(person: PortalNode, identity: PortalNode, ctx: TranslationContext) -> list[dict[str, Any]]:
    identifiers: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    fallback_region = person.get("membershipAccountInfo").get("region").text() or ctx.region
    for area in person.get("areaOfCareInfos").items():
        mrn = area.get("mrn").integer()
        if mrn is None:
            continue
        system = identifier_system(area.get("areaOfCare").text() or fallback_region, "mrn")
        if (system, str(mrn)) in seen:
            continue
        seen.add((system, str(mrn)))
        identifiers.append(
            {
                "use": "usual",
                "type": {
                    "coding": [{"system": IDENTIFIER_TYPE, "code": "MR", "display": "Medical record number"}],
                    "text": "MRN",
                },
                "system": system,
                "value": str(mrn),
            }
        )
    guid = identity.get("guid").integer()
    if guid is None:
        guid = person.get("areaOfCareInfos").first_item().get("guid").integer()
    if guid is not None:
        identifiers.append({"system": identifier_system(ctx.region, "guid"), "value": str(guid)})
    if not identifiers:  # only the membership account id identified the person
        account_id = person.get("membershipAccountInfo").get("accountId").integer()
        if account_id is not None:
            identifiers.append({"system": identifier_system(fallback_region, "account-id"), "value": str(account_id)})
    return identifiers


def _names(person: PortalNode, identity: PortalNode, log: WarningLog) -> list[dict[str, Any]]:
    details = person.get("nameDetails")
    given = [part for part in (details.get("firstName").text(), details.get("middleName").text()) if part]
    family = details.get("surname").text()
    names: list[dict[str, Any]] = []
    if given or family:
        names.append({"use": "official", "family": family, "given": given})
    else:
        log.warn("nameDetails", "no legal name; name marked data-absent (unknown)")
        names.append({"extension": [{"url": DATA_ABSENT_REASON_EXTENSION, "valueCode": "unknown"}]})
    preferred = identity.get("preferredGivenName").text()
    if preferred:
        names.append({"use": "usual", "given": [preferred]})
    return names


def _coverage(plan: PortalNode, membership: PortalNode, patient_id: str, log: WarningLog) -> FhirJson:
    purchaser = plan.get("purchaserName").text()
    plan_type = plan.get("consumerPlanType").text()
    start = _plan_date(plan.get("coverageStartDate"), log)
    end = _plan_date(plan.get("coverageEndDate"), log)
    account_id = membership.get("accountId").integer()
    subscriber_id = None if account_id is None else str(account_id)
    status = "cancelled" if start and end and end < start else "active"
    key = "|".join(part or "" for part in (subscriber_id, purchaser, plan_type, start))
    return {
        "resourceType": "Coverage",
        "id": stable_id(SURFACE, f"coverage:{key}"),
        # us-core-15 needs a member id: claimed only when Kaiser gave the account id.
        "meta": meta(SURFACE, us_core.COVERAGE if subscriber_id else None),
        "status": status,
        "type": {"text": plan_type} if plan_type else None,
        "policyHolder": {
            "reference": f"Organization/{purchaser_organization_id(purchaser)}",
            "display": purchaser,
        }
        if purchaser
        else None,
        "subscriberId": subscriber_id,
        "beneficiary": patient_reference(patient_id),
        # Kaiser does not say whether the member is the subscriber or a dependent: US Core's
        # missing-data rule for a mandatory extensible code is data-absent-reason "unknown".
        "relationship": {"coding": [{"system": DATA_ABSENT_REASON, "code": "unknown", "display": "Unknown"}]},
        "period": {"start": start, "end": None if end is None or end[:4] == str(_OPEN_END_YEAR) else end},
        "payor": [{"reference": f"Organization/{kaiser_organization_id()}", "display": "Kaiser Permanente"}],
    }


def _plan_date(node: PortalNode, log: WarningLog) -> str | None:
    try:
        parsed = parse_date(node.value)
    except DateParseError as error:
        log.warn(node.path, str(error))
        return None
    return None if parsed is None else parsed.isoformat()
