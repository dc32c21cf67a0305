"""Profile / demographics: ``GET /mycare/v1.0/user`` with the pharmacy app's header contract (§2.1)."""

from __future__ import annotations

from typing import Any

from gateway.kaiser.errors import MalformedPayload
from gateway.kaiser.portal_client import PortalClient

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
