"""The Organizations the profile surface names: Kaiser Permanente (the payer) and plan purchasers.

Both have stable ids derived from their names, so every Coverage (and a sync's Provenance) can refer to
them before or after they are stored.
"""

from __future__ import annotations

from translators import us_core
from translators.ids import stable_id
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
