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


def pharmacy_routes(state: PortalState) -> list[Route]:
    guid = str(state.config.patient.profile["UserAccountData"]["userIdentityInfo"]["guid"])

    async def rx_details(request: Request) -> Response:
        broken = _contract_broken(request, state.config.pharmacy_client_id, guid)
        if broken is not None:
            logger.info("pharmacy header contract broken header=%s -> 401", broken)
            return _unauthorized("Invalid client or identity headers")
        if current_session(state, request) is None:
            return _unauthorized("Session expired")
        # The browser sends "?&prescriptions_filter=all"; the empty pair is simply skipped.
        which = request.query_params.get("prescriptions_filter", "all")
        if which not in _FILTERS:
            # Inferred: values other than all/fillable were never tried.
            return JSONResponse({"httpCode": "400", "httpMessage": "Bad Request"}, status_code=400)
        return JSONResponse(_filtered(state.config.patient.rx_details, which))

    def orders() -> tuple[dict[str, Any], ...]:
        """The patient's order history, then every order ``placeorderMail`` accepted in this run."""
        rx_details = state.config.patient.rx_details
        by_number = {str(rx["afcInfo"]["rxnbr"]): rx for rx in rx_details["prescriptions"]["fillable"]}
        placed = tuple(
            placed_order(
                rx_details["member"],
                [by_number[n] for n in entry["rxNumbers"] if n in by_number],
                entry["orderNumber"],
                datetime.fromisoformat(entry["placedAt"]),
            )
            for entry in list(state.config.writes.placed_orders)
        )
        return state.config.patient.refill_orders + placed

    async def order_status(request: Request) -> Response:
        broken = _contract_broken(request, state.config.pharmacy_client_id, guid)
        if broken is not None:
            return _unauthorized("Invalid client or identity headers")
        if current_session(state, request) is None:
            return _unauthorized("Session expired")
        return JSONResponse(order_status_list(orders()))

    async def order_details(request: Request) -> Response:
        headers = request.headers
        wrong = headers.get("X-IBM-client-Id") != state.config.pharmacy_client_id or any(
            headers.get(name) != value for name, value in _ORDER_DETAILS_HEADERS.items()
        )
        if wrong:
            return _unauthorized("Invalid client headers")
        if current_session(state, request) is None:
            return _unauthorized("Session expired")
        wanted = request.query_params.get("ordernum", "")
        order = next((o for o in orders() if str(o["orderNumber"]) == wanted), None)
        if order is None or "pharmacyId" not in request.query_params:
            # Inferred: an unknown order number was never captured.
            return JSONResponse({"httpCode": "404", "httpMessage": "Not Found"}, status_code=404)
        return JSONResponse(order)

    return [
        Route(RX_DETAILS_PATH, rx_details, methods=["GET"]),
        Route(ORDER_STATUS_PATH, order_status, methods=["GET"]),
        Route(ORDER_DETAILS_PATH, order_details, methods=["GET"]),
    ]
