"""`fhirgate keys create`, `connect` (paste mode, healow variables), `connect --complete`, `sources`
and `disconnect`, as a user runs them: real subprocesses against the sandbox EHR on loopback."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import httpx2
import pytest

from sandbox.ehr import EhrClient, EhrConfig, EhrProfile
from tests.home_modes import loose_paths
from tests.sandbox.ehr.ehr_harness import CLIENT_SECRET, consent_by_form, running_ehr

HTTPS_REDIRECT = "https://app.example/fhirgate/callback"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FHIRGATE_", "HEALOW_"))}
    env.update(FHIRGATE_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", COLUMNS="200", **extra)
    return env


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - our own CLI, fixed arguments
        [sys.executable, "-m", "fhirgate", *args], env=env, capture_output=True, text=True, timeout=60, check=False
    )


def test_keys_create_prints_a_public_rs384_jwks_and_keeps_the_private_key_in_the_keychain(tmp_path: Path) -> None:
    done = _run(_env(tmp_path), "keys", "create")
    assert done.returncode == 0, done.stderr
    jwks = json.loads(done.stdout)
    key = jwks["keys"][0]
    assert key["alg"] == "RS384" and key["kty"] == "RSA" and key["kid"] and "d" not in key
    secrets = json.loads((tmp_path / "secrets.json").read_text())
    stored = next(iter(secrets.values()))[f"smart-key:{key['kid']}"]
    assert json.loads(stored)["d"]
    assert oct((tmp_path / "secrets.json").stat().st_mode & 0o777) == "0o600"
    assert loose_paths(tmp_path) == []


@pytest.mark.parametrize("profile", ["ecw", "generic"])
def test_paste_mode_connect_with_healow_variables_then_sources_and_disconnect(
    tmp_path: Path, profile: EhrProfile
) -> None:
    app = EhrClient("app-secret", "client_secret", client_secret=CLIENT_SECRET, redirect_uris=(HTTPS_REDIRECT,))
    with running_ehr(tmp_path, EhrConfig(clients=(app,), profile=profile)) as (ehr, base_url):
        env = _env(
            tmp_path / "home",
            HEALOW_CLIENT_ID="app-secret",
            HEALOW_CLIENT_SECRET=CLIENT_SECRET,
            HEALOW_REDIRECT_URI=HTTPS_REDIRECT,
        )
        started = _run(env, "connect", "dr-sample", base_url)
        assert started.returncode == 0, started.stderr
        authorize_url = next(line for line in started.stdout.splitlines() if line.startswith("http"))
        assert "--complete" in started.stdout
        redirect = asyncio.run(consent_by_form(authorize_url, None))
        assert redirect.startswith(HTTPS_REDIRECT + "?")

        forged = _run(env, "connect", "--complete", redirect.replace("state=", "state=forged"))
        assert forged.returncode == 1 and "state does not match" in forged.stderr

        done = _run(env, "connect", "--complete", redirect)
        assert done.returncode == 0, done.stderr
        assert "connected dr-sample" in done.stdout and ehr.record.person.surname in done.stdout

        listed = _run(env, "sources")
        assert listed.returncode == 0 and "dr-sample" in listed.stdout and "connected" in listed.stdout

        gone = _run(env, "disconnect", "dr-sample")
        revoked = "tokens deleted here" if profile == "ecw" else "tokens revoked"  # eCW offers no revocation
        assert gone.returncode == 0 and revoked in gone.stdout
        assert "dr-sample" not in _run(env, "sources").stdout
    secrets_text = (tmp_path / "home" / "secrets.json").read_text()
    assert "smart:dr-sample:tokens" not in secrets_text
    assert loose_paths(tmp_path) == []  # after keys, connect, sources and disconnect
    for output in (started, done, listed, gone):
        assert CLIENT_SECRET not in output.stdout + output.stderr
        assert "code=" not in output.stdout.replace(authorize_url, "")


def test_connect_without_a_client_id_says_how_to_give_one(tmp_path: Path) -> None:
    done = _run(_env(tmp_path), "connect", "dr-sample", "https://fhir4.example.com/fhir/r4/ORG1")
    assert done.returncode == 1
    assert "--client-id" in done.stderr and "HEALOW_CLIENT_ID" in done.stderr and "Traceback" not in done.stderr


def test_loopback_connect_catches_the_redirect_and_prints_who_is_connected(tmp_path: Path) -> None:
    app = EhrClient("app-public", "public", redirect_uris=("http://127.0.0.1/callback",))
    with running_ehr(tmp_path, EhrConfig(clients=(app,))) as (ehr, base_url):
        env = _env(tmp_path / "home")
        args = ["connect", "dr-x", base_url, "--client-id", "app-public", "--auth", "public", "--redirect-port", "0"]
        process = subprocess.Popen(  # noqa: S603 - our own CLI, fixed arguments
            [sys.executable, "-m", "fhirgate", *args, "--no-browser"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert process.stderr is not None
        authorize_url = next(line.strip() for line in process.stderr if line.startswith("http"))
        redirect = asyncio.run(consent_by_form(authorize_url, None))
        assert redirect.startswith("http://127.0.0.1:")
        assert httpx2.get(redirect).status_code == 200  # the browser lands on fhirgate's loopback page
        out, _ = process.communicate(timeout=60)
    assert process.returncode == 0
    assert f"connected dr-x: patient {ehr.record.person.first_name}" in out
    assert "code=" not in out
