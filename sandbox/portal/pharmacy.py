"""The pharmacy BFF's ``rxDetails`` (§2.7) and refill-order tracking (§3.1), each behind its header contract.

``orderDetails`` wants only the cost/benefit feature headers (no guid or region, as captured);
``orderStatus`` (body never captured) is modelled *inferred* with the rxDetails identity headers.

Both a broken header contract and a dead session answer 401 JSON: *inferred* (only "401 = expired"
is documented for this host; the exact bodies were never captured).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.patient.refill_orders import order_status_list, placed_order
from sandbox.portal.signals import current_session
from sandbox.portal.state import PortalState

__all__ = ["ORDER_DETAILS_PATH", "ORDER_STATUS_PATH", "RX_DETAILS_PATH", "pharmacy_routes"]

logger = logging.getLogger("fhirgate.sandbox.portal")

RX_DETAILS_PATH = "/kp/mycare/pharmacy-microservices/rx-cost-inventory-bff/v1/rxDetails"
ORDER_STATUS_PATH = "/kp/mycare/pharmacy-microservices/rx-order-management-bff/v1/orderStatus"
ORDER_DETAILS_PATH = "/kp/mycare/pharmacy-microservices/rx-order-management-bff/v1/orderDetails"
_ORDER_DETAILS_HEADERS = {"x-cost-feature": "true", "x-benefitsIndicator-feature": "false"}
_FILTERS = ("all", "fillable")


def _contract_broken(request: Request, client_id: str, guid: str) -> str | None:
    expected = {"X-IBM-client-Id": client_id, "x-guid": guid, "X-region": "MRN", "X-idType": "guid"}
    for name, value in expected.items():
        if request.headers.get(name) != value:
            return name
    return None


def _unauthorized(reason: str) -> JSONResponse:
    # Inferred body shape.
    return JSONResponse({"httpCode": "401", "httpMessage": "Unauthorized", "moreInformation": reason}, 401)


def _filtered(document: dict[str, Any], which: str) -> dict[str, Any]:
    if which == "all":
        return document
    prescriptions = {
        **document["prescriptions"],
        "nonFillable": [],
        "recentNonRefillableCount": 0,
        "totalNonRefillableCount": 0,
    }
    return {**document, "prescriptions": prescriptions}


class _Pharmacy:
    """The pharmacy endpoints, one method each, over what they share: the portal state and the patient's
    account guid (the ``x-guid`` header's expected value)."""

    def __init__(self, state: PortalState) -> None:
        self.state = state
        self.guid = str(state.config.patient.profile["UserAccountData"]["userIdentityInfo"]["guid"])

    def routes(self) -> list[Route]:
        return [
            Route(RX_DETAILS_PATH, self.rx_details, methods=["GET"]),
            Route(ORDER_STATUS_PATH, self.order_status, methods=["GET"]),
            Route(ORDER_DETAILS_PATH, self.order_details, methods=["GET"]),
        ]

    def identity_refusal(self, request: Request, *, log_broken: bool) -> Response | None:
        """The 401 for a broken identity header contract or a dead session, else None; ``log_broken`` logs
        which header broke the contract (only ``rxDetails`` does)."""
        broken = _contract_broken(request, self.state.config.pharmacy_client_id, self.guid)
        if broken is not None:
            if log_broken:
                logger.info("pharmacy header contract broken header=%s -> 401", broken)
            return _unauthorized("Invalid client or identity headers")
        if current_session(self.state, request) is None:
            return _unauthorized("Session expired")
        return None

    async def rx_details(self, request: Request) -> Response:
        refusal = self.identity_refusal(request, log_broken=True)
        if refusal is not None:
            return refusal
        # The browser sends "?&prescriptions_filter=all"; the empty pair is simply skipped.
        which = request.query_params.get("prescriptions_filter", "all")
        if which not in _FILTERS:
            # Inferred: values other than all/fillable were never tried.
            return JSONResponse({"httpCode": "400", "httpMessage": "Bad Request"}, status_code=400)
        return JSONResponse(_filtered(self.state.config.patient.rx_details, which))

    def orders(self) -> tuple[dict[str, Any], ...]:
        """The patient's order history, then every order ``placeorderMail`` accepted in this run."""
        rx_details = self.state.config.patient.rx_details
        by_number = {str(rx["afcInfo"]["rxnbr"]): rx for rx in rx_details["prescriptions"]["fillable"]}
        placed = tuple(
            placed_order(
                rx_details["member"],
                [by_number[n] for n in entry["rxNumbers"] if n in by_number],
                entry["orderNumber"],
                datetime.fromisoformat(entry["placedAt"]),
            )
            for entry in list(self.state.config.writes.placed_orders)
        )
        return self.state.config.patient.refill_orders + placed

    async def order_status(self, request: Request) -> Response:
        refusal = self.identity_refusal(request, log_broken=False)
        if refusal is not None:
            return refusal
        return JSONResponse(order_status_list(self.orders()))

    async def order_details(self, request: Request) -> Response:
        headers = request.headers
        wrong = headers.get("X-IBM-client-Id") != self.state.config.pharmacy_client_id or any(
            headers.get(name) != value for name, value in _ORDER_DETAILS_HEADERS.items()
        )
        if wrong:
            return _unauthorized("Invalid client headers")
        if current_session(self.state, request) is None:
            return _unauthorized("Session expired")
        wanted = request.query_params.get("ordernum", "")
        order = next((o for o in self.orders() if str(o["orderNumber"]) == wanted), None)
        if order is None or "pharmacyId" not in request.query_params:
            # Inferred: an unknown order number was never captured.
            return JSONResponse({"httpCode": "404", "httpMessage": "Not Found"}, status_code=404)
        return JSONResponse(order)


def pharmacy_routes(state: PortalState) -> list[Route]:
    return _Pharmacy(state).routes()
