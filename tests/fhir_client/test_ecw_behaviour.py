"""fhirgate against the sandbox EHR's eClinicalWorks profile, one test per behaviour of issue 21:
listed scopes only, the provider host refused, searches naming the patient with sorting and
counting done here, no refresh token for public clients, fixed-minute 429s without Retry-After
shared by a home, `$everything` rebuilt per type, and the Accept, http-next and practice_code hedges."""

from __future__ import annotations

import time
from pathlib import Path

import httpx2
import pytest

from fhir_client import (
    ClientAuthMethod,
    FhirClient,
    FhirHTTPError,
    SourceCatalog,
    SourceSecrets,
    TokenEndpointError,
    begin_launch,
    complete_launch,
    discover_smart_configuration,
)
from fhir_client.minute_window import MinuteWindow
from fhir_client.patient_hosts import patient_base_url, patient_hosts_from
from tests.sandbox.ehr.ehr_harness import (
    ORIGIN,
    REDIRECT_URI,
    FakeClock,
    MemorySecrets,
    connect_in_process,
    consent_by_form,
    credentials,
    ehr_config,
    ehr_in_process,
    in_process,
)

HTTPS_REDIRECT = "https://app.example/fhirgate/callback"


def _minute_start() -> float:
    return float(int(time.time() // 60) * 60) + 1.0


async def test_discovery_reads_an_ecw_shaped_configuration_without_revocation(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        async with httpx2.AsyncClient(transport=in_process(ehr)) as http:
            config = await discover_smart_configuration(http, ehr.fhir_base(ORIGIN))
            capability = (await http.get(f"{ehr.fhir_base(ORIGIN)}/metadata")).json()
            well_known = (await http.get(f"{ehr.fhir_base(ORIGIN)}/.well-known/smart-configuration")).json()
    assert config.revocation_endpoint is None and well_known["issuer"] == ehr.fhir_base(ORIGIN)
    assert "patient/Observation.read" in config.scopes_supported and "patient/*.rs" not in config.scopes_supported
    observation = next(r for r in capability["rest"][0]["resource"] if r["type"] == "Observation")
    assert "patient" in {p["name"] for p in observation["searchParam"]}
    assert not {"_sort", "_total", "_count"} & {p["name"] for p in observation["searchParam"]}


async def test_scopes_are_chosen_from_the_listed_ones_and_granted_scopes_are_kept(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home", ClientAuthMethod.CLIENT_SECRET_BASIC)
        record = connection.catalog.get("practice")
    assert record is not None and record.state == "connected"
    granted = record.scope.split()
    assert "patient/Observation.read" in granted and "patient/Patient.read" in granted
    assert "offline_access" in granted  # a confidential client
    assert not any(scope.startswith("patient/*") for scope in granted)


async def test_an_unlisted_scope_given_by_the_user_is_refused_with_invalid_grant(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        transport, catalog, secrets = in_process(ehr), SourceCatalog(tmp_path / "s.sqlite3"), MemorySecrets()
        creds = credentials(ClientAuthMethod.CLIENT_SECRET_BASIC)
        url = await begin_launch(
            "practice",
            ehr.fhir_base(ORIGIN),
            creds,
            catalog=catalog,
            secrets=secrets,
            redirect_uri=REDIRECT_URI,
            scopes=["launch/patient", "openid", "patient/*.rs"],
            transport=transport,
        )
        redirect = await consent_by_form(url, transport)
        with pytest.raises(TokenEndpointError, match=r"invalid_grant.*patient/\*\.rs"):
            await complete_launch("practice", redirect, creds, catalog=catalog, secrets=secrets, transport=transport)


async def test_a_patient_launch_on_the_provider_host_is_refused_and_the_patient_host_is_named(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        transport = in_process(ehr)
        provider_base = ehr.fhir_base("http://localhost")
        url = await begin_launch(
            "practice",
            provider_base,
            credentials(ClientAuthMethod.NONE),
            catalog=SourceCatalog(tmp_path / "s.sqlite3"),
            secrets=MemorySecrets(),
            redirect_uri=REDIRECT_URI,
            transport=transport,
        )
        async with httpx2.AsyncClient(transport=transport) as http:
            refused = await http.get(url)
    assert refused.status_code == 403
    moved = patient_base_url(provider_base, patient_hosts_from({"FHIRGATE_PROVIDER_HOSTS": "localhost=127.0.0.1"}))
    assert moved.url == ehr.fhir_base(ORIGIN) and moved.explanation and "403" in moved.explanation
    real = patient_base_url("https://fhir4.eclinicalworks.com/fhir/r4/FEIGCD")
    assert real.url == "https://fhir4.healow.com/fhir/r4/FEIGCD"
    assert patient_base_url("https://fhir4.healow.com/fhir/r4/FEIGCD").explanation is None


async def test_searches_name_the_patient_and_sorting_and_counting_are_done_here(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        async with FhirClient(ehr.fhir_base(ORIGIN), transport=connection.transport) as bare:
            with pytest.raises(FhirHTTPError) as refused:  # what eCW says to a search without the patient
                await bare.search("Observation")
        async with connection.client() as client:
            newest_first = await client.search("Observation", [("_sort", "-date"), ("_total", "accurate")])
            counted = await client.search("Condition", [("_count", "0")])
            patients = await client.search("Patient")
    assert refused.value.status_code == 400
    rows = [e["resource"] for e in newest_first["entry"] if e["search"]["mode"] == "match"]
    dates = [r["effectiveDateTime"] for r in rows]
    assert len(rows) == 6 and newest_first["total"] == 6 and dates == sorted(dates, reverse=True)
    notes = [
        e["resource"]["issue"][0]["diagnostics"] for e in newest_first["entry"] if e["search"]["mode"] == "outcome"
    ]
    assert any("sorted and counted" in note and "does not promise _sort" in note for note in notes)
    assert counted["total"] == 2 and not [e for e in counted["entry"] if e["search"]["mode"] == "match"]
    assert [e["resource"]["id"] for e in patients["entry"] if e["search"]["mode"] == "match"] == [ehr.record.patient_id]


async def test_a_public_client_asks_no_offline_access_and_gets_no_refresh_token(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home", ClientAuthMethod.NONE)
    record = connection.catalog.get("practice")
    assert record is not None and "offline_access" not in record.scope.split()
    access, refresh = SourceSecrets(connection.secrets, "practice").tokens()
    assert access is not None and refresh is None


async def test_the_https_redirect_is_finished_by_pasting_the_address(tmp_path: Path) -> None:
    config = ehr_config(profile="ecw")
    config.clients = tuple(
        type(c)(c.client_id, c.auth, c.client_secret, c.jwks, (HTTPS_REDIRECT,)) for c in config.clients
    )
    with ehr_in_process(tmp_path, config) as ehr:
        transport, catalog, secrets = in_process(ehr), SourceCatalog(tmp_path / "s.sqlite3"), MemorySecrets()
        creds = credentials(ClientAuthMethod.CLIENT_SECRET_BASIC)
        url = await begin_launch(
            "practice",
            ehr.fhir_base(ORIGIN),
            creds,
            catalog=catalog,
            secrets=secrets,
            redirect_uri=HTTPS_REDIRECT,
            transport=transport,
        )
        pasted = await consent_by_form(url, transport)  # where the browser ends up (the page need not load)
        record, _ = await complete_launch(
            "practice", pasted, creds, catalog=catalog, secrets=secrets, transport=transport
        )
    assert pasted.startswith(HTTPS_REDIRECT) and record.state == "connected"


async def test_a_429_without_retry_after_waits_to_the_next_minute_and_the_home_shares_the_count(
    tmp_path: Path,
) -> None:
    clock = FakeClock(_minute_start())
    with ehr_in_process(tmp_path, ehr_config(clock, profile="ecw", rate_limit_per_minute=8)) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")  # authorize + token count too
        window = MinuteWindow(
            tmp_path / "home" / "rate_limits.sqlite3", "practice", 1000, clock=clock, sleep=clock.sleep
        )
        async with connection.client(rate_limiter=window, sleep=clock.sleep, clock=clock) as client:
            for _ in range(8):
                await client.read("Observation", "obs-wt-1")
    # discovery, /authorize and /token counted with the reads: the read over 8 waits to the boundary
    assert clock.slept == [pytest.approx(59.0)]
    assert ehr.app.refused == 1  # type: ignore[attr-defined]

    shared = tmp_path / "shared.sqlite3"
    now = FakeClock(_minute_start())
    first = MinuteWindow(shared, "practice", 2, clock=now, sleep=now.sleep)
    second = MinuteWindow(shared, "practice", 2, clock=now, sleep=now.sleep)  # another process of the home
    assert await first.acquire() == 0.0 and await second.acquire() == 0.0
    waited = await second.acquire()
    assert waited == pytest.approx(59.0) and first.count() == 1  # the new minute's first call
    first.throttled()
    assert await second.acquire() == pytest.approx(60.0)


async def test_everything_falls_back_to_per_type_searches(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        async with connection.client() as client:
            everything = await client.everything(ehr.record.patient_id)
            conditions = await client.everything(ehr.record.patient_id, [("_type", "Condition")])
    kinds = {e["resource"]["resourceType"] for e in everything["entry"] if e["search"]["mode"] == "match"}
    assert {"Patient", "Condition", "Observation", "MedicationRequest"} <= kinds
    notes = [e["resource"]["issue"][0]["diagnostics"] for e in everything["entry"] if e["search"]["mode"] == "outcome"]
    assert any("does not answer Patient/$everything" in note for note in notes)
    assert {e["resource"]["resourceType"] for e in conditions["entry"] if e["search"]["mode"] == "match"} == {
        "Condition"
    }


async def test_the_accept_override_and_practice_code_are_sent(tmp_path: Path) -> None:
    seen: list[httpx2.Request] = []

    def server(request: httpx2.Request) -> httpx2.Response:
        seen.append(request)
        return httpx2.Response(200, json={"resourceType": "Patient", "id": "p1"})

    async with FhirClient(
        "https://fhir4.healow.com/fhir/r4/AAAAAA",
        transport=httpx2.MockTransport(server),
        accept="application/json+fhir",
    ) as client:
        await client.read("Patient", "p1")
    assert seen[0].headers["Accept"] == "application/json+fhir"
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        url = await begin_launch(
            "practice",
            ehr.fhir_base(ORIGIN),
            credentials(ClientAuthMethod.NONE),
            catalog=SourceCatalog(tmp_path / "s.sqlite3"),
            secrets=MemorySecrets(),
            redirect_uri=REDIRECT_URI,
            practice_code="SBXPRACTICE",
            accept="application/json+fhir",
            transport=in_process(ehr),
        )
    assert httpx2.URL(url).params["practice_code"] == "SBXPRACTICE"
    record = SourceCatalog(tmp_path / "s.sqlite3").get("practice")
    assert record is not None and record.accept == "application/json+fhir"


async def test_a_type_outside_the_granted_scopes_is_answered_empty_without_a_call(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path, ehr_config(profile="ecw")) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        async with connection.client() as client:
            appointments = await client.search("Appointment", [("_sort", "-date")])
    assert appointments["total"] == 0
    notes = [e["resource"]["issue"][0]["diagnostics"] for e in appointments["entry"]]
    assert notes == ["the practice granted no access to Appointment records, so it was not asked"]
