"""``/mycare/v1.0/user``: the 502 header contract, JSONPath projection, and the single-path quirk."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.sandbox.portal_driver import BASE, MYCARE_HEADERS, MYCARE_PATHS, PortalDriver

USER = "/mycare/v1.0/user"


def _phones_sorted(document: dict[str, Any]) -> dict[str, Any]:
    contact = document["UserAccountData"]["ebizAccountsWithPersonInfos"]["contactInfo"]
    contact["phoneInfos"].sort(key=lambda phone: phone["type"])
    return document


@pytest.mark.parametrize("missing", ["X-apiKey", "X-appName", "X-componentName", "X-sessionToken"])
def test_missing_contract_header_gives_502(signed_in: PortalDriver, missing: str) -> None:
    headers = {name: value for name, value in MYCARE_HEADERS.items() if name != missing}
    assert signed_in.client.get(USER, headers=headers).status_code == 502


def test_wrong_api_key_gives_502(signed_in: PortalDriver) -> None:
    response = signed_in.client.get(USER, headers={**MYCARE_HEADERS, "X-apiKey": "someone-else"})
    assert response.status_code == 502


def test_header_contract_is_checked_before_the_session(driver: PortalDriver) -> None:
    assert driver.client.get(USER, follow_redirects=False).status_code == 502
    response = driver.client.get(USER, headers=MYCARE_HEADERS, follow_redirects=False)
    assert response.status_code == 302
    assert response.headers["location"].startswith(f"{BASE}/as/authorization.oauth2?")


def test_no_inclusion_header_returns_the_whole_document(signed_in: PortalDriver) -> None:
    document = signed_in.client.get(USER, headers=MYCARE_HEADERS).json()
    expected = _phones_sorted(copy.deepcopy(signed_in.patient.profile))
    assert _phones_sorted(document) == expected


def test_projection_keeps_only_the_requested_subtrees(signed_in: PortalDriver) -> None:
    headers = {**MYCARE_HEADERS, "X-inclusionJsonPath": MYCARE_PATHS}
    document = signed_in.client.get(USER, headers=headers).json()
    account = document["UserAccountData"]["ebizAccountsWithPersonInfos"]
    assert set(account) == {"nameDetails", "contactInfo", "membershipAccountInfo"}
    assert set(account["contactInfo"]) == {"phoneInfos"}
    assert set(account["membershipAccountInfo"]) == {"planInfos"}
    first_plan = signed_in.patient.profile["UserAccountData"]["ebizAccountsWithPersonInfos"]["membershipAccountInfo"][
        "planInfos"
    ][0]
    assert account["membershipAccountInfo"]["planInfos"] == [
        {key: first_plan[key] for key in ("purchaserName", "consumerPlanType", "coverageStartDate", "coverageEndDate")}
    ]
    identity = document["UserAccountData"]["userIdentityInfo"]
    assert set(identity) == {"guid", "email", "preferredGivenName"}
    assert isinstance(identity["guid"], int)


def test_single_inclusion_path_comes_back_without_the_wrapper(signed_in: PortalDriver) -> None:
    headers = {**MYCARE_HEADERS, "X-inclusionJsonPath": "$.UserAccountData.userIdentityInfo.{guid}"}
    document = signed_in.client.get(USER, headers=headers).json()
    guid = signed_in.patient.profile["UserAccountData"]["userIdentityInfo"]["guid"]
    assert document == {"userIdentityInfo": {"guid": guid}}


def test_indexed_path_and_array_member_steps(signed_in: PortalDriver) -> None:
    paths = (
        "$.UserAccountData.ebizAccountsWithPersonInfos.areaOfCareInfos.mrn;"
        "$.UserAccountData.ebizAccountsWithPersonInfos.contactInfo.addressInfos[1].postalCode"
    )
    document = signed_in.client.get(USER, headers={**MYCARE_HEADERS, "X-inclusionJsonPath": paths}).json()
    account = document["UserAccountData"]["ebizAccountsWithPersonInfos"]
    mrn = account["areaOfCareInfos"][0]["mrn"]
    assert account["areaOfCareInfos"] == [{"mrn": mrn}]
    assert list(account["contactInfo"]["addressInfos"][0]) == ["postalCode"]


def test_unmatched_and_unsupported_paths_are_ignored(signed_in: PortalDriver) -> None:
    paths = "$.UserAccountData.nothingHere;$..recursive;$.UserAccountData.userIdentityInfo.email"
    document = signed_in.client.get(USER, headers={**MYCARE_HEADERS, "X-inclusionJsonPath": paths}).json()
    email = signed_in.patient.profile["UserAccountData"]["userIdentityInfo"]["email"]
    assert document == {"UserAccountData": {"userIdentityInfo": {"email": email}}}


def test_phone_order_varies_between_calls(signed_in: PortalDriver) -> None:
    headers = {
        **MYCARE_HEADERS,
        "X-inclusionJsonPath": "$.UserAccountData.ebizAccountsWithPersonInfos.contactInfo.phoneInfos",
    }
    orders = set()
    for _ in range(3):
        contact = signed_in.client.get(USER, headers=headers).json()["ebizAccountsWithPersonInfos"]["contactInfo"]
        orders.add(tuple(phone["type"] for phone in contact["phoneInfos"]))
    assert len(orders) > 1
