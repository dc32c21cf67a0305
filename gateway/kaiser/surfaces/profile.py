"""The profile surface: Patient, Coverage and Organizations; runs first (it yields the patient id).

It also reads the care team's ``Load`` for the Primary Care Provider (``Patient.generalPractitioner``):
the Patient belongs to this surface, and the care-team surface, which stores that Practitioner, runs later.

Profile / demographics: ``GET /mycare/v1.0/user`` with the pharmacy app's header contract (§2.1).
"""

from __future__ import annotations

from typing import Any

from gateway.kaiser.errors import MalformedPayload, PortalContractError, PortalUnavailable
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces import care_team
from gateway.kaiser.surfaces.protocol import Collected, Surface, SyncContext
from translators.care_team import primary_care_reference
from translators.profile import patient_id_from_profile, translate_profile

SURFACE = "profile"
_PERSON = "$.UserAccountData.ebizAccountsWithPersonInfos"
# Several paths on purpose: a single path comes back without the UserAccountData wrapper.
INCLUSION_PATHS = [
    f"{_PERSON}.nameDetails",
    f"{_PERSON}.contactInfo.addressInfos",
    f"{_PERSON}.contactInfo.phoneInfos",
    f"{_PERSON}.contactInfo.emailAddresseInfos",
    f"{_PERSON}.dateOfBirth",
    f"{_PERSON}.age",
    f"{_PERSON}.gender",
    f"{_PERSON}.areaOfCareInfos",
    f"{_PERSON}.membershipAccountInfo.accountId",
    f"{_PERSON}.membershipAccountInfo.region",
    f"{_PERSON}.membershipAccountInfo.planInfos",
    "$.UserAccountData.userIdentityInfo.guid",
    "$.UserAccountData.userIdentityInfo.email",
    "$.UserAccountData.userIdentityInfo.preferredGivenName",
]


async def fetch_profile(client: PortalClient) -> dict[str, Any]:
    body = await client.mycare_get_json(
        "user", surface=SURFACE, component="User Profile Component", inclusion_paths=INCLUSION_PATHS
    )
    if not isinstance(body, dict) or not isinstance(body.get("UserAccountData"), dict):
        raise MalformedPayload(SURFACE, "user", "no UserAccountData object")
    return body


def patient_guid(profile: dict[str, Any]) -> str:
    """The member GUID the pharmacy BFF wants (a JSON number in the profile, a string in headers)."""
    identity = profile.get("UserAccountData", {}).get("userIdentityInfo")
    guid = identity.get("guid") if isinstance(identity, dict) else None
    if guid is None or isinstance(guid, bool):
        raise MalformedPayload(SURFACE, "user", "no userIdentityInfo.guid")
    return str(guid)


async def _collect(ctx: SyncContext) -> Collected:
    ctx.progress.surface_total(SURFACE, 1)
    raw = await fetch_profile(ctx.client)
    ctx.patient_id = patient_id_from_profile(raw)
    ctx.guid = patient_guid(raw)
    collected = Collected()
    general_practitioner = await _primary_care(ctx, collected)
    collected.result = translate_profile(raw, ctx.translation(), general_practitioner=general_practitioner)
    ctx.progress.surface_advanced(SURFACE)
    return collected


async def _primary_care(ctx: SyncContext, collected: Collected) -> str | None:
    """The PCP's Practitioner reference from the care team's ``Load`` (the care-team surface stores it)."""
    try:
        return primary_care_reference(await care_team.fetch_care_team_load(ctx.client))
    except (MalformedPayload, PortalContractError, PortalUnavailable) as exc:
        collected.problems.append(f"surface=profile: care team unreadable, generalPractitioner omitted ({exc})")
        return None


PROFILE = Surface(SURFACE, "Profile", ("Patient", "Coverage", "Organization"), _collect)
