"""Medications from the pharmacy BFF on the API gateway host (§2.7)."""

from __future__ import annotations

from typing import Any

from gateway.kaiser.errors import MalformedPayload, PortalContractError
from gateway.kaiser.portal_client import PortalClient

SURFACE = "medications"
RX_DETAILS = "rx-cost-inventory-bff/v1/rxDetails"


async def fetch_rx_details(client: PortalClient, guid: str) -> dict[str, Any]:
    body = await client.pharmacy_get_json(
        RX_DETAILS,
        surface=SURFACE,
        guid=guid,
        params={"prescriptions_filter": "all"},
        extra_headers={
            "x-benefitsIndicator-feature": "true",
            "x-cost-feature": "true",
            "x-prescriptionsfilter": "all",
        },
    )
    if not isinstance(body, dict):
        raise MalformedPayload(SURFACE, "rxDetails", "not a JSON object")
    status = (body.get("executionContext") or {}).get("statusCode")
    if status != "000":
        raise PortalContractError(f"{SURFACE}: pharmacy answered executionContext.statusCode={status!r}")
    return body
