"""The sandbox EHR's eClinicalWorks profile as a raw HTTP client sees it: searches must name the
patient, result parameters are ignored, `$everything` and revocation are not offered, requests
past the fixed minute's limit get 429 without Retry-After (the token endpoint counts too)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx2

from tests.sandbox.ehr.ehr_harness import ORIGIN, FakeClock, connect_in_process, ehr_config, ehr_in_process, in_process


async def test_the_ecw_profile_serves_searches_only_for_the_named_patient(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        token = json.loads(connection.secrets.values["smart:practice:tokens"])["access_token"]
        base, patient = ehr.fhir_base(ORIGIN), ehr.record.patient_id
        async with httpx2.AsyncClient(transport=in_process(ehr), headers={"Authorization": f"Bearer {token}"}) as http:
            unnamed = await http.get(f"{base}/Condition")
            patients = await http.get(f"{base}/Patient")
            named = await http.get(f"{base}/Observation", params={"patient": patient, "_count": "2", "_sort": "date"})
            everything = await http.get(f"{base}/Patient/{patient}/$everything")
            revoke = await http.post(f"{ORIGIN}/oauth/oauth2/revoke", data={"token": token})
    assert unnamed.status_code == 400 and "patient=" in unnamed.json()["issue"][0]["diagnostics"]
    assert patients.status_code == 400 and "_id" in patients.json()["issue"][0]["diagnostics"]
    rows = [e for e in named.json()["entry"] if e["search"]["mode"] == "match"]
    assert named.status_code == 200 and len(rows) == 6  # _count is not honoured
    assert everything.status_code == 404 and revoke.status_code in (404, 405)


async def test_the_ecw_profile_counts_fixed_minutes_and_answers_429_without_retry_after(tmp_path: Path) -> None:
    clock = FakeClock(float(int(time.time() // 60) * 60) + 30.0)
    with ehr_in_process(tmp_path, ehr_config(clock, profile="ecw", rate_limit_per_minute=4)) as ehr:
        async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
            answers = [(await http.get(f"{ehr.fhir_base(ORIGIN)}/metadata")).status_code for _ in range(3)]
            token = await http.post(f"{ORIGIN}/oauth/oauth2/token", data={"grant_type": "refresh_token"})
            refused = await http.get(f"{ehr.fhir_base(ORIGIN)}/metadata")
            clock.now += 29.0  # still the same clock minute
            still = await http.get(f"{ehr.fhir_base(ORIGIN)}/metadata")
            clock.now += 1.0  # the next minute
            again = await http.get(f"{ehr.fhir_base(ORIGIN)}/metadata")
    assert answers == [200, 200, 200] and token.status_code in (400, 401)
    assert refused.status_code == 429 and "retry-after" not in refused.headers
    assert still.status_code == 429 and again.status_code == 200
