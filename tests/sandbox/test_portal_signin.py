"""The Ping-like sign-in, MFA, device trust and the Epic bootstrap chain, through the HTTP surface."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import httpx2
from starlette.testclient import TestClient

from sandbox.sms import SmsOutbox
from tests.sandbox.portal_driver import BASE, PortalDriver, form_action


def _location(response: httpx2.Response) -> str:
    return response.headers["location"]


def test_sign_in_chain_hop_by_hop_reaches_the_dashboard(driver: PortalDriver, outbox: SmsOutbox) -> None:
    client = driver.client
    hop = client.get("/sign-on", follow_redirects=False)
    assert (hop.status_code, _location(hop)) == (302, f"{BASE}/secure/inner-door")
    hop = client.get(_location(hop), follow_redirects=False)
    authorize = urlsplit(_location(hop))
    assert hop.status_code == 302 and authorize.path == "/as/authorization.oauth2"
    query = parse_qs(authorize.query)
    assert query["client_id"] == ["KPORGOauthClientPAWebSessionV1"]
    assert query["redirect_uri"] == [f"{BASE}/pa/oidc/cb"]
    assert query["response_type"] == ["code"] and query["scope"] == ["openid"]
    assert query["state"][0] and query["nonce"][0]

    form = client.get(_location(hop), follow_redirects=False)
    assert form.status_code == 200
    assert 'name="pf.username"' in form.text and 'type="password" name="pf.pass"' in form.text
    assert 'name="pf.adapterId" value="KpOrgHTMLFormAdapter"' in form.text
    assert 'name="pf.ok" value="clicked"' in form.text
    action = form_action(form.text)
    assert re.fullmatch(r"/as/[A-Za-z0-9]{8,12}/resume/as/authorization\.ping", action)

    mfa = driver.submit_credentials(action)
    assert mfa.status_code == 200 and 'name="otp"' in mfa.text and 'name="mfa.ok"' in mfa.text
    assert len(outbox) == 1
    code = outbox.latest_code()
    assert code is not None and re.fullmatch(r"\d{6}", code)

    hop = client.post(form_action(mfa.text), data={"otp": code}, follow_redirects=False)
    callback = urlsplit(_location(hop))
    assert hop.status_code == 302 and callback.path == "/pa/oidc/cb"
    assert parse_qs(callback.query)["state"] == query["state"]
    trust = next(c for c in hop.headers.get_list("set-cookie") if c.startswith("PF.PERSISTENT="))
    assert "max-age" in trust.lower() and "httponly" in trust.lower()

    hop = client.get(_location(hop), follow_redirects=False)
    cookies = {c.split("=", 1)[0] for c in hop.headers.get_list("set-cookie")}
    assert {"MyChartSessionToken4mychartcn", "MyChartAccessToken4mychartcn", "KPSessionId"} <= cookies
    assert {"MyChart_Session", "isAuth", "isSignedOn"} <= cookies
    session_cookie = next(
        c for c in hop.headers.get_list("set-cookie") if c.startswith("MyChartSessionToken4mychartcn=")
    )
    assert "httponly" in session_cookie.lower() and "Path=/" in session_cookie

    expected = [
        "/secure/inner-door",
        "/mychartcn/Home",
        "/mychartcn/Authentication/Login",
        "/mychartcn/default.asp",
        "/mychartcn/inside.asp",
        "/mychartcn/Home",
    ]
    seen = []
    while hop.status_code == 302:
        seen.append(urlsplit(_location(hop)).path)
        hop = client.get(_location(hop), follow_redirects=False)
    assert seen == expected
    assert hop.status_code == 200 and hop.url.query == b"lang=en-US"
    assert "Welcome" in hop.text


def test_sign_in_with_redirects_followed_lands_on_home(driver: PortalDriver) -> None:
    page = driver.sign_in()
    assert str(page.url) == f"{BASE}/mychartcn/Home?lang=en-US"
    assert driver.client.cookies.get("isAuth") == "true"
    assert driver.client.get("/mychartcn/keepalive.asp", params={"cnt": 0}).status_code == 200


def test_wrong_password_shows_the_form_again_with_an_alert(driver: PortalDriver, outbox: SmsOutbox) -> None:
    action = driver.open_sign_in()
    page = driver.submit_credentials(action, password="not-the-password")
    assert page.status_code == 200
    assert re.search(r'<div class="kp-login-error" role="alert">[^<]*not recognised', page.text)
    assert 'name="pf.pass"' in page.text
    assert len(outbox) == 0
    # The same attempt still accepts the right password.
    assert "/resume/as/mfa" in driver.submit_credentials(form_action(page.text)).text


def test_wrong_code_is_rejected_then_the_right_one_signs_in(driver: PortalDriver, outbox: SmsOutbox) -> None:
    mfa = driver.submit_credentials(driver.open_sign_in())
    code = outbox.latest_code()
    assert code is not None
    wrong = "000000" if code != "000000" else "111111"
    again = driver.submit_code(form_action(mfa.text), wrong)
    assert again.status_code == 200
    assert re.search(r'<div class="kp-login-error" role="alert">That code didn&#x27;t match', again.text)
    final = driver.submit_code(form_action(again.text), code)
    assert final.url.path == "/mychartcn/Home"


def test_three_wrong_codes_kill_the_attempt(driver: PortalDriver, outbox: SmsOutbox) -> None:
    mfa = driver.submit_credentials(driver.open_sign_in())
    action = form_action(mfa.text)
    code = outbox.latest_code()
    assert code is not None
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(2):
        assert 'name="otp"' in driver.submit_code(action, wrong).text
    locked = driver.submit_code(action, wrong)
    assert 'name="otp"' not in locked.text and 'role="alert"' in locked.text
    assert 'href="/sign-on"' in locked.text
    after = driver.submit_code(action, code)
    assert after.url.path.startswith("/as/") and 'name="otp"' not in after.text
    # Starting over works and texts a new code.
    assert driver.sign_in().url.path == "/mychartcn/Home"
    assert len(outbox) == 2


def test_device_trust_cookie_skips_mfa_next_time(driver: PortalDriver, outbox: SmsOutbox) -> None:
    driver.sign_in()
    assert len(outbox) == 1
    driver.client.cookies.delete("MyChartSessionToken4mychartcn")
    page = driver.submit_credentials(driver.open_sign_in())
    assert page.url.path == "/mychartcn/Home" and len(outbox) == 1


def test_forged_device_trust_cookie_still_gets_mfa(client: TestClient, driver: PortalDriver) -> None:
    client.cookies.set("PF.PERSISTENT", "forged-value")
    page = driver.submit_credentials(driver.open_sign_in())
    assert 'name="otp"' in page.text


def test_each_attempt_gets_its_own_session_segment(driver: PortalDriver) -> None:
    assert driver.open_sign_in() != driver.open_sign_in()


def test_callback_rejects_an_unknown_code(client: TestClient) -> None:
    response = client.get("/pa/oidc/cb", params={"code": "nope", "state": "nope"}, follow_redirects=False)
    assert response.status_code == 400
    assert "MyChartSessionToken4mychartcn" not in client.cookies


def test_authorization_endpoint_rejects_a_foreign_client(client: TestClient) -> None:
    response = client.get("/as/authorization.oauth2", params={"client_id": "other", "response_type": "code"})
    assert response.status_code == 400


def test_unauthenticated_home_redirects_to_identity(client: TestClient) -> None:
    response = client.get("/mychartcn/Home", follow_redirects=False)
    assert response.status_code == 302
    assert _location(response).startswith(f"{BASE}/as/authorization.oauth2?")
