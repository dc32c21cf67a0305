"""The test-results surface: anti-forgery token, PageNonce, GetList shape and filters, GetDetails, faults."""

from __future__ import annotations

import json
from typing import Any

import httpx2
import pytest

from sandbox.portal import PortalConfig
from tests.sandbox.portal_driver import BASE, PortalDriver

LIST = "/mychartcn/api/test-results/GetList"
DETAILS = "/mychartcn/api/test-results/GetDetails"
REFERER = {"Referer": f"{BASE}/mychartcn/app/test-results", "X-Requested-With": "XMLHttpRequest"}


def _list(driver: PortalDriver, body: dict[str, Any], *, token: str | None = None) -> httpx2.Response:
    """POST GetList; with no explicit token a fresh one is fetched first."""
    headers = dict(REFERER)
    token = token if token is not None else driver.csrf_token()
    if token:
        headers["__RequestVerificationToken"] = token
    payload = {"groupType": "ORDER", "searchString": "", "maxResults": 50, "isCurAdmFilterEnabled": False}
    return driver.client.post(LIST, json={**payload, **body}, headers=headers, follow_redirects=False)


def _details(driver: PortalDriver, order_key: str, nonce: str | None) -> httpx2.Response:
    body: dict[str, Any] = {"orderKey": order_key, "organizationID": ""}
    if nonce is not None:
        body["PageNonce"] = nonce
    headers = {**REFERER, "__RequestVerificationToken": driver.csrf_token()}
    return driver.client.post(DETAILS, json=body, headers=headers, follow_redirects=False)


def _is_five_hundred(response: httpx2.Response) -> bool:
    return response.status_code == 302 and response.headers["location"] == f"{BASE}/mychartcn/Home/FiveHundred"


def test_csrf_token_is_an_html_fragment(signed_in: PortalDriver) -> None:
    response = signed_in.client.get("/mychartcn/Home/CSRFToken", params={"noCache": "0.5"})
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.startswith('<input name="__RequestVerificationToken" type="hidden" value="')


def test_get_list_without_or_with_a_foreign_token_bounces_to_five_hundred(signed_in: PortalDriver) -> None:
    assert _is_five_hundred(_list(signed_in, {}, token=""))
    assert _is_five_hundred(_list(signed_in, {}, token="made-up-token"))


def test_five_hundred_page_is_html(signed_in: PortalDriver) -> None:
    response = signed_in.client.get("/mychartcn/Home/FiveHundred")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")


def test_get_list_keys_carry_a_trailing_caret(signed_in: PortalDriver) -> None:
    listing = _list(signed_in, {}).json()
    orders = signed_in.patient.lab_orders
    assert listing["groupBy"] == "ORDER" and listing["areResultsFullyLoaded"] is True
    assert set(listing["newResults"]) == {f"{order.key}^" for order in orders}
    for key, entry in listing["newResults"].items():
        assert key == entry["key"] + "^" and entry["resultComponents"] == []
    grouped = [key for group in listing["newResultGroups"] for key in group["resultList"]]
    assert sorted(grouped) == sorted(order.key for order in orders)
    assert {"key", "resultList", "sortDate", "formattedDate", "organizationID"} <= set(listing["newResultGroups"][0])


def test_get_list_honours_max_results_newest_first(signed_in: PortalDriver) -> None:
    listing = _list(signed_in, {"maxResults": 2}).json()
    instants = [entry["orderMetadata"]["prioritizedInstantISO"] for entry in listing["newResults"].values()]
    every = sorted(
        (order.list_entry["orderMetadata"]["prioritizedInstantISO"] for order in signed_in.patient.lab_orders),
        reverse=True,
    )
    assert instants == every[:2]
    assert listing["areResultsFullyLoaded"] is False
    returned = set(listing["newResults"])
    assert all(f"{key}^" in returned for group in listing["newResultGroups"] for key in group["resultList"])


def test_get_list_search_string_is_case_insensitive(signed_in: PortalDriver) -> None:
    listing = _list(signed_in, {"searchString": "lipid"}).json()
    assert [entry["name"] for entry in listing["newResults"].values()] == ["LIPID PANEL"]


def test_uninitialized_group_type_returns_nothing(signed_in: PortalDriver) -> None:
    listing = _list(signed_in, {"groupType": "UNINITIALIZED"}).json()
    assert listing["newResults"] == {} and listing["newResultGroups"] == []


def test_get_details_needs_a_page_nonce(signed_in: PortalDriver) -> None:
    key = signed_in.patient.lab_orders[0].key
    assert _is_five_hundred(_details(signed_in, key, None))
    assert _is_five_hundred(_details(signed_in, key, "0" * 32))


def test_get_details_returns_the_order(signed_in: PortalDriver) -> None:
    order = signed_in.patient.lab_orders[1]
    response = _details(signed_in, order.key, signed_in.page_nonce())
    assert response.status_code == 200 and response.json() == order.detail


def test_only_the_latest_page_nonces_stay_valid(signed_in: PortalDriver) -> None:
    key = signed_in.patient.lab_orders[0].key
    first = signed_in.page_nonce()
    recent = [signed_in.page_nonce() for _ in range(5)]
    assert len(set(recent)) == 5
    assert _is_five_hundred(_details(signed_in, key, first))
    assert _details(signed_in, key, recent[0]).status_code == 200


def test_test_results_page_sets_a_matching_csp(signed_in: PortalDriver) -> None:
    response = signed_in.client.get("/mychartcn/app/test-results")
    nonce = response.text.split('<script nonce="', 1)[1][:32]
    assert f"'nonce-{nonce}'" in response.headers["content-security-policy"]


def test_get_details_for_an_unknown_order_is_404_json(signed_in: PortalDriver) -> None:
    response = _details(signed_in, "WP-24unknown", signed_in.page_nonce())
    assert response.status_code == 404 and response.headers["content-type"] == "application/json"


def test_malformed_detail_fault_truncates_the_json(signed_in: PortalDriver, config: PortalConfig) -> None:
    key = signed_in.patient.lab_orders[2].key
    config.faults.malformed_detail_keys.add(key)
    response = _details(signed_in, key, signed_in.page_nonce())
    assert response.status_code == 200 and response.headers["content-type"] == "application/json"
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    other = signed_in.patient.lab_orders[3].key
    assert _details(signed_in, other, signed_in.page_nonce()).json()["key"] == other


def test_results_need_a_live_session(driver: PortalDriver) -> None:
    response = driver.client.post(LIST, json={}, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].startswith(f"{BASE}/as/authorization.oauth2?")
