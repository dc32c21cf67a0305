"""The sandbox's fault switches: the ``--faults`` parser and what each switch does on the wire."""

from __future__ import annotations

import pytest
from starlette.testclient import TestClient

from sandbox.portal import PortalConfig
from sandbox.portal.fault_spec import FaultSpecError, parse_faults
from tests.sandbox.portal_driver import MYCARE_HEADERS, PortalDriver


def test_parser_reads_every_switch() -> None:
    faults = parse_faults(
        "latency=0.15, expire-after=7, expiry=html, 429-every=10, retry-after=3, burst=502:4, burst-after=2,"
        " burst-path=GetList, truncate=GetDetails, drift=rxDetails:medicineName:drugName, error=GetList:2, expire-all"
    )
    assert faults.latency_seconds == 0.15
    assert faults.expire_after_requests == 7 and faults.expiry_style == "html"
    assert faults.rate_limit_every == 10 and faults.retry_after_seconds == 3
    assert (faults.burst_status, faults.burst_count, faults.burst_after, faults.burst_path) == (502, 4, 2, "GetList")
    assert faults.truncated_json == {"GetDetails"}
    assert faults.schema_drift == ("rxDetails", "medicineName", "drugName")
    assert faults.error_code == ("GetList", 2)
    assert faults.expire_all_sessions
    assert parse_faults("drift=GetList:newResults").schema_drift == ("GetList", "newResults", None)
    assert parse_faults("") == parse_faults(" , ")


def test_parser_reads_the_write_and_anti_forgery_switches() -> None:
    faults = parse_faults("write-fail=placeorderMail, csrf-max-age=30")
    assert faults.write_fail_at == "placeorderMail" and faults.csrf_max_age == 30
    assert parse_faults("write-fail=SendMedicalAdviceRequest").write_fail_at == "SendMedicalAdviceRequest"


@pytest.mark.parametrize(
    "spec",
    [
        "latency=-1",
        "expiry=teapot",
        "burst=418:2",
        "429-every=0",
        "nonsense=1",
        "drift=x",
        "error=GetList",
        "write-fail=GetList",
        "write-fail=",
        "csrf-max-age=-5",
    ],
)
def test_parser_refuses_bad_switches(spec: str) -> None:
    with pytest.raises(FaultSpecError, match="bad fault"):
        parse_faults(spec)


def _profile(driver: PortalDriver) -> int:
    return driver.client.get("/mycare/v1.0/user", headers=MYCARE_HEADERS, follow_redirects=False).status_code


@pytest.mark.parametrize(
    ("style", "status", "location"),
    [
        ("identity", 302, "/as/authorization.oauth2"),
        ("sign-in", 302, "/mychartcn/Authentication/Login"),
        ("html", 200, None),
        ("401", 401, None),
        ("403", 403, None),
    ],
)
def test_session_dies_at_the_nth_data_request_in_the_chosen_style(
    signed_in: PortalDriver, config: PortalConfig, style: str, status: int, location: str | None
) -> None:
    config.faults = parse_faults(f"expire-after=2,expiry={style}")
    assert _profile(signed_in) == 200
    response = signed_in.client.get("/mycare/v1.0/user", headers=MYCARE_HEADERS, follow_redirects=False)
    assert response.status_code == status
    if location:
        assert location in response.headers["location"]
    if style == "html":
        assert response.headers["content-type"].startswith("text/html")
    assert _profile(signed_in) == status  # the session stays dead
    keepalive = signed_in.client.get("/mychartcn/keepalive.asp?cnt=1", follow_redirects=False)
    assert keepalive.status_code != 200


def test_rate_limit_and_burst_then_recovery(signed_in: PortalDriver, config: PortalConfig) -> None:
    config.faults = parse_faults("429-every=3,retry-after=2")
    answers = [signed_in.client.get("/mycare/v1.0/user", headers=MYCARE_HEADERS) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].headers["retry-after"] == "2"
    config.faults = parse_faults("burst=503:2")
    assert [_profile(signed_in) for _ in range(4)] == [503, 503, 200, 200]


def test_truncation_drift_and_error_codes_shape_json_answers(signed_in: PortalDriver, config: PortalConfig) -> None:
    config.faults = parse_faults("truncate=user")
    text = signed_in.client.get("/mycare/v1.0/user", headers=MYCARE_HEADERS).text
    with pytest.raises(ValueError):
        __import__("json").loads(text)
    config.faults = parse_faults("drift=user:userIdentityInfo:identity")
    body = signed_in.client.get("/mycare/v1.0/user", headers=MYCARE_HEADERS).json()
    assert "identity" in body["UserAccountData"] and "userIdentityInfo" not in body["UserAccountData"]
    config.faults = parse_faults("error=user:7")
    answer = signed_in.client.get("/mycare/v1.0/user", headers=MYCARE_HEADERS)
    assert answer.status_code == 200 and answer.json() == {"error": 7}


def test_sign_in_is_never_faulted(client: TestClient, driver: PortalDriver, config: PortalConfig) -> None:
    config.faults = parse_faults("burst=503:100,429-every=1")
    driver.sign_in()  # the whole sign-in chain passes untouched
    assert _profile(driver) in (429, 503)
