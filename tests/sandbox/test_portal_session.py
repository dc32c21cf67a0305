"""Session lifetime: idle expiry on an injected clock, keepalive, and the expiry signals of each host."""

from __future__ import annotations

from urllib.parse import urlsplit

from sandbox.portal import PortalConfig
from tests.sandbox.portal_driver import BASE, MYCARE_HEADERS, FakeClock, PortalDriver, pharmacy_headers

RX_PATH = "/kp/mycare/pharmacy-microservices/rx-cost-inventory-bff/v1/rxDetails"


def _is_identity_redirect(location: str) -> bool:
    return location.startswith(f"{BASE}/as/authorization.oauth2?")


def test_keepalive_is_alive_while_the_session_is_used(signed_in: PortalDriver, clock: FakeClock) -> None:
    for count in range(3):
        clock.advance(1000)  # under the 1200 s idle limit each time: every request refreshes last-seen
        response = signed_in.client.get("/mychartcn/keepalive.asp", params={"cnt": count}, follow_redirects=False)
        assert response.status_code == 200


def test_idle_session_expires_with_a_redirect_to_identity(signed_in: PortalDriver, clock: FakeClock) -> None:
    clock.advance(1201)
    response = signed_in.client.get("/mychartcn/keepalive.asp", params={"cnt": 1}, follow_redirects=False)
    assert response.status_code == 302 and _is_identity_redirect(response.headers["location"])


def test_expired_session_signals_per_host(signed_in: PortalDriver, clock: FakeClock) -> None:
    guid = signed_in.patient.profile["UserAccountData"]["userIdentityInfo"]["guid"]
    clock.advance(5000)
    client = signed_in.client
    home = client.get("/mychartcn/Home", follow_redirects=False)
    assert home.status_code == 302 and _is_identity_redirect(home.headers["location"])
    user = client.get("/mycare/v1.0/user", headers=MYCARE_HEADERS, follow_redirects=False)
    assert user.status_code == 302 and _is_identity_redirect(user.headers["location"])
    rx = client.get(RX_PATH, params={"prescriptions_filter": "all"}, headers=pharmacy_headers(guid))
    assert rx.status_code == 401 and rx.headers["content-type"] == "application/json"


def test_identity_redirect_leads_back_to_a_sign_in_form(signed_in: PortalDriver, clock: FakeClock) -> None:
    clock.advance(5000)
    response = signed_in.client.get("/mychartcn/keepalive.asp", follow_redirects=False)
    location = urlsplit(response.headers["location"])
    query = dict(pair.split("=", 1) for pair in location.query.split("&"))
    assert query["client_id"] == "KPORGOauthClientPAWebSessionV1" and query["state"]
    form = signed_in.client.get(response.headers["location"])
    assert 'name="pf.username"' in form.text
    # Device trust survives the session: signing in again needs no code.
    sent = len(signed_in.outbox)
    assert signed_in.sign_in().url.path == "/mychartcn/Home"
    assert len(signed_in.outbox) == sent


def test_expire_all_sessions_fault(signed_in: PortalDriver, config: PortalConfig) -> None:
    config.faults.expire_all_sessions = True
    response = signed_in.client.get("/mychartcn/keepalive.asp", follow_redirects=False)
    assert response.status_code == 302 and _is_identity_redirect(response.headers["location"])
    config.faults.expire_all_sessions = False
    # The old session is gone for good; a fresh sign-in works again.
    assert signed_in.client.get("/mychartcn/keepalive.asp", follow_redirects=False).status_code == 302
    signed_in.sign_in()
    assert signed_in.client.get("/mychartcn/keepalive.asp", follow_redirects=False).status_code == 200


def test_session_idle_seconds_is_configurable(driver: PortalDriver, config: PortalConfig, clock: FakeClock) -> None:
    config.session_idle_seconds = 10
    driver.sign_in()
    clock.advance(11)
    assert driver.client.get("/mychartcn/keepalive.asp", follow_redirects=False).status_code == 302
