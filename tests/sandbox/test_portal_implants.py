"""GetImplants: contract and the captured quirks (keyed object, display dates, duplicates, empty explant)."""

from __future__ import annotations

import re

from starlette.testclient import TestClient

from sandbox.patient import generate_patient
from tests.sandbox.portal_driver import BASE, PortalDriver

PATH = "/mychartcn/api/implants/GetImplants"
_LONG_DATE = re.compile(r"[A-Z][a-z]+ [1-9]\d?, \d{4}")


def test_signed_in_post_returns_the_implants(signed_in: PortalDriver) -> None:
    headers = {"Referer": f"{BASE}/mychartcn/app/implants", "__RequestVerificationToken": signed_in.csrf_token()}
    response = signed_in.client.post(PATH, json={}, headers=headers, follow_redirects=False)
    assert response.status_code == 200 and response.json() == signed_in.patient.implants


def test_missing_token_bounces_and_no_session_redirects(signed_in: PortalDriver, client: TestClient) -> None:
    headers = {"Referer": f"{BASE}/mychartcn/app/implants"}
    bounced = signed_in.client.post(PATH, json={}, headers=headers, follow_redirects=False)
    assert bounced.headers["location"].endswith("/mychartcn/Home/FiveHundred")
    client.cookies.clear()
    dead = client.post(PATH, json={}, headers=headers, follow_redirects=False)
    assert "/as/authorization.oauth2" in dead.headers["location"]


def test_shape_quirks() -> None:
    body = generate_patient(seed=2).implants
    devices = list(body["implantList"].values())
    assert {key for group in body["implantGroupList"] for key in group["implantIDs"]} == set(body["implantList"])
    assert any(group["area"] == "zzz" for group in body["implantGroupList"])
    assert all(_LONG_DATE.fullmatch(d["implantProcedure"]["isoDate"]) for d in devices)
    assert any(d["udi"] == "" for d in devices) and any(d["udi"].startswith("(01)") for d in devices)
    assert any(d["implantProcedure"]["deviceCount"] == "" for d in devices)
    never = [d for d in devices if not d["isExplant"]]
    assert all(set(d["explantProcedure"].values()) == {""} for d in never)
    serials = [d["serial"] for d in devices if d["serial"]]
    assert len(serials) > len(set(serials))  # one device listed twice (curated + raw feed)
