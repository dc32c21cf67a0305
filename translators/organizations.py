"""The Organizations fhirgate names: Kaiser Permanente (the payer), plan purchasers, and the Epic organization
a past visit belongs to (``LoadPast``'s ``List.<org>.Organization``, e.g. a Kaiser region).

Each has a stable id derived from its name or organization id, so every Coverage, Encounter (and a sync's
Provenance) can refer to them before or after they are stored.
"""

from __future__ import annotations

from typing import Any

from translators import us_core
from translators.ids import identifier_system, stable_id
from translators.portal import PortalNode
from translators.resource_meta import meta
from translators.types import FhirJson

KAISER_PERMANENTE = "Kaiser Permanente"


def kaiser_organization_id(surface: str = "profile") -> str:
    """The logical id of the Kaiser Permanente Organization."""
    return stable_id(surface, "org:kaiser-permanente")


def kaiser_organization(surface: str = "profile") -> FhirJson:
    """Kaiser Permanente as a US Core Organization (``active`` and ``name`` are all the profile requires)."""
    return {
        "resourceType": "Organization",
        "id": kaiser_organization_id(surface),
        "meta": meta(surface, us_core.ORGANIZATION),
        "active": True,
        "name": KAISER_PERMANENTE,
    }


def purchaser_organization_id(name: str, surface: str = "profile") -> str:
    """The logical id of the employer/group that purchases a plan, keyed by its (case-folded) name."""
    return stable_id(surface, "org:purchaser:" + " ".join(name.upper().split()))


def purchaser_organization(name: str, surface: str = "profile") -> FhirJson:
    """A plan purchaser: only its name is known, so no ``active`` is asserted and no profile claimed."""
    return {
        "resourceType": "Organization",
        "id": purchaser_organization_id(name, surface),
        "meta": meta(surface),
        "name": name,
    }


def visit_organization(organization: PortalNode, region: str, surface: str = "appointments") -> FhirJson | None:
    """The organization a page of past visits belongs to, or ``None`` when the portal names none.

    Keyed by ``OrganizationId`` (else the name); no profile is claimed, since ``active`` is not known.
    """
    org_id, name = organization.get("OrganizationId").key_text(), organization.get("Name").text()
    if org_id is None and name is None:
        return None
    resource: dict[str, Any] = {
        "resourceType": "Organization",
        "id": stable_id(surface, f"org:visit:{org_id or ' '.join(str(name).upper().split())}"),
        "meta": meta(surface),
    }
    if org_id is not None:
        resource["identifier"] = [{"system": identifier_system(region, "organization-id"), "value": org_id}]
    if name is not None:
        resource["name"] = name
    return resource
