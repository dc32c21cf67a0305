"""Allergies: ``Clinical/Allergies/LoadListData`` (§2.9), the problem list's contract on another page."""

from __future__ import annotations

from typing import Any

from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.surfaces.problems import fetch_list_data

SURFACE = "allergies"
PAGE = "Clinical/Allergies"


async def fetch_allergy_list(client: PortalClient) -> dict[str, Any]:
    return await fetch_list_data(client, PAGE, SURFACE)
