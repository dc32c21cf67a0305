"""Anti-forgery tokens as ASP.NET checks them (§1.6): bound to the session, any number valid at once, a
missing or foreign token bounced to FiveHundred, and the ``csrf-max-age`` switch for an unknown lifetime."""

from __future__ import annotations

import httpx2
import pytest
from starlette.testclient import TestClient

from sandbox.portal import PortalConfig
from sandbox.portal.fault_spec import parse_faults
from tests.sandbox.portal_driver import BASE, FakeClock, PortalDriver

PATH = "/mychartcn/Clinical/HealthIssues/LoadListData"
QUERY = {"csn": "undefined", "ComponentNumber": "4", "noCache": "0.5"}


def _post(driver: PortalDriver, token: str | None) -> httpx2.Response:
    headers = {"Referer": f"{BASE}/mychartcn/Clinical/HealthIssues", "X-Requested-With": "XMLHttpRequest"}
    if token is not None:
        headers["__RequestVerificationToken"] = token
    return driver.client.post(PATH, params=QUERY, json={}, headers=headers, follow_redirects=False)


def _bounced(response: httpx2.Response) -> bool:
    return response.status_code == 302 and response.headers["location"] == f"{BASE}/mychartcn/Home/FiveHundred"


def test_every_token_issued_to_the_session_stays_valid(signed_in: PortalDriver) -> None:
    tokens = [signed_in.csrf_token() for _ in range(60)]  # e.g. one per call, fetched by concurrent surfaces
    assert len(set(tokens)) == 60
    assert all(_post(signed_in, token).status_code == 200 for token in (tokens[0], tokens[30], tokens[-1]))
    assert _post(signed_in, tokens[0]).status_code == 200  # a token may be used again


@pytest.mark.parametrize(
    "token", [None, "", "Zx9-invented-token-Q1", "A" * 60], ids=["missing", "empty", "made-up", "garbage"]
)
def test_a_missing_or_invalid_token_is_bounced_to_five_hundred(signed_in: PortalDriver, token: str | None) -> None:
    assert _bounced(_post(signed_in, token))


def test_a_token_of_another_session_is_bounced(signed_in: PortalDriver) -> None:
    with TestClient(signed_in.client.app, base_url=BASE) as browser:
        other = PortalDriver(browser, signed_in.patient, signed_in.outbox)
        other.sign_in()  # a second session, with its own anti-forgery cookie
        assert _bounced(_post(other, signed_in.csrf_token()))
        assert _post(other, other.csrf_token()).status_code == 200


def test_tokens_older_than_the_max_age_switch_are_bounced(
    signed_in: PortalDriver, config: PortalConfig, clock: FakeClock
) -> None:
    config.faults = parse_faults("csrf-max-age=60")
    token = signed_in.csrf_token()
    clock.advance(59)
    assert _post(signed_in, token).status_code == 200
    clock.advance(2)
    assert _bounced(_post(signed_in, token))
    assert _post(signed_in, signed_in.csrf_token()).status_code == 200
