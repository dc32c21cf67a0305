"""The pharmacy BFF ``rxDetails``: its header contract (401, inferred) and the prescriptions filter; the refill
chain's delivery eligibility of a malformed cart."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.portal import PortalConfig
from tests.sandbox.portal_driver import PortalDriver, pharmacy_headers

RX = "/kp/mycare/pharmacy-microservices/rx-cost-inventory-bff/v1/rxDetails"


def _guid(driver: PortalDriver) -> int:
    guid = driver.patient.profile["UserAccountData"]["userIdentityInfo"]["guid"]
    assert isinstance(guid, int)
    return guid


@pytest.mark.parametrize("missing", ["X-IBM-client-Id", "x-guid", "X-region", "X-idType"])
def test_missing_contract_header_gives_401_json(signed_in: PortalDriver, missing: str) -> None:
    headers = {k: v for k, v in pharmacy_headers(_guid(signed_in)).items() if k != missing}
    response = signed_in.client.get(RX, params={"prescriptions_filter": "all"}, headers=headers)
    assert response.status_code == 401 and response.headers["content-type"] == "application/json"


def test_wrong_guid_or_client_id_gives_401(signed_in: PortalDriver) -> None:
    headers = pharmacy_headers(_guid(signed_in) + 1)
    assert signed_in.client.get(RX, params={"prescriptions_filter": "all"}, headers=headers).status_code == 401
    headers = {**pharmacy_headers(_guid(signed_in)), "X-IBM-client-Id": "other"}
    assert signed_in.client.get(RX, params={"prescriptions_filter": "all"}, headers=headers).status_code == 401


def test_all_filter_returns_both_buckets(signed_in: PortalDriver) -> None:
    response = signed_in.client.get(f"{RX}?&prescriptions_filter=all", headers=pharmacy_headers(_guid(signed_in)))
    assert response.status_code == 200
    assert response.json() == signed_in.patient.rx_details
    prescriptions = response.json()["prescriptions"]
    assert prescriptions["fillable"] and prescriptions["nonFillable"]


def test_fillable_filter_drops_the_non_fillable_bucket(signed_in: PortalDriver) -> None:
    response = signed_in.client.get(
        RX, params={"prescriptions_filter": "fillable"}, headers=pharmacy_headers(_guid(signed_in))
    )
    prescriptions = response.json()["prescriptions"]
    assert prescriptions["nonFillable"] == []
    assert prescriptions["fillable"] == signed_in.patient.rx_details["prescriptions"]["fillable"]


def test_unknown_filter_is_rejected(signed_in: PortalDriver) -> None:
    response = signed_in.client.get(
        RX, params={"prescriptions_filter": "bogus"}, headers=pharmacy_headers(_guid(signed_in))
    )
    assert response.status_code == 400


def test_custom_client_id_is_enforced(driver: PortalDriver, config: PortalConfig) -> None:
    config.pharmacy_client_id = "configured-id"
    driver.sign_in()
    headers = {**pharmacy_headers(_guid(driver)), "X-IBM-client-Id": "configured-id"}
    assert driver.client.get(RX, params={"prescriptions_filter": "all"}, headers=headers).status_code == 200


@pytest.mark.parametrize(
    "cart_items",
    [lambda guid: {guid: ["not-an-object"]}, lambda guid: [], lambda guid: None],
    ids=["item-not-an-object", "cart-items-a-list", "cart-items-null"],
)
def test_delivery_eligibility_of_a_malformed_cart_answers_610_like_other_bad_carts(
    signed_in: PortalDriver, cart_items: Callable[[str], Any]
) -> None:
    eligibility = "/kp/mycare/pharmacy-microservices/pharmacy-center-kpweb-bff/v1/rxdeliveryeligibility"
    guid = str(_guid(signed_in))
    mailable = next(rx for rx in signed_in.patient.rx_details["prescriptions"]["fillable"] if rx["mailable"] == "true")
    body = {"cartItems": cart_items(guid), "postalCode": "94501"}
    response = signed_in.client.post(eligibility, json=body, headers=pharmacy_headers(guid))
    assert (response.status_code, response.json()) == (200, {"statuscode": "610", "rxinfo": [], "deliverytypeinfo": {}})
    good = {"cartItems": {guid: [mailable]}, "postalCode": "94501"}  # the same call with a well-formed cart
    assert signed_in.client.post(eligibility, json=good, headers=pharmacy_headers(guid)).json()["statuscode"] == "600"
