"""Freshness outcomes: warning OperationOutcome entries for data that is partial, stale or missing.

A surface "produces" a type when it has stored that type before or when the sync table says it yields it
(``surface_types``). Types no surface produces get no outcome: an empty result is then simply empty.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from gateway.facade.outcomes import operation_outcome
from gateway.store import SurfaceState

SurfaceTypes = Mapping[str, Sequence[str]]


def _produces(surface: str, state: SurfaceState | None, resource_type: str, surface_types: SurfaceTypes) -> bool:
    return resource_type in surface_types.get(surface, ()) or (
        state is not None and resource_type in state.resource_types
    )


def _state_outcomes(state: SurfaceState) -> list[dict[str, Any]]:
    outcomes = []
    if state.problems:
        detail = "; ".join(state.problems)
        outcomes.append(
            operation_outcome("incomplete", f"surface {state.surface} is incomplete: {detail}", severity="warning")
        )
    if state.failing:
        since = state.last_success.isoformat() if state.last_success else "never"
        outcomes.append(
            operation_outcome(
                "incomplete",
                f"surface {state.surface}: last sync failed ({state.last_error}); data as of {since}",
                severity="warning",
            )
        )
    return outcomes


def surface_outcomes(
    resource_type: str, states: Sequence[SurfaceState], surface_types: SurfaceTypes | None = None
) -> list[dict[str, Any]]:
    """Warnings for every surface producing ``resource_type`` that is partial, failing or has never synced."""
    surface_types = surface_types or {}
    by_name = {state.surface: state for state in states}
    outcomes: list[dict[str, Any]] = []
    for surface in sorted(set(by_name) | set(surface_types)):
        state = by_name.get(surface)
        if not _produces(surface, state, resource_type, surface_types):
            continue
        if state is None or state.last_success is None:
            reason = f" (last attempt failed: {state.last_error})" if state and state.last_error else ""
            outcomes.append(
                operation_outcome(
                    "incomplete",
                    f"surface {surface} has never synced{reason}: no {resource_type} data is available from it yet",
                    severity="warning",
                )
            )
            continue
        outcomes += _state_outcomes(state)
    return outcomes
