"""No dependency keeps a copy of a secret under the home: after sign-ins through real headless Chromium
against the sandbox kp.org (first login with MFA, a second login, the sync's silent re-login) and
`fhirgate wipe`, no cookie value, session token or OIDC ``code=`` URL is in any file under the home —
the bytes of every file are read, SQLite and its WAL included."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fhirgate.cli import app
from fhirgate.commands.login import KAISER_PASSWORD, headless_relogin, interactive_login
from fhirgate.sandbox_kaiser import sandbox_kaiser_settings
from fhirgate.secrets import SecretStore
from fhirgate.serving import serve_in_thread
from fhirgate.settings import Settings, ensure_private_dir
from gateway.kaiser.browser_memory import KeychainBrowserMemory
from gateway.kaiser.session import PortalSession, save_session
from sandbox.patient import generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.conftest import InMemoryKeyring

pytestmark = pytest.mark.browser
DEVICE_COOKIE = "PF.PERSISTENT"
SESSION_COOKIE = "MyChartSessionToken4mychartcn"


@pytest.fixture
def portal() -> Iterator[tuple[str, PortalConfig]]:
    config = PortalConfig(patient=generate_patient(seed=11), sms_outbox=SmsOutbox())
    with serve_in_thread(create_portal_app(config)) as server:
        yield server.base_url, config


def _files_holding(home: Path, needles: set[bytes]) -> list[str]:
    """Every file under ``home`` whose bytes contain one of ``needles`` (with the first needle found)."""
    found = []
    for path in sorted(home.rglob("*")) if home.exists() else []:
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            hits = [needle for needle in needles if needle in data]
            if hits:
                found.append(f"{path.relative_to(home)}: {hits[0][:12]!r}")
    return found


def _secret_values(session: PortalSession) -> set[bytes]:
    # Short flag values ("true", "0") are not secrets and would match anything.
    return {str(c["value"]).encode() for c in session.cookies if len(str(c["value"])) >= 12}


def test_sign_ins_and_wipe_leave_no_cookie_or_auth_url_under_the_home(
    portal: tuple[str, PortalConfig],
    tmp_path: Path,
    memory_keyring: InMemoryKeyring,
    capsys: pytest.CaptureFixture[str],
) -> None:
    base_url, config = portal
    settings = Settings(home=tmp_path / "home", kaiser=sandbox_kaiser_settings(config, base_url))
    secrets = SecretStore.for_settings(settings)
    secrets.set(KAISER_PASSWORD, config.patient.password)
    outbox = config.sms_outbox
    # What an earlier version left: a Chromium profile holding the cookies and the OIDC redirect.
    legacy = ensure_private_dir(settings.browser_profile_dir / "Default")
    (legacy / "Cookies").write_bytes(b"SQLite format 3\x00" + DEVICE_COOKIE.encode() + b"=legacy-device-cookie-value")
    (legacy / "History").write_bytes(b"https://kp.example/pa/oidc/cb?code=legacy-code&state=s")
    needles = {b"code=", b"legacy-device-cookie-value"}
    assert len(_files_holding(settings.home, needles)) == 2  # the check sees what it looks for

    async def from_phone() -> str:
        return await outbox.wait_for_code(newer_than=0, timeout=15)

    first = asyncio.run(interactive_login(settings, secrets, headless=True, mfa_code=from_phone))
    save_session(secrets, first)
    assert len(outbox) == 1
    assert capsys.readouterr().err.count(f"Removed {settings.browser_profile_dir}") == 1
    device = KeychainBrowserMemory(secrets).recall()
    assert device is not None and [c["name"] for c in device["cookies"]] == [DEVICE_COOKIE]
    needles |= _secret_values(first) | {str(c["value"]).encode() for c in device["cookies"]}
    assert any(c["name"] == SESSION_COOKIE for c in first.cookies)
    assert _files_holding(settings.home, needles) == []

    async def no_code_expected() -> str:
        raise AssertionError("MFA asked although the device trust was restored from the keychain")

    second = asyncio.run(interactive_login(settings, secrets, headless=True, mfa_code=no_code_expected))
    save_session(secrets, second)
    assert capsys.readouterr().err == ""  # the old profile was mentioned once, not again
    needles |= _secret_values(second)
    assert _files_holding(settings.home, needles) == []

    relogin = headless_relogin(settings, secrets, lambda fresh: save_session(secrets, fresh))
    silent = asyncio.run(relogin())
    assert len(outbox) == 1  # device trust restored from the keychain: no MFA
    needles |= _secret_values(silent)
    assert _secret_values(silent) != _secret_values(first)  # a new session each time
    assert _files_holding(settings.home, needles) == []

    result = CliRunner().invoke(app, ["wipe", "--yes"], env={"FHIRGATE_HOME": str(settings.home)})
    assert result.exit_code == 0, result.output
    assert _files_holding(settings.home, needles) == []
    assert memory_keyring.secrets == {}
