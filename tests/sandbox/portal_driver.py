"""Test helpers for the sandbox portal: a hand-driven clock and a client that signs in like the browser."""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx2
from starlette.testclient import TestClient

from sandbox.patient import SyntheticPatient
from sandbox.sms import SmsOutbox

BASE = "http://testserver"
MYCARE_PATHS = ";".join(
    [
        "$.UserAccountData.ebizAccountsWithPersonInfos.nameDetails",
        "$.UserAccountData.ebizAccountsWithPersonInfos.contactInfo.phoneInfos",
        "$.UserAccountData.ebizAccountsWithPersonInfos.membershipAccountInfo.planInfos[0]"
        ".{purchaserName,consumerPlanType,coverageStartDate,coverageEndDate}",
        "$.UserAccountData.userIdentityInfo.{guid,email,preferredGivenName}",
    ]
)


class FakeClock:
    """A monotonic clock the test advances by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


def form_action(html: str) -> str:
    match = re.search(r'<form method="post" action="([^"]+)"', html)
    assert match, "no form on the page"
    return match.group(1)


@dataclass
class PortalDriver:
    """Drives the portal the way the browser does, step by step."""

    client: TestClient
    patient: SyntheticPatient
    outbox: SmsOutbox

    def open_sign_in(self) -> str:
        page = self.client.get("/sign-on")
        assert page.status_code == 200
        return form_action(page.text)

    def submit_credentials(self, action: str, *, password: str | None = None) -> httpx2.Response:
        form = {
            "pf.username": self.patient.username,
            "pf.pass": self.patient.password if password is None else password,
            "pf.ok": "clicked",
            "pf.adapterId": "KpOrgHTMLFormAdapter",
        }
        return self.client.post(action, data=form)

    def submit_code(self, action: str, code: str) -> httpx2.Response:
        return self.client.post(action, data={"otp": code, "mfa.ok": "clicked"})

    def sign_in(self) -> httpx2.Response:
        """Credentials then (if asked) the texted code; returns the final page."""
        page = self.submit_credentials(self.open_sign_in())
        if "/resume/as/mfa" in page.text:
            code = self.outbox.latest_code()
            assert code is not None
            page = self.submit_code(form_action(page.text), code)
        assert page.status_code == 200
        assert page.url.path == "/mychartcn/Home"
        return page

    def csrf_token(self) -> str:
        fragment = self.client.get("/mychartcn/Home/CSRFToken", params={"noCache": "0.123"}).text
        match = re.search(r'name="__RequestVerificationToken" type="hidden" value="([^"]+)"', fragment)
        assert match
        return match.group(1)

    def page_nonce(self) -> str:
        page = self.client.get("/mychartcn/app/test-results").text
        match = re.search(r'<script nonce="([0-9a-f]{32})">', page)
        assert match
        return match.group(1)


MYCARE_HEADERS = {
    "X-apiKey": "sandbox-mycare-api-key",
    "X-appName": "rx-order-management",
    "X-componentName": "User Profile Component",
    "X-versionId": "3.0.1.2",
    "X-sessionToken": "true",
    "X-Requested-With": "XMLHttpRequest",
    "Accept": "*/*",
}


def pharmacy_headers(guid: int | str) -> dict[str, str]:
    """The pharmacy BFF header contract for the default PortalConfig."""
    return {
        "X-IBM-client-Id": "sandbox-pharmacy-client-id",
        "x-guid": str(guid),
        "X-region": "MRN",
        "X-idType": "guid",
        "X-KPSessionID": "undefined",
        "X-disablecache": "false",
        "x-prescriptionsfilter": "all",
        "Accept": "*/*",
    }
