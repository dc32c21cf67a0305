"""`fhirgate demo --once` and `fhirgate login` as a user runs them: real subprocesses."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fhirgate.secrets import FileKeyring, SecretStore
from fhirgate.serving import serve_in_thread
from fhirgate.settings import Settings
from sandbox.patient import generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.home_modes import loose_paths

pytestmark = pytest.mark.browser
PortalEnv = tuple[dict[str, str], PortalConfig]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FHIRGATE_")}
    # No keychain, as on a headless server: the reported 0600 file fallback must be used.
    env.update(FHIRGATE_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", **extra)
    return env


def test_demo_once_exits_zero_and_prints_the_mcp_answer(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "fhirgate", "demo", "--once"],
        env=_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    assert "Base URL: http://127.0.0.1:" in out and "curl -s" in out
    assert "fhir_search" in out and "Observation/" in out
    assert "Sign-in link (works once, 5 minutes): http://127.0.0.1:" in out and "/login?token=" in out
    assert (tmp_path / "demo" / "web-address").read_text().startswith("http://127.0.0.1:")
    patient = generate_patient(seed=1)
    component = patient.lab_orders[0].detail["results"][0]["resultComponents"]
    shown = [c["componentInfo"].get("commonName") or c["componentInfo"]["name"] for c in component]
    assert any(name in out for name in shown)
    assert "Traceback" not in done.stderr
    assert (tmp_path / "demo" / "store.sqlite3").exists()
    assert oct((tmp_path / "demo" / "secrets.json").stat().st_mode & 0o777) == "0o600"
    assert loose_paths(tmp_path / "demo") == []


@pytest.fixture
def portal_env(tmp_path: Path) -> Iterator[PortalEnv]:
    config = PortalConfig(patient=generate_patient(seed=3), sms_outbox=SmsOutbox())
    with serve_in_thread(create_portal_app(config)) as server:
        env = _env(
            tmp_path,
            FHIRGATE_KAISER_PORTAL_URL=server.base_url,
            FHIRGATE_KAISER_IDENTITY_URL=server.base_url,
            FHIRGATE_KAISER_PHARMACY_URL=server.base_url,
            FHIRGATE_KAISER_USERNAME=config.patient.username,
        )
        yield env, config


def _store_password(home: Path, password: str) -> None:
    settings = Settings.from_environ({"FHIRGATE_HOME": str(home)})
    SecretStore(settings.keyring_service, FileKeyring(home / "secrets.json")).set("kaiser-password", password)


def _login(env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fhirgate", "login", "kaiser", "--headless"],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_login_with_wrong_password_is_one_line_and_exit_1(
    portal_env: tuple[dict[str, str], PortalConfig], tmp_path: Path
) -> None:
    env, _ = portal_env
    _store_password(tmp_path, "wrong-password")
    done = _login(env)
    assert done.returncode == 1
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "username or password was not accepted" in lines[0]
    assert "wrong-password" not in done.stderr + done.stdout


def test_login_with_wrong_mfa_code_is_one_line_and_exit_1(
    portal_env: tuple[dict[str, str], PortalConfig], tmp_path: Path
) -> None:
    env, config = portal_env
    _store_password(tmp_path, config.patient.password)
    done = _login(env, stdin="000000\n")
    assert done.returncode == 1
    assert "MFA code was not accepted" in done.stderr and "Traceback" not in done.stderr
