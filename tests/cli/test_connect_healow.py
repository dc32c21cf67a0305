"""A first connection to a healow practice as docs/healow.md walks it, against the sandbox EHR's
eClinicalWorks profile on loopback: `practices update` / `practices search`, `connect` with a
directory match (or a provider-host URL, moved to the patient host), the paste flow, `sources`
with the granted scopes and the "connect again within the hour" warning, and `keys export --jwks`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import httpx2

from sandbox.ehr import EhrClient, EhrConfig
from tests.cli.test_connect import HTTPS_REDIRECT, _env, _run
from tests.home_modes import loose_paths
from tests.sandbox.ehr.ehr_harness import consent_by_form, running_ehr


def _healow_env(home: Path, base_url: str) -> dict[str, str]:
    origin = base_url.split("/fhir/")[0]
    return _env(
        home,
        FHIRGATE_PRACTICE_DIRECTORY_URL=f"{origin}/ecwopendev/external/practiceList",
        FHIRGATE_PROVIDER_HOSTS="localhost=127.0.0.1",
        HEALOW_CLIENT_ID="app-public",
        HEALOW_REDIRECT_URI=HTTPS_REDIRECT,
    )


def test_find_the_practice_by_name_connect_as_a_public_client_and_see_the_hour_limit(tmp_path: Path) -> None:
    app = EhrClient("app-public", "public", redirect_uris=(HTTPS_REDIRECT,))
    with running_ehr(tmp_path, EhrConfig(clients=(app,))) as (ehr, base_url):
        env = _healow_env(tmp_path / "home", base_url)
        found = _run(env, "practices", "search", "lee family medicine", "--state", "CA")
        assert found.returncode == 0, found.stderr
        assert ehr.config.org_id in found.stdout and base_url in found.stdout
        assert "TEST" not in found.stdout and "Springfield" not in found.stdout and "localhost" not in found.stdout

        ambiguous = _run(env, "connect", "dr-lee", "Lee Family Medicine")
        assert ambiguous.returncode == 1 and "2 practices match" in ambiguous.stderr

        started = _run(env, "connect", "dr-lee", "Lee Family Medicine", "--state", "CA")
        assert started.returncode == 0, started.stderr
        authorize_url = next(line for line in started.stdout.splitlines() if line.startswith("http"))
        params = httpx2.URL(authorize_url).params
        assert params["aud"] == base_url and "offline_access" not in params["scope"].split()
        assert "patient/Observation.read" in params["scope"].split() and "patient/*.rs" not in params["scope"]
        redirect = asyncio.run(consent_by_form(authorize_url, None))
        done = _run(env, "connect", "--complete", redirect)
        assert done.returncode == 0, done.stderr

        listed = _run(env, "sources")
        assert listed.returncode == 0, listed.stderr
        assert "patient/Observation.read" in listed.stdout
        assert "connect again" in listed.stdout and "within the hour" in listed.stdout
    assert loose_paths(tmp_path) == []


def test_a_provider_host_url_is_moved_to_the_patient_host_with_the_reason(tmp_path: Path) -> None:
    app = EhrClient("app-public", "public", redirect_uris=(HTTPS_REDIRECT,))
    with running_ehr(tmp_path, EhrConfig(clients=(app,))) as (_, base_url):
        env = _healow_env(tmp_path / "home", base_url)
        provider = base_url.replace("127.0.0.1", "localhost")

        async def provider_launch() -> int:
            async with httpx2.AsyncClient() as http:
                return (await http.get(f"{provider}/.well-known/smart-configuration")).status_code

        assert asyncio.run(provider_launch()) == 200  # the provider host answers, but refuses patients
        started = _run(env, "connect", "dr-lee", provider, "--scopes", "launch/patient openid patient/Patient.read")
    assert started.returncode == 0, started.stderr
    assert "provider apps" in started.stderr and "403" in started.stderr
    authorize_url = next(line for line in started.stdout.splitlines() if line.startswith("http"))
    params = httpx2.URL(authorize_url).params
    assert params["aud"] == base_url and params["scope"] == "launch/patient openid patient/Patient.read"


def test_keys_export_writes_only_the_public_jwks(tmp_path: Path) -> None:
    env = _env(tmp_path / "home")
    assert _run(env, "keys", "export", "--jwks", str(tmp_path / "jwks.json")).returncode == 1  # no key yet
    created = _run(env, "keys", "create")
    exported = _run(env, "keys", "export", "--jwks", str(tmp_path / "jwks.json"))
    assert created.returncode == 0 and exported.returncode == 0, exported.stderr
    written = json.loads((tmp_path / "jwks.json").read_text())
    assert written == json.loads(created.stdout)
    key = written["keys"][0]
    assert key["alg"] == "RS384" and key["kid"] and not {"d", "p", "q", "dp", "dq", "qi"} & set(key)
