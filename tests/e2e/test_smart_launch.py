"""The standalone launch as a user lives it: `connect` opens the practice's sign-in page, real
headless Chromium signs in and consents on the sandbox EHR (uvicorn on loopback), the redirect is
caught on a loopback port, tokens land in the keychain, and the record is read. Then: no token,
code, secret or private key in the logs, the SQLite files or stdout."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from fhir_client import ClientAuthMethod, ClientCredentials, ReconnectRequired
from fhirgate.app_keys import create_key
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings
from fhirgate.smart_connect import Connected, ConnectOptions, catalog_for, connect_source, practice_clients
from sandbox.ehr import EhrClient, EhrConfig, EhrProfile
from sandbox.ehr.patient_browser import consent_in_chromium
from tests.sandbox.ehr.ehr_harness import CLIENT_SECRET, REDIRECT_URI, running_ehr

pytestmark = pytest.mark.browser


def _settings(home: Path) -> Settings:
    return Settings.from_environ({"FHIRGATE_HOME": str(home)})


# Every client authentication against the eClinicalWorks profile; the generic SMART profile with
# a confidential and a public client (the runs where the two profiles differ most).
PROFILE_RUNS = [*((m, "ecw") for m in ClientAuthMethod), (ClientAuthMethod.CLIENT_SECRET_BASIC, "generic")]
PROFILE_RUNS.append((ClientAuthMethod.NONE, "generic"))


@pytest.mark.parametrize(("method", "profile"), PROFILE_RUNS)
async def test_connect_through_the_consent_page_in_chromium_then_read_without_leaking_secrets(
    tmp_path: Path,
    method: ClientAuthMethod,
    profile: EhrProfile,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    settings = _settings(tmp_path / "home")
    secrets = SecretStore.for_settings(settings)
    kid, jwks = create_key(settings, secrets)
    clients = (
        EhrClient("app-secret", "client_secret", client_secret=CLIENT_SECRET, redirect_uris=(REDIRECT_URI,)),
        EhrClient("app-jwt", "private_key_jwt", jwks=jwks, redirect_uris=(REDIRECT_URI,)),
        EhrClient("app-public", "public", redirect_uris=(REDIRECT_URI,)),
    )
    config = EhrConfig(clients=clients, profile=profile)
    if method is ClientAuthMethod.PRIVATE_KEY_JWT:
        credentials = ClientCredentials("app-jwt", method, private_jwk=secrets.get(f"smart-key:{kid}"))
    elif method is ClientAuthMethod.NONE:
        credentials = ClientCredentials("app-public")
    else:
        credentials = ClientCredentials("app-secret", method, client_secret=CLIENT_SECRET)
    redirects: list[str] = []
    with running_ehr(tmp_path, config) as (ehr, base_url):

        async def patient_in_chromium(url: str) -> None:
            redirects.append(await consent_in_chromium(url, username=config.username, password=config.password))

        options = ConnectOptions("dr-sample", base_url, redirect_port=0)
        connected = await connect_source(
            settings,
            options,
            credentials,
            kid if method is ClientAuthMethod.PRIVATE_KEY_JWT else None,
            open_url=patient_in_chromium,
        )
        assert isinstance(connected, Connected)
        assert connected.who.patient_id == ehr.record.patient_id
        assert connected.who.name is not None and ehr.record.person.surname in connected.who.name
        clients_by_name = practice_clients(settings)
        refreshes = not (profile == "ecw" and method is ClientAuthMethod.NONE)  # healow: none for public apps
        async with clients_by_name["dr-sample"] as client:
            labs = await client.search("Observation", {"category": "laboratory", "_total": "accurate"})
            ehr.ledger.expire_access_tokens()  # force a refresh through the real token endpoint
            if refreshes:
                conditions = await client.search("Condition", {"_total": "accurate"})
                assert conditions["total"] == 2
            else:
                with pytest.raises(ReconnectRequired, match="gave no refresh token"):
                    await client.search("Condition")
        assert labs["total"] == 3
        assert ehr.ledger.refresh_count == (1 if refreshes else 0)

    code = redirects[0].split("code=")[1].split("&")[0]
    tokens = json.loads(secrets.get("smart:dr-sample:tokens") or "{}")
    private_d = json.loads(secrets.get(f"smart-key:{kid}") or "{}")["d"]
    leaks = [code, tokens["access_token"], tokens.get("refresh_token") or code, CLIENT_SECRET, private_d]
    sqlite_bytes = b"".join(p.read_bytes() for p in (tmp_path / "home").glob("*.sqlite3*"))
    out = capsys.readouterr()
    for secret in leaks:
        assert secret not in caplog.text
        assert secret.encode() not in sqlite_bytes
        assert secret not in out.out and secret not in out.err
    assert "smart launch complete source=dr-sample" in caplog.text  # the logs were really captured
    record = catalog_for(settings).get("dr-sample")
    assert record is not None and record.state == ("connected" if refreshes else "reconnect")
    assert record.patient_id == ehr.record.patient_id
    assert oct((tmp_path / "home" / "sources.sqlite3").stat().st_mode & 0o777) == "0o600"
    assert oct((tmp_path / "home").stat().st_mode & 0o777) == "0o700"
