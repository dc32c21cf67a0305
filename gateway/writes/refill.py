"""The mail-order refill chain of KAISER_API.md §3.1: a read-only preview, then the four-call commit."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from gateway.kaiser.portal_client import PortalClient
from gateway.writes.errors import WriteChainError

SURFACE = "refill"
_PHARMACY = "/kp/mycare/pharmacy-microservices"
_WALLET = "/kp/mycare/payment-sts/paymentsts-bff-walletbff/v1/walletV3"
_CARD_BRANDS = {"American Express": "AM", "Visa": "VI", "MasterCard": "MC", "Discover": "DI"}  # only AM observed


@dataclass
class RefillPreview:
    rx_number: str
    content: dict[str, Any]
    warnings: list[str] = field(default_factory=list)

    @property
    def can_confirm(self) -> bool:
        return not self.warnings


@dataclass(frozen=True)
class RefillResult:
    order_number: str
    succeeded: bool
    execution_status: str
    rx_response_code: str


@dataclass
class PreparedRefill:
    """A preview plus what placing the order needs (kept out of the preview the user sees)."""

    preview: RefillPreview
    guid: str = ""
    profile: dict[str, Any] = field(default_factory=dict)
    rx: dict[str, Any] = field(default_factory=dict)
    wallet_card: dict[str, Any] | None = None


class RefillChain:
    def __init__(self, client: PortalClient, *, today: Callable[[], date] = date.today) -> None:
        self.client = client
        self.today = today

    async def preview(self, rx_number: str) -> RefillPreview:
        return (await self.prepare(rx_number)).preview

    async def commit(self, rx_number: str) -> tuple[RefillPreview, RefillResult | None]:
        """Re-run the preview; when it is committable, place the order. Returns (preview, result)."""
        prepared = await self.prepare(rx_number)
        if not prepared.preview.can_confirm:
            return prepared.preview, None
        return prepared.preview, await self.place(prepared)

    async def prepare(self, rx_number: str) -> PreparedRefill:
        """The read-only reconnaissance: profile, prescriptions and wallet; nothing is ordered."""
        # Imported here: the surfaces load the translators and fhir.resources, which `fhirgate mcp` need not
        # load before its first answer.
        from gateway.kaiser.surfaces.medications import fetch_rx_details
        from gateway.kaiser.surfaces.profile import fetch_profile, patient_guid

        profile = await fetch_profile(self.client)
        guid = patient_guid(profile)
        rx_details = await fetch_rx_details(self.client, guid)
        prescriptions = rx_details.get("prescriptions") or {}
        bucket, rx = _find_rx(prescriptions, rx_number)
        wallet = await self._get(_WALLET, "walletV3", self._wallet_headers(guid))
        card = next(
            (c for c in (wallet or {}).get("card") or [] if isinstance(c, dict) and c.get("paymentToken")), None
        )
        warnings: list[str] = []
        if rx is None:
            return PreparedRefill(RefillPreview(rx_number, {"rx_number": rx_number}, ["prescription not found"]))
        afc = rx.get("afcInfo") or {}
        if bucket == "nonFillable":
            warnings.append("the pharmacy cannot take a web order for this prescription right now")
        if str(rx.get("mailable")).lower() != "true":
            warnings.append("this prescription cannot be mailed")
        if not rx.get("refillEligible") and not (bucket == "fillable" and self._eligible_by_date(afc)):
            warnings.append(f"not eligible for a refill until {afc.get('nextFillEligibleDate') or 'later'}")
        if rx.get("rarStatus") and rx.get("rarCodeKey"):
            warnings.append(f"refill blocked by the pharmacy ({rx.get('rarCodeKey')})")
        if _int(rx.get("refillsRemaining")) <= 0:
            warnings.append("no refills left: ask your doctor for a new prescription")
        if card is None:
            warnings.append("no payment method on file in the Kaiser wallet")
        mail_option: dict[str, Any] = next(
            (o for o in rx.get("fillOptions") or [] if o.get("deliveryMethod") == "M"), {}
        )
        address = _preferred_address(profile)
        names = ((profile["UserAccountData"]["ebizAccountsWithPersonInfos"] or {}).get("nameDetails")) or {}
        # Every fact the order carries, as the order carries it (see place / _order_body).
        content = {
            "rx_number": rx_number,
            "medication": rx.get("medicineName"),
            "brand": rx.get("commonBrandName"),
            "instructions": rx.get("consumerInstructions"),
            "for": f"{names.get('firstName')} {names.get('surname')}",
            "delivery": "mail",
            "pharmacy": "Kaiser Permanente mail-order pharmacy",
            "estimated_copay": f"${float(afc.get('copay') or 0):.2f}",
            "mail_option_copay": mail_option.get("estimatedCopay"),
            "days_supply": afc.get("dispenseddayssupply") or mail_option.get("daysSupply"),
            "refills_remaining": rx.get("refillsRemaining"),
            "next_eligible_date": afc.get("nextFillEligibleDate"),
            "ship_to": _address_line(address),
            "payment": f"{card.get('cardType')} card from the Kaiser wallet" if card else None,
            "payment_method_on_file": card is not None,
        }
        preview = RefillPreview(rx_number, content, warnings)
        return PreparedRefill(preview, guid=guid, profile=profile, rx=rx, wallet_card=card)

    def _eligible_by_date(self, afc: Mapping[str, Any]) -> bool:
        # refillEligible was observed stale while the portal accepted the order (§3.1)
        try:
            when = datetime.strptime(str(afc.get("nextFillEligibleDate")), "%m/%d/%Y").date()
        except ValueError:
            return False
        return when <= self.today()

    async def place(self, ctx: PreparedRefill) -> RefillResult:
        """The committing calls; only after the caller checked ``ctx.preview.can_confirm``."""
        if not ctx.preview.can_confirm:
            raise WriteChainError("preview", "not committable: " + "; ".join(ctx.preview.warnings))
        address = _preferred_address(ctx.profile)
        postal = _zip(address)[:5]
        members = {ctx.guid: [ctx.rx]}
        base = self._pharmacy_headers() | {"x-cost-feature": "true", "x-benefitsIndicator-feature": "true"}
        await self._post(
            f"{_PHARMACY}/pharmacy-center-kpweb-bff/v1/cart/prescription",
            "cart/prescription",
            base,
            {
                "identifier": {
                    "id": "",
                    "type": "",
                    "removeRDOptions": False,
                    "isM3PMem": False,
                    "InsurancePlans": [],
                    "applyFeature": True,
                    "isTeenUser": False,
                    "isOrderByRx": False,
                },
                "cartItems": {ctx.guid: []},
                "rxNumber": json.dumps(ctx.rx),  # the whole Rx object as a JSON string, as the portal expects
            },
        )
        eligibility = await self._post(
            f"{_PHARMACY}/pharmacy-center-kpweb-bff/v1/rxdeliveryeligibility",
            "rxdeliveryeligibility",
            base,
            {"cartItems": members, "postalCode": postal},
        )
        if str((eligibility or {}).get("statuscode")) != "600":  # "600" means OK on this endpoint
            raise WriteChainError("rxdeliveryeligibility", f"not deliverable (statuscode {eligibility!r:.40})")
        placed_on = self.today().strftime("%m/%d/%Y")
        shipping = await self._get(
            f"{_PHARMACY}/pharmacy-center-kpweb-bff/v1/shippingDate",
            "shippingDate",
            self._pharmacy_headers()
            | {"X-ZipCode": postal, "X-state": str(address.get("state", "")), "x-OrderPlacedDate": placed_on},
        )
        transaction = str(uuid.uuid4())
        order = {"placeOrderReq": self._order_body(ctx, transaction, address, shipping)}
        response = await self._post(
            f"{_PHARMACY}/rx-place-order-bff/v1/placeorderMail",
            "placeorderMail",
            self._pharmacy_headers()
            | {
                "X-id": ctx.guid,
                "X-region": "MRN",
                "x-idType": "GUID",
                "x-cost-feature": "true",
                "x-benefitsIndicator-feature": "false",
            },
            order,
            sent=True,
        )
        status = str(((response or {}).get("executionContext") or {}).get("statusCode", ""))
        refills = (((response or {}).get("rxRefillArray") or {}).get("rxRefill")) or [{}]
        rx_code = str(refills[0].get("rxOrderResponseCode", "")) if isinstance(refills[0], dict) else ""
        number = str(((response or {}).get("Order") or {}).get("orderNumber", ""))
        return RefillResult(
            order_number=number,
            succeeded=status == "000" and rx_code == "000",
            execution_status=status,
            rx_response_code=rx_code,
        )

    def _order_body(
        self, ctx: PreparedRefill, transaction: str, address: Mapping[str, Any], shipping: Mapping[str, Any] | None
    ) -> dict[str, Any]:
        person = ctx.profile["UserAccountData"]["ebizAccountsWithPersonInfos"]
        names = person.get("nameDetails") or {}
        identity = ctx.profile["UserAccountData"].get("userIdentityInfo") or {}
        mrn = str((person.get("areaOfCareInfos") or [{}])[0].get("mrn", ""))
        afc = ctx.rx.get("afcInfo") or {}
        card = ctx.wallet_card or {}
        exp = str(card.get("expDate", ""))  # YYMM in the wallet, MM/YY in the order
        return {
            "deliveryMethod": "M",
            "transactionControlReference": transaction,
            "optionalPayment": True,
            "placerDetails": {
                "placerID": {"placerIdType": "GUID", "placerIDValue": ctx.guid},
                "placerName": {
                    "firstName": names.get("firstName"),
                    "lastName": names.get("surname"),
                    "middleName": names.get("middleName"),
                },
                "preferredLanguage": "EN",
                "region": "MRN",
                "emailID": identity.get("email", ""),
                "mobileNumber": _mobile_digits(person),
            },
            "rxDetails": {
                "rxInfo": [
                    {
                        "id": ctx.guid,
                        "idType": "self",
                        "memberName": f"{names.get('firstName')} {names.get('surname')}",
                        "rxNumber": afc.get("rxnbr"),
                        "rxName": ctx.rx.get("medicineName"),
                        "nhinId": "",
                        "mrn": mrn,
                        "mrnRegion": "NCA",
                        "daysSupplyRequested": afc.get("dispenseddayssupply"),
                        "daysSupplyMax": afc.get("dispenseddayssupply"),
                        "responseCode": "00",
                        "estimatedCopay": f"{float(afc.get('copay') or 0):.2f}",
                        "estimatedCopaySource": "CE",
                    }
                ]
            },
            "cosmosData": {"member": {"guid": ctx.guid, "mrn": mrn}, "prescriptions": [ctx.rx]},
            "sourceApplication": "WPP",
            "sourceChannel": "WEB",
            "shippingAddress": {
                "street1": address.get("street1"),
                "city": address.get("city"),
                "state": address.get("state"),
                "zip": _zip(address)[:5],
                "singleUse": False,
            },
            "creditCardDetails": {
                "oneTimeUse": False,
                "cardHolderName": {"firstName": card.get("firstName"), "lastName": card.get("lastName")},
                "billingAddress": {"zipCode": card.get("zipCode")},
                "expiryDate": f"{exp[2:4]}/{exp[0:2]}" if len(exp) == 4 else "",
                "last4Digit": card.get("ccNumber"),
                "cardType": _CARD_BRANDS.get(str(card.get("cardType")), ""),
                "walletPaymentToken": card.get("paymentToken"),
            },
            "deliveryStatus": _delivery_text(shipping),
            "regionalPhone": "",
        }

    def _pharmacy_headers(self) -> dict[str, str]:
        origin = self.client.kaiser.portal_url
        return {
            "Origin": origin,
            "Referer": f"{origin}/",
            "X-IBM-client-Id": self.client.kaiser.pharmacy_client_id,
            "Content-Type": "application/json",
            "Accept": "*/*",
        }

    def _wallet_headers(self, guid: str) -> dict[str, str]:
        return {
            "x-apiKey": self.client.kaiser.mycare_api_key,
            "X-appName": "rwd",
            "X-region": "MRN",
            "X-idType": "guid",
            "X-Requested-With": "XMLHttpRequest",
            "X-sessionToken": "false",
            "X-env": "undefined",
            "X-osversion": "0",
            "X-useragenttype": "Desktop",
            "X-useragentcategory": "B",
            "Origin": self.client.kaiser.portal_url,
            "Accept": "*/*",
            "x-guid": guid,
        }

    async def _get(self, path: str, key: str, headers: Mapping[str, str]) -> Any:
        return await self.client.request_json(
            "GET", f"{self.client.kaiser.pharmacy_url}{path}", surface=SURFACE, key=key, headers=headers
        )

    async def _post(self, path: str, key: str, headers: Mapping[str, str], body: Any, *, sent: bool = False) -> Any:
        try:
            return await self.client.request_json(
                "POST", f"{self.client.kaiser.pharmacy_url}{path}", surface=SURFACE, key=key, headers=headers, body=body
            )
        except Exception as exc:
            raise WriteChainError(key, str(exc), sent=sent) from None


def _find_rx(prescriptions: Mapping[str, Any], rx_number: str) -> tuple[str, dict[str, Any] | None]:
    for bucket in ("fillable", "nonFillable"):
        for rx in prescriptions.get(bucket) or []:
            if isinstance(rx, dict) and str((rx.get("afcInfo") or {}).get("rxnbr")) == rx_number:
                return bucket, rx
    return "", None


def _preferred_address(profile: Mapping[str, Any]) -> dict[str, Any]:
    person = profile["UserAccountData"]["ebizAccountsWithPersonInfos"]
    addresses = [a for a in (person.get("contactInfo") or {}).get("addressInfos") or [] if isinstance(a, dict)]
    preferred = [a for a in addresses if a.get("preferredIn")]
    return (preferred or addresses or [{}])[0]


def _address_line(address: Mapping[str, Any]) -> str:
    """The shipping address exactly as ``_order_body`` sends it: street1, city, state, 5-digit zip."""
    street = str(address.get("street1") or "").strip()
    place = f"{address.get('city', '')}, {address.get('state', '')} {_zip(address)[:5]}".strip(", ")
    return f"{street}, {place}" if street else place


def _zip(address: Mapping[str, Any]) -> str:
    raw = str(address.get("postalCode", ""))
    return raw.zfill(9) if len(raw) > 5 else raw.zfill(5)


def _mobile_digits(person: Mapping[str, Any]) -> str:
    phones = (person.get("contactInfo") or {}).get("phoneInfos") or []
    for phone in sorted(phones, key=lambda p: p.get("type") != "SMS"):
        number = phone.get("phoneNumber") or {}
        if number.get("area") is not None:
            return f"{int(number['area']):03d}{int(number['exchange']):03d}{int(number['subscriber']):04d}"
    return ""


def _delivery_text(shipping: Mapping[str, Any] | None) -> str:
    # The portal builds this sentence client-side from `from`/`to` and sends it back in the order.
    if not shipping:
        return ""
    try:
        start = datetime.strptime(str(shipping.get("from")), "%m/%d/%Y")
        end = datetime.strptime(str(shipping.get("to")), "%m/%d/%Y")
    except ValueError:
        return ""
    return f"Estimated to arrive between {start:%A, %B} {start.day} and {end:%A, %B} {end.day}."


def _int(value: Any) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        return 0
