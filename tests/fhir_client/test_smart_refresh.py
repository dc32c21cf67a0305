"""Token refresh against the sandbox EHR: proactive near expiry, reactive once on 401, serialized
across concurrent calls (single-use rotating refresh tokens), and what a dead refresh token means."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from fhir_client import ClientAuthMethod, ReconnectRequired
from tests.sandbox.ehr.ehr_harness import FakeClock, connect_in_process, ehr_config, ehr_in_process


def _refresh_token(secrets_values: dict[str, str]) -> str:
    return str(json.loads(secrets_values["smart:practice:tokens"])["refresh_token"])


@pytest.mark.parametrize("method", [ClientAuthMethod.CLIENT_SECRET_POST, ClientAuthMethod.PRIVATE_KEY_JWT])
async def test_twenty_concurrent_calls_across_expiry_refresh_exactly_once(
    tmp_path: Path, method: ClientAuthMethod
) -> None:
    clock = FakeClock()
    with ehr_in_process(tmp_path, ehr_config(clock, access_token_ttl=600)) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home", method)
        first_refresh = _refresh_token(connection.secrets.values)
        async with connection.client() as client:
            session = client._http.auth.session  # type: ignore[union-attr]
            session._clock = clock
            clock.now += 590  # inside the 60 s margin: every call wants a fresh token
            results = await asyncio.gather(*(client.read("Observation", "obs-a1c-1") for _ in range(20)))
        assert [r["id"] for r in results] == ["obs-a1c-1"] * 20
        assert session.refresh_count == 1
        assert ehr.ledger.refresh_count == 1
        rotated = _refresh_token(connection.secrets.values)
        assert rotated != first_refresh
        record = connection.catalog.get("practice")
        assert record is not None and record.access_expires_at == pytest.approx(clock.now + 600)


async def test_401_refreshes_once_and_retries_the_request(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        async with connection.client() as client:
            ehr.ledger.expire_access_tokens()  # the server forgets the token before its expiry
            patients = await asyncio.gather(*(client.read("Patient", ehr.record.patient_id) for _ in range(5)))
            session = client._http.auth.session  # type: ignore[union-attr]
        assert {p["id"] for p in patients} == {ehr.record.patient_id}
        assert session.refresh_count == 1 and ehr.ledger.refresh_count == 1


async def test_new_refresh_token_is_persisted_before_the_access_token_is_used(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        stored_at_use: list[str] = []
        original = ehr.ledger.access_grant

        def spy(token: str):  # type: ignore[no-untyped-def]
            stored_at_use.append(json.loads(connection.secrets.values["smart:practice:tokens"])["access_token"])
            return original(token)

        ehr.ledger.access_grant = spy  # type: ignore[method-assign]
        async with connection.client() as client:
            ehr.ledger.expire_access_tokens()
            await client.read("Patient", ehr.record.patient_id)
        new_access = json.loads(connection.secrets.values["smart:practice:tokens"])["access_token"]
        assert stored_at_use[-1] == new_access  # the keychain already held it when the server saw it


@pytest.mark.parametrize("fault", ["refresh_reused", "refresh_expired", "refresh_revoked"])
async def test_dead_refresh_token_tells_the_user_to_reconnect_and_breaks_nothing_else(
    tmp_path: Path, fault: str
) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        other = await connect_in_process(ehr, tmp_path / "other", ClientAuthMethod.CLIENT_SECRET_BASIC, "other")
        setattr(ehr.config.faults, fault, True)
        ehr.ledger.expire_access_tokens()
        async with connection.client() as client:
            calls = [client.read("Patient", ehr.record.patient_id) for _ in range(3)]
            outcomes = await asyncio.gather(*calls, return_exceptions=True)
        assert all(isinstance(o, ReconnectRequired) for o in outcomes)
        assert "fhirgate connect practice" in str(outcomes[0])
        assert ehr.ledger.refresh_count == 0
        record = connection.catalog.get("practice")
        assert record is not None and record.state == "reconnect"
        setattr(ehr.config.faults, fault, False)
        async with other.client() as healthy:
            assert (await healthy.read("Patient", ehr.record.patient_id))["id"] == ehr.record.patient_id


async def test_a_used_refresh_token_is_refused_by_the_server(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        stale = _refresh_token(connection.secrets.values)
        ehr.ledger.expire_access_tokens()
        async with connection.client() as client:
            await client.read("Patient", ehr.record.patient_id)  # rotates
        # An older copy of the keychain (another process, a restored backup) replays the spent token.
        tokens = json.loads(connection.secrets.values["smart:practice:tokens"])
        connection.secrets.values["smart:practice:tokens"] = json.dumps({**tokens, "refresh_token": stale})
        ehr.ledger.expire_access_tokens()
        async with connection.client() as client:
            with pytest.raises(ReconnectRequired, match="already used"):
                await client.read("Patient", ehr.record.patient_id)


async def test_a_second_process_adopts_the_rotated_tokens_instead_of_replaying_a_spent_one(tmp_path: Path) -> None:
    with ehr_in_process(tmp_path) as ehr:
        connection = await connect_in_process(ehr, tmp_path / "home")
        async with connection.client() as cli, connection.client() as mcp:  # two processes, one keychain
            ehr.ledger.expire_access_tokens()
            await cli.read("Patient", ehr.record.patient_id)  # cli rotates the refresh token
            patient = await mcp.read("Patient", ehr.record.patient_id)  # mcp gets a 401 and holds a spent one
        assert patient["id"] == ehr.record.patient_id
        assert ehr.ledger.refresh_count == 1
        record = connection.catalog.get("practice")
        assert record is not None and record.state == "connected"
