"""The table of portal surfaces, in sync order: one module per surface, one row each, listed here once.

Sync, progress, status and fixtures read this table; adding a surface is one module and one row.
"""

from __future__ import annotations

from gateway.kaiser.surfaces.access_logs import ACCESS_LOGS
from gateway.kaiser.surfaces.allergies import ALLERGIES
from gateway.kaiser.surfaces.appointments import APPOINTMENTS
from gateway.kaiser.surfaces.care_team import CARE_TEAM
from gateway.kaiser.surfaces.implants import IMPLANTS
from gateway.kaiser.surfaces.lab_results.collect import LAB_RESULTS
from gateway.kaiser.surfaces.medications import MEDICATIONS
from gateway.kaiser.surfaces.messages import MESSAGES
from gateway.kaiser.surfaces.problems import PROBLEMS
from gateway.kaiser.surfaces.profile import PROFILE
from gateway.kaiser.surfaces.protocol import PortalSurface
from gateway.kaiser.surfaces.relationships import RELATIONSHIPS
from gateway.kaiser.surfaces.upcoming_orders import UPCOMING_ORDERS
from gateway.kaiser.surfaces.visit_notes import VISIT_NOTES

__all__ = ["SURFACES", "SURFACE_NAMES", "surface_named"]

SURFACES: tuple[PortalSurface, ...] = (
    PROFILE,  # first: the others need the patient id
    LAB_RESULTS,
    MEDICATIONS,
    RELATIONSHIPS,
    CARE_TEAM,
    MESSAGES,
    ACCESS_LOGS,
    PROBLEMS,
    ALLERGIES,
    APPOINTMENTS,
    VISIT_NOTES,
    IMPLANTS,
    UPCOMING_ORDERS,
)
SURFACE_NAMES = tuple(surface.name for surface in SURFACES)


def surface_named(name: str) -> PortalSurface:
    for surface in SURFACES:
        if surface.name == name:
            return surface
    raise KeyError(f"unknown surface {name!r}; known: {', '.join(SURFACE_NAMES)}")
