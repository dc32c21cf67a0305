"""Every file a fhirgate process or its Chromium creates under the home is 0600 and every directory
0700, the home included, because the CLI sets a private umask (0077) before anything else runs."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from fhirgate.commands.login import KAISER_PASSWORD, interactive_login
from fhirgate.private_umask import PRIVATE_UMASK, make_new_files_private
from fhirgate.sandbox_kaiser import sandbox_kaiser_settings
from fhirgate.secrets import FileKeyring, SecretStore
from fhirgate.serving import serve_in_thread
from fhirgate.settings import Settings
from gateway.kaiser.session import save_session
from sandbox.patient import generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.home_modes import loose_paths


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("FHIRGATE_")}
    env.update(FHIRGATE_HOME=str(home), PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring", **extra)
    return env


def _fhirgate(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    # A permissive umask in the parent, as a user's shell often has: the CLI must not inherit it.
    return subprocess.run(  # noqa: S603 - our own CLI with the test's arguments
        [sys.executable, "-m", "fhirgate", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        umask=0o022,
    )


def test_the_private_umask_is_owner_only() -> None:
    previous = os.umask(0o022)
    try:
        make_new_files_private()
        assert os.umask(previous) == PRIVATE_UMASK == 0o077
    finally:
        os.umask(previous)


def test_a_new_home_and_its_parents_are_created_private(tmp_path: Path) -> None:
    home = tmp_path / "nested" / "home"
    done = _fhirgate(_env(home), "token")
    assert done.returncode == 0, done.stderr
    assert (home / "secrets.json").is_file()
    assert loose_paths(tmp_path / "nested") == []


@pytest.fixture
def portal() -> Iterator[tuple[str, PortalConfig]]:
    config = PortalConfig(patient=generate_patient(seed=5), sms_outbox=SmsOutbox())
    with serve_in_thread(create_portal_app(config)) as server:
        yield server.base_url, config


@pytest.mark.browser
def test_a_login_by_the_cli_leaves_only_private_paths(portal: tuple[str, PortalConfig], tmp_path: Path) -> None:
    base_url, config = portal
    home = tmp_path / "home"
    settings = Settings(home=home, kaiser=sandbox_kaiser_settings(config, base_url))
    secrets = SecretStore(settings.keyring_service, FileKeyring(home / "secrets.json"))
    secrets.set(KAISER_PASSWORD, config.patient.password)

    async def from_phone() -> str:
        return await config.sms_outbox.wait_for_code(newer_than=0, timeout=15)

    # The first sign-in (MFA) in-process; the CLI's then runs silently on the remembered device.
    save_session(secrets, asyncio.run(interactive_login(settings, secrets, headless=True, mfa_code=from_phone)))
    kaiser = settings.kaiser
    env = _env(
        home,
        FHIRGATE_KAISER_PORTAL_URL=kaiser.portal_url,
        FHIRGATE_KAISER_IDENTITY_URL=kaiser.identity_url,
        FHIRGATE_KAISER_PHARMACY_URL=kaiser.pharmacy_url,
        FHIRGATE_KAISER_USERNAME=kaiser.username,
    )
    done = _fhirgate(env, "login", "kaiser", "--headless")
    assert done.returncode == 0, done.stderr
    assert "Signed in to Kaiser" in done.stderr and len(config.sms_outbox) == 1
    assert not settings.browser_profile_dir.exists()
    assert loose_paths(home) == []
