"""The problem list's LoadListData: its contract (query, token, Referer) and the captured shape's quirks."""

from __future__ import annotations

import random
import re
from typing import Any

import httpx2
import pytest
from starlette.testclient import TestClient

from sandbox.patient import generate_patient
from sandbox.patient.problems import build_problem_list
from tests.sandbox.portal_driver import BASE, PortalDriver

PATH = "/mychartcn/Clinical/HealthIssues/LoadListData"
QUERY = {"csn": "undefined", "ComponentNumber": "4", "noCache": "0.5"}
_UNPADDED = re.compile(r"[1-9]\d?/[1-9]\d?/\d{4}")


def _post(
    driver: PortalDriver, *, query: dict[str, str] = QUERY, page: str = "Clinical/HealthIssues", **kw: Any
) -> httpx2.Response:
    headers = {"Referer": f"{BASE}/mychartcn/{page}", "X-Requested-With": "XMLHttpRequest"}
    token = kw.pop("token", driver.csrf_token())
    if token:
        headers["__RequestVerificationToken"] = token
    return driver.client.post(PATH, params=query, json=kw.pop("body", {}), headers=headers, follow_redirects=False)


def _bounced(response: httpx2.Response) -> bool:
    return response.status_code == 302 and response.headers["location"].endswith("/mychartcn/Home/FiveHundred")


def test_signed_in_post_returns_the_whole_list(signed_in: PortalDriver) -> None:
    response = _post(signed_in)
    assert response.status_code == 200
    body = response.json()
    assert body == signed_in.patient.problem_list and len(body["DataList"]) == 4
    assert body["HealthIssuesUrl"] == "Clinical/HealthIssues"


@pytest.mark.parametrize(
    ("change", "why"),
    [
        ({"token": ""}, "no anti-forgery header"),
        ({"token": "forged"}, "unknown token"),
        ({"page": "Clinical/Allergies"}, "wrong Referer"),
        ({"query": {"ComponentNumber": "4", "noCache": "1"}}, "csn=undefined missing"),
        ({"query": {"csn": "undefined", "ComponentNumber": "four", "noCache": "1"}}, "ComponentNumber not a number"),
        ({"query": {"csn": "undefined", "ComponentNumber": "4"}}, "no cache-buster"),
    ],
)
def test_contract_breaks_bounce_to_five_hundred(signed_in: PortalDriver, change: dict[str, Any], why: str) -> None:
    assert _bounced(_post(signed_in, **change)), why


def test_a_dead_session_redirects_to_the_identity_host(client: TestClient) -> None:
    response = client.post(PATH, params=QUERY, json={}, follow_redirects=False)
    assert response.status_code == 302 and "/as/authorization.oauth2" in response.headers["location"]


def test_items_carry_both_copies_unpadded_dates_an_empty_date_and_a_comment() -> None:
    items = generate_patient(seed=3).problem_list["DataList"]
    dates = [item["LocalItem"]["FormattedDateNoted"] for item in items]
    assert "" in dates and all(_UNPADDED.fullmatch(d) for d in dates if d)
    assert any(item["LocalItem"]["Comments"] for item in items)
    for item in items:
        assert item["LocalItem"]["ID"] == item["HealthIssueItem"]["ID"] and item["HealthIssueItem"]["EdgID"] is None
        assert item["LocalItem"]["Action"] == 0 and item["ExternalItems"] == []


def test_large_lists_every_catalog_problem_and_each_surface_has_its_own_rng() -> None:
    small, large = generate_patient(seed=5), generate_patient(seed=5, size="large")
    assert len(large.problem_list["DataList"]) == 12
    birth = small.problem_list["DateOfBirth"]
    assert small.problem_list == build_problem_list(random.Random("5/problems"), "small", birth)
    assert generate_patient(seed=6).problem_list != small.problem_list
