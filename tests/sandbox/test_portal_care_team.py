"""The care-team surface: empty-body POSTs with query parameters behind the anti-forgery contract."""

from __future__ import annotations

import httpx2

from tests.sandbox.portal_driver import BASE, PortalDriver

LOAD = "/mychartcn/Clinical/CareTeam/Load"
EXTERNAL = "/mychartcn/Clinical/CareTeam/LoadExternal"
QUERY = {
    "hfrId": "",
    "sources": "",
    "actions": "",
    "isPrimaryStandalone": "true",
    "ComponentNumber": "2",
    "noCache": "0.2",
}


def _post(
    driver: PortalDriver,
    path: str = LOAD,
    *,
    token: str | None = None,
    params: dict[str, str] | None = None,
    body: str = "",
) -> httpx2.Response:
    headers = {"Referer": f"{BASE}/mychartcn/clinical/careteam", "X-Requested-With": "XMLHttpRequest"}
    headers["__RequestVerificationToken"] = driver.csrf_token() if token is None else token
    return driver.client.post(
        path, params=QUERY if params is None else params, content=body, headers=headers, follow_redirects=False
    )


def _five_hundred(response: httpx2.Response) -> bool:
    return response.status_code == 302 and response.headers["location"].endswith("/mychartcn/Home/FiveHundred")


def test_load_lists_the_team_with_the_pcp_first(signed_in: PortalDriver) -> None:
    body = _post(signed_in).json()
    providers = body["ProvidersList"]
    assert len(providers) == 4
    assert providers[0]["Relation"] == "Primary Care Provider"
    for provider in providers:
        assert provider["ID"].startswith("WP-") and provider["NationalProviderID"].startswith("WP-")
        assert provider["ID"] != provider["NationalProviderID"]
        assert provider["Name"] == provider["Name"].upper()
        assert provider["SchedulableVisitTypes"] is None and provider["IsExternal"] is False
    assert body["DescriptiveTitle"] == "Care Team and Recent Providers"


def test_load_external_is_empty_for_the_small_patient(signed_in: PortalDriver) -> None:
    token = signed_in.csrf_token()
    params = {k: v for k, v in QUERY.items() if k != "isPrimaryStandalone"}
    assert _post(signed_in, EXTERNAL, token=token, params=params).json()["ProvidersList"] == []
    assert _post(signed_in, LOAD, token=token).status_code == 200  # one token serves both calls


def test_contract_breaks_bounce_to_five_hundred(signed_in: PortalDriver) -> None:
    assert _five_hundred(_post(signed_in, token=""))
    assert _five_hundred(_post(signed_in, body="hfrId="))
    assert _five_hundred(_post(signed_in, params={"noCache": "1"}))
