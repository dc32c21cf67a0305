"""The table of portal surfaces, in sync order: one module per surface, listed here once.

Sync, progress, status and fixtures read this table; adding a surface is one module and one row.
"""

from __future__ import annotations

from gateway.sync.surfaces.access_logs import ACCESS_LOGS
from gateway.sync.surfaces.allergies import ALLERGIES
from gateway.sync.surfaces.appointments import APPOINTMENTS
from gateway.sync.surfaces.base import Collected, Surface, SyncContext, warning_lines
from gateway.sync.surfaces.care_team import CARE_TEAM
from gateway.sync.surfaces.implants import IMPLANTS
from gateway.sync.surfaces.medications import MEDICATIONS
from gateway.sync.surfaces.messages import MESSAGES
from gateway.sync.surfaces.problems import PROBLEMS
from gateway.sync.surfaces.profile import PROFILE
from gateway.sync.surfaces.relationships import RELATIONSHIPS
from gateway.sync.surfaces.test_results import TEST_RESULTS
from gateway.sync.surfaces.upcoming_orders import UPCOMING_ORDERS
from gateway.sync.surfaces.visit_notes import VISIT_NOTES

SURFACES: tuple[Surface, ...] = (
    PROFILE,  # first: the others need the patient id
    TEST_RESULTS,
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

__all__ = ["SURFACES", "SURFACE_NAMES", "Collected", "Surface", "SyncContext", "surface_named", "warning_lines"]


def surface_named(name: str) -> Surface:
    for surface in SURFACES:
        if surface.name == name:
            return surface
    raise KeyError(f"unknown surface {name!r}; known: {', '.join(SURFACE_NAMES)}")
