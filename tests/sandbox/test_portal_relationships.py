"""The relationships surface: form-encoded GetRelationshipList behind the anti-forgery contract."""

from __future__ import annotations

import httpx2

from sandbox.patient import SyntheticPatient, generate_patient
from tests.sandbox.portal_driver import BASE, PortalDriver

PATH = "/mychartcn/Demographics/Relationships/GetRelationshipList"
FORM = "application/x-www-form-urlencoded; charset=UTF-8"


def _post(
    driver: PortalDriver, *, token: str | None = None, referer: str = "/mychartcn/AdvancedCarePlanning", **kw: object
) -> httpx2.Response:
    headers = {"Referer": BASE + referer, "X-Requested-With": "XMLHttpRequest", "Content-Type": FORM}
    headers["__RequestVerificationToken"] = driver.csrf_token() if token is None else token
    content = kw.get("content", "getEOLDocs=true&disableUTF8=true")
    return driver.client.post(
        PATH, params={"noCache": "0.1"}, content=str(content), headers=headers, follow_redirects=False
    )


def _five_hundred(response: httpx2.Response) -> bool:
    return response.status_code == 302 and response.headers["location"].endswith("/mychartcn/Home/FiveHundred")


def test_roster_has_the_documented_shape_and_quirks(signed_in: PortalDriver) -> None:
    response = _post(signed_in)
    assert response.status_code == 200
    body = response.json()
    assert body["Success"] == "1"  # a string, not a bool
    assert set(body["CategoryData"]) == {"1000", "1107", "1113"}
    contacts = body["Relationships"]
    assert len(contacts) == 3
    assert all(c["Id"].startswith("WP-") for c in contacts)
    legacy = [c for c in contacts if c["FirstName"] is None]
    assert legacy and legacy[0]["LastName"] is None and "(CALL FIRST)" in legacy[0]["FormattedName"]
    assert legacy[0]["AddressViewModel"]["Street"] == ""
    assert any(c["WorkPhone"]["Value"] == "" for c in contacts)  # empty string = absent
    assert sum(1 for c in contacts if c["IsPrimary"]) == 1
    assert any(c["IsActiveHealthCareAgent"] for c in contacts)
    assert body["EndOfLifeDocuments"] == []


def test_disable_utf8_folds_titles_and_keeps_the_utf8_sibling(signed_in: PortalDriver) -> None:
    folded = _post(signed_in).json()["CategoryData"]["1000"]["CategoryItems"]
    assert {"Value": "33", "Title": "Fiance", "TitleUtf8": "Fianc\u00e9"} in folded
    unfolded = _post(signed_in, content="getEOLDocs=true").json()["CategoryData"]["1000"]["CategoryItems"]
    assert {"Value": "33", "Title": "Fianc\u00e9", "TitleUtf8": "Fianc\u00e9"} in unfolded


def test_contract_breaks_bounce_to_five_hundred(signed_in: PortalDriver) -> None:
    assert _five_hundred(_post(signed_in, token=""))
    assert _five_hundred(_post(signed_in, token="forged"))
    assert _five_hundred(_post(signed_in, referer="/mychartcn/Home"))
    json_body = signed_in.client.post(
        PATH,
        json={"getEOLDocs": True},
        headers={
            "Referer": BASE + "/mychartcn/AdvancedCarePlanning",
            "__RequestVerificationToken": signed_in.csrf_token(),
        },
        follow_redirects=False,
    )
    assert _five_hundred(json_body)


def test_without_a_session_the_identity_host_answers(driver: PortalDriver) -> None:
    response = _post(driver, token="x")
    assert response.status_code == 302 and "/as/authorization.oauth2" in response.headers["location"]


def test_same_seed_same_roster_and_other_surfaces_unchanged(patient: SyntheticPatient) -> None:
    again = generate_patient(seed=1)
    assert again.relationships == patient.relationships
    assert generate_patient(seed=2).relationships != patient.relationships
    large = generate_patient(seed=1, size="large")
    assert large.profile == patient.profile  # this surface's rng is its own
