"""``Clinical/Allergies/LoadListData`` (§2.9): the same contract as the problem list, Referer the allergies page."""

from __future__ import annotations

from starlette.routing import Route

from sandbox.portal.problems_api import list_data_route
from sandbox.portal.state import PortalState

__all__ = ["allergies_routes"]


def allergies_routes(state: PortalState) -> list[Route]:
    return [list_data_route(state, "Clinical/Allergies", lambda: state.config.patient.allergy_list)]
