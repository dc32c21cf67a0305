"""The access-logs surface: two logs, ``startingLine`` paging, and the third-party cursor repeat."""

from __future__ import annotations

from typing import Any

import httpx2

from sandbox.portal.access_logs_api import log_page
from tests.sandbox.portal_driver import BASE, PortalDriver

PORTAL = "/mychartcn/api/access-logs/GetPortalAccessLogEntries"
THIRD = "/mychartcn/api/access-logs/GetThirdPartyAccessLogEntries"
REFERER = f"{BASE}/mychartcn/app/access-logs?lang=en-US&from=landingpage"


def _post(
    driver: PortalDriver, path: str, body: Any, *, referer: str = REFERER, token: str | None = None
) -> httpx2.Response:
    headers = {"Referer": referer, "X-Requested-With": "XMLHttpRequest"}
    headers["__RequestVerificationToken"] = driver.csrf_token() if token is None else token
    return driver.client.post(path, json=body, headers=headers, follow_redirects=False)


def test_first_page_of_each_log_has_the_documented_entries(signed_in: PortalDriver) -> None:
    portal = _post(signed_in, PORTAL, {"startingLine": -1}).json()
    assert len(portal["entries"]) == 14 and portal["nextLineToParse"] == 0
    assert set(portal["entries"][0]) == {"entryType", "ccdAction", "accessor", "accessTime"}
    assert portal["entries"][0]["accessTime"][-6:] in ("-08:00", "-07:00")
    third = _post(signed_in, THIRD, {"startingLine": -1}).json()
    assert set(third["entries"][0]) == {"action", "accessMethod", "accessor", "accessTime"}


def test_contract_breaks_bounce_to_five_hundred(signed_in: PortalDriver) -> None:
    for response in (
        _post(signed_in, PORTAL, {"startingLine": -1}, token=""),
        _post(signed_in, PORTAL, {"startingLine": -1}, referer=f"{BASE}/mychartcn/app/access-logs"),
        _post(signed_in, PORTAL, {"startingLine": "top"}),
    ):
        assert response.status_code == 302 and response.headers["location"].endswith("/FiveHundred")


def test_paging_walks_back_and_the_third_party_cursor_repeats_after_page_two() -> None:
    entries = [{"n": n} for n in range(130, 0, -1)]  # newest first, line numbers 130..1
    first = log_page(entries, -1, repeat_cursor=False)
    second = log_page(entries, first["nextLineToParse"], repeat_cursor=False)
    third = log_page(entries, second["nextLineToParse"], repeat_cursor=False)
    assert [len(p["entries"]) for p in (first, second, third)] == [50, 50, 30]
    assert [p["nextLineToParse"] for p in (first, second, third)] == [80, 30, 0]
    assert third["entries"][-1] == {"n": 1}
    quirky = log_page(entries, 80, repeat_cursor=True)
    assert quirky["entries"] == second["entries"] and quirky["nextLineToParse"] == 80
