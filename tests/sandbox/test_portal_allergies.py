"""Allergies' LoadListData: the shared contract, the inferred item shape and the "no known allergies" state."""

from __future__ import annotations

import dataclasses
import random

import pytest
from starlette.testclient import TestClient

from sandbox.patient import SyntheticPatient
from sandbox.patient.allergies import build_allergy_list
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.sandbox.portal_driver import BASE, PortalDriver

PATH = "/mychartcn/Clinical/Allergies/LoadListData"
QUERY = {"csn": "undefined", "ComponentNumber": "4", "noCache": "0.5"}


def _post(driver: PortalDriver, page: str = "Clinical/Allergies", token: str | None = None) -> dict[str, object]:
    headers = {"Referer": f"{BASE}/mychartcn/{page}", "__RequestVerificationToken": token or driver.csrf_token()}
    response = driver.client.post(PATH, params=QUERY, json={}, headers=headers, follow_redirects=False)
    if response.status_code != 200:
        return {"status": response.status_code, "location": response.headers.get("location", "")}
    body: dict[str, object] = response.json()
    return body


def test_list_has_items_reactions_as_catalog_values_and_the_catalog(signed_in: PortalDriver) -> None:
    body = _post(signed_in)
    items = body["DataList"]
    assert isinstance(items, list) and len(items) == 3 and body["AllergiesStatus"] != 0
    catalog = {entry["Value"] for entry in body["ReactionList"]}  # type: ignore[attr-defined]
    assert all(set(item["LocalItem"]["Reactions"]) <= catalog for item in items)
    assert any(item["LocalItem"]["Reactions"] == [] for item in items)


@pytest.mark.parametrize(("page", "token"), [("Clinical/HealthIssues", None), ("Clinical/Allergies", "forged")])
def test_wrong_referer_or_token_bounces(signed_in: PortalDriver, page: str, token: str | None) -> None:
    body = _post(signed_in, page, token)
    assert body["status"] == 302 and str(body["location"]).endswith("/mychartcn/Home/FiveHundred")


def test_the_no_known_allergies_patient_gets_the_captured_empty_state(patient: SyntheticPatient) -> None:
    empty = build_allergy_list(random.Random("x"), "small", "2/29/1980", none_known=True)
    config = PortalConfig(patient=dataclasses.replace(patient, allergy_list=empty), sms_outbox=SmsOutbox())
    with TestClient(create_portal_app(config), base_url=BASE) as client:
        driver = PortalDriver(client, config.patient, config.sms_outbox)
        driver.sign_in()
        body = _post(driver)
    assert body["DataList"] == [] and body["AllergiesStatus"] == 0 and body["ReactionList"]
