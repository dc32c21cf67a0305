"""The mail-order refill chain on the pharmacy BFFs (§3.1): wallet, cart, delivery eligibility,
shipping date and ``placeorderMail``, each behind its own header contract.

Inferred (never captured): the 401 bodies, the cart/address bodies' details, brand codes other
than American Express. Success needs both ``executionContext.statusCode == "000"`` and
``rxOrderResponseCode == "000"``; a failing ``placeorderMail`` step (``PortalConfig.write_fails``) answers
200 with a failure code.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.portal.sandbox_ids import wp_id
from sandbox.portal.signals import current_session
from sandbox.portal.state import PortalState

__all__ = ["refill_routes"]

logger = logging.getLogger("fhirgate.sandbox.portal")

_RX = "/kp/mycare/pharmacy-microservices"
WALLET_PATH = "/kp/mycare/payment-sts/paymentsts-bff-walletbff/v1/walletV3"
Handler = Callable[[Request, Any], Awaitable[Response]]


def _unauthorized(reason: str) -> JSONResponse:
    return JSONResponse({"httpCode": "401", "httpMessage": "Unauthorized", "moreInformation": reason}, 401)


def _person(state: PortalState) -> Mapping[str, Any]:
    return state.config.patient.profile["UserAccountData"]["ebizAccountsWithPersonInfos"]  # type: ignore[no-any-return]


class _RefillChain:
    """The refill endpoints, one method each, over what they share: the portal state, the write ledger and
    the patient's derived ids (account guid, wallet payment token)."""

    def __init__(self, state: PortalState, today: Callable[[], date]) -> None:
        self.state = state
        self.today = today
        self.seed = state.config.patient.username
        self.ledger = state.config.writes
        self.guid = str(state.config.patient.profile["UserAccountData"]["userIdentityInfo"]["guid"])
        self.token = wp_id(self.seed, "payment-token", length=40)

    def routes(self) -> list[Route]:
        pharmacy = {"X-IBM-client-Id": self.state.config.pharmacy_client_id}
        wallet_contract = {"x-apiKey": self.state.config.api_key, "X-appName": "rwd", "X-idType": "guid"}
        place_contract = pharmacy | {"X-id": self.guid, "X-region": "MRN", "x-idType": "GUID"}
        bff = f"{_RX}/pharmacy-center-kpweb-bff/v1"
        return [
            Route(WALLET_PATH, self.contract(wallet_contract, self.wallet, method="GET"), methods=["GET"]),
            Route(f"{bff}/cart", self.contract(pharmacy, self.cart, method="GET"), methods=["GET"]),
            Route(
                f"{bff}/cart/prescription", self.contract(pharmacy, self.add_to_cart, method="POST"), methods=["POST"]
            ),
            Route(
                f"{bff}/rxdeliveryeligibility",
                self.contract(pharmacy, self.eligibility, method="POST"),
                methods=["POST"],
            ),
            Route(f"{bff}/shippingDate", self.contract(pharmacy, self.shipping_date, method="GET"), methods=["GET"]),
            Route(
                f"{_RX}/rx-place-order-bff/v1/placeorderMail",
                self.contract(place_contract, self.place_order, method="POST"),
                methods=["POST"],
            ),
        ]

    def contract(
        self, required: Mapping[str, str], handler: Handler, *, method: str
    ) -> Callable[[Request], Awaitable[Response]]:
        """``handler`` behind the header contract ``required``, the session check and (POST) the JSON body."""

        async def endpoint(request: Request) -> Response:
            body = await self.checked_body(request, required, method=method)
            return body if isinstance(body, Response) else await handler(request, body)

        return endpoint

    async def checked_body(self, request: Request, required: Mapping[str, str], *, method: str) -> Any:
        """The request's JSON body (None for a GET), or the 401/400 ``Response`` a broken contract gets."""
        for name, value in required.items():
            if request.headers.get(name) != value:
                logger.info("refill header contract broken header=%s -> 401", name)
                return _unauthorized("Invalid client or identity headers")
        if current_session(self.state, request) is None:
            return _unauthorized("Session expired")
        if method != "POST":
            return None
        try:
            return json.loads(await request.body())
        except ValueError:
            return JSONResponse({"httpCode": "400", "httpMessage": "Bad Request"}, status_code=400)

    def wallet_document(self) -> dict[str, Any]:
        names = _person(self.state)["nameDetails"]
        card = {
            "accountType": "creditcard",
            "billingAddress": "",
            "cardType": "American Express",
            "ccName": f"{names['firstName']} {names['surname']}",
            "ccNumber": "1004",
            "defaultOption": "true",
            "expDate": "2802",
            "firstName": names["firstName"],
            "lastName": names["surname"],
            "middleInitial": (names.get("middleName") or "")[:1],
            "nickName": "Synthetic card",
            "paymentToken": self.token,
            "zipCode": "94501",
        }
        return {
            "card": [card, None],
            "check": [],
            "defaultToken": self.token,
            "profileId": wp_id(self.seed, "wallet-profile", length=24),
            "walletKey": wp_id(self.seed, "wallet", length=24),
        }

    async def wallet(self, request: Request, body: Any) -> Response:
        return JSONResponse(self.wallet_document())

    async def cart(self, request: Request, body: Any) -> Response:
        return JSONResponse({"cartItems": {self.guid: []}, "ui_config": {"apiRestUris": {}}})  # inferred

    async def add_to_cart(self, request: Request, body: Any) -> Response:
        raw = body.get("rxNumber") if isinstance(body, dict) else None
        try:
            rx = json.loads(raw) if isinstance(raw, str) else None  # the Rx object as a JSON string
        except ValueError:
            rx = None
        if not isinstance(rx, dict):
            return JSONResponse({"statuscode": "500", "message": "invalid rxNumber"})
        self.ledger.carts.append(str((rx.get("afcInfo") or {}).get("rxnbr")))
        return JSONResponse({"statuscode": "000", "cartItems": {self.guid: [rx]}})

    async def eligibility(self, request: Request, body: Any) -> Response:
        carts = body.get("cartItems") if isinstance(body, dict) else None
        items = carts.get(self.guid) if isinstance(carts, dict) else None
        ok = (
            isinstance(items, list)
            and items
            and all(isinstance(rx, dict) and str(rx.get("mailable")) == "true" for rx in items)
        )
        return JSONResponse({"statuscode": "600" if ok else "610", "rxinfo": [], "deliverytypeinfo": {}})

    async def shipping_date(self, request: Request, body: Any) -> Response:
        start = self.today() + timedelta(days=3)
        end = self.today() + timedelta(days=5)
        return JSONResponse(
            {
                "region": "CN",
                "state": request.headers.get("X-state", ""),
                "zipCode": request.headers.get("X-ZipCode", ""),
                "from": start.strftime("%m/%d/%Y"),
                "to": end.strftime("%m/%d/%Y"),
                "fromDays": 3,
                "toDays": 5,
            }
        )

    def order_problem(self, order: Mapping[str, Any]) -> str | None:
        if order.get("deliveryMethod") != "M" or not order.get("transactionControlReference"):
            return "bad order envelope"
        if (order.get("creditCardDetails") or {}).get("walletPaymentToken") != self.token:
            return "unknown payment token"
        wanted = {str(i.get("rxNumber")) for i in (order.get("rxDetails") or {}).get("rxInfo") or []}
        fillable = self.state.config.patient.rx_details["prescriptions"].get("fillable") or []
        known = {str((rx.get("afcInfo") or {}).get("rxnbr")) for rx in fillable if str(rx.get("mailable")) == "true"}
        return None if wanted and wanted <= known else "prescription not orderable"

    async def place_order(self, request: Request, body: Any) -> Response:
        order = (body or {}).get("placeOrderReq") if isinstance(body, dict) else None
        if not isinstance(order, dict):
            return JSONResponse({"executionContext": {"statusCode": "900", "statusDetails": "Invalid request"}})
        problem = "fault" if self.state.config.write_fails("placeorderMail") else self.order_problem(order)
        rx_numbers = [str(i.get("rxNumber")) for i in (order.get("rxDetails") or {}).get("rxInfo") or []]
        ledger = self.ledger
        number = "030" + wp_id(self.seed, "order", str(len(ledger.placed_orders)), length=30)[3:].replace("-", "0")
        if problem is None:
            placed_at = datetime.now(UTC).isoformat()
            ledger.record(ledger.placed_orders, {"orderNumber": number, "rxNumbers": rx_numbers, "placedAt": placed_at})
            logger.info("sandbox refill order placed rx_count=%d", len(rx_numbers))
        return JSONResponse(self.order_answer(order, rx_numbers, number if problem is None else None))

    def order_answer(self, order: Mapping[str, Any], rx_numbers: list[str], number: str | None) -> dict[str, Any]:
        """``placeorderMail``'s answer; ``number`` is None when the order was refused."""
        code = "000" if number is not None else "812"
        return {
            "submittedBy": {
                "placerName": (order.get("placerDetails") or {}).get("placerName"),
                "placerID": {
                    "placerIdType": "MRN",
                    "placerIDValue": str(_person(self.state)["areaOfCareInfos"][0]["mrn"]),
                },
            },
            "Order": {
                "orderPlacedDate": self.today().strftime("%m/%d/%Y") + " 15:04:05",
                "transactionControlRefNo": order.get("transactionControlReference"),
                "orderNumber": number or "",
            },
            "rxRefillArray": {
                "rxRefill": [{"rxNumber": n, "rxOrderResponseCode": code, "mrnRegion": "NCA"} for n in rx_numbers]
            },
            "deliveryMethod": "M",
            "executionContext": {"statusCode": "000", "statusDetails": "Success"},  # 000 even when the Rx failed
            "region": "NCA",
            "sourceApplication": "WPP",
        }


def refill_routes(state: PortalState, *, today: Callable[[], date] = date.today) -> list[Route]:
    return _RefillChain(state, today).routes()
