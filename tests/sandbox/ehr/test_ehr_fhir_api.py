"""The sandbox EHR's FHIR API: the facade's engine at /fhir/r4/<orgId>, scope checks, limits, faults."""

from __future__ import annotations

import json
from pathlib import Path

import httpx2

from sandbox.ehr import FOREIGN_ORIGIN, scope_allows
from sandbox.ehr.grants import Grant
from tests.sandbox.ehr.ehr_harness import (
    ORIGIN,
    FakeClock,
    MemorySecrets,
    connect_in_process,
    ehr_config,
    ehr_in_process,
    in_process,
)


def _bearer(secrets: MemorySecrets) -> dict[str, str]:
    return {"Authorization": "Bearer " + json.loads(secrets.values["smart:practice:tokens"])["access_token"]}


async def test_metadata_is_public_and_names_the_oauth_endpoints(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
            metadata = (await http.get(f"{ehr.fhir_base(ORIGIN)}/metadata")).json()
            patient = await http.get(f"{ehr.fhir_base(ORIGIN)}/Patient/{ehr.record.patient_id}")
    uris = metadata["rest"][0]["security"]["extension"][0]["extension"]
    assert {u["url"]: u["valueUri"] for u in uris}["token"] == f"{ORIGIN}/oauth/oauth2/token"
    assert patient.status_code == 401


async def test_bundle_links_and_full_urls_live_under_the_practice_path(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
            bundle = (
                await http.get(f"{ehr.fhir_base(ORIGIN)}/Observation?_count=2", headers=_bearer(connection.secrets))
            ).json()
        ehr.config.faults.foreign_next_link = True
        async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
            foreign = (
                await http.get(f"{ehr.fhir_base(ORIGIN)}/Observation?_count=2", headers=_bearer(connection.secrets))
            ).json()
    base = ehr.fhir_base(ORIGIN)
    assert all(link["url"].startswith(base + "/Observation?") for link in bundle["link"])
    assert all(entry["fullUrl"].startswith(base + "/Observation/") for entry in bundle["entry"])
    next_link = next(link["url"] for link in foreign["link"] if link["relation"] == "next")
    assert next_link.startswith(FOREIGN_ORIGIN + "/fhir/r4/")


async def test_a_type_outside_the_granted_scopes_is_forbidden(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        access, _ = ehr.ledger.issue_tokens(
            Grant("app-public", "launch/patient patient/Patient.rs", ehr.record.patient_id, ""), 60, 60
        )
        async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
            headers = {"Authorization": f"Bearer {access}"}
            patient = await http.get(f"{ehr.fhir_base(ORIGIN)}/Patient/{ehr.record.patient_id}", headers=headers)
            labs = await http.get(f"{ehr.fhir_base(ORIGIN)}/Observation", headers=headers)
    assert patient.status_code == 200
    assert labs.status_code == 403 and "Observation" in labs.json()["issue"][0]["diagnostics"]


def test_scope_matching_reads_v1_and_v2_syntax() -> None:
    assert scope_allows(["patient/*.read"], "Condition")
    assert scope_allows(["patient/Observation.rs?category=x|laboratory"], "Observation")
    assert scope_allows(["patient/Observation.cruds"], "Observation")
    assert not scope_allows(["patient/Observation.read"], "Condition")
    assert not scope_allows(["user/*.read", "openid"], "Condition")


async def test_over_the_limit_answers_429_with_retry_after(tmp_path: Path) -> None:
    clock = FakeClock()
    with ehr_in_process(tmp_path, ehr_config(clock, rate_limit_per_minute=2)) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        url = f"{ehr.fhir_base(ORIGIN)}/Patient/{ehr.record.patient_id}"
        async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
            statuses = [(await http.get(url, headers=_bearer(connection.secrets))).status_code for _ in range(2)]
            clock.now += 20
            limited = await http.get(url, headers=_bearer(connection.secrets))
            clock.now += 40
            after = await http.get(url, headers=_bearer(connection.secrets))
    assert statuses == [200, 200]
    assert limited.status_code == 429 and limited.headers["retry-after"] == "40"
    assert after.status_code == 200


async def test_server_error_burst_fails_exactly_n_calls(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        ehr.config.faults.server_errors = 2
        url = f"{ehr.fhir_base(ORIGIN)}/Patient/{ehr.record.patient_id}"
        async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
            statuses = [(await http.get(url, headers=_bearer(connection.secrets))).status_code for _ in range(3)]
    assert statuses == [503, 503, 200]
