"""The table of portal surfaces, in sync order: one module per surface, listed here once.

Sync, progress, status and fixtures read this table; adding a surface is one module and one row.
"""

from __future__ import annotations

from gateway.sync.surfaces.base import Collected, Surface, SyncContext, warning_lines
from gateway.sync.surfaces.medications import MEDICATIONS
from gateway.sync.surfaces.profile import PROFILE
from gateway.sync.surfaces.test_results import TEST_RESULTS

SURFACES: tuple[Surface, ...] = (
    PROFILE,  # first: the others need the patient id
    TEST_RESULTS,
    MEDICATIONS,
)
SURFACE_NAMES = tuple(surface.name for surface in SURFACES)

__all__ = ["SURFACES", "SURFACE_NAMES", "Collected", "Surface", "SyncContext", "surface_named", "warning_lines"]


def surface_named(name: str) -> Surface:
    for surface in SURFACES:
        if surface.name == name:
            return surface
    raise KeyError(f"unknown surface {name!r}; known: {', '.join(SURFACE_NAMES)}")
