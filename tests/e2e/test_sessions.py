"""Sessions through real headless Chromium: device trust expiry brings MFA back, and the sync's silent
re-login (remembered device trust, no MFA) revives a dead session or, when MFA is needed, asks the user."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

import pytest

from gateway.kaiser.errors import LoginFailed
from gateway.kaiser.login import MFA_NEEDED, Credentials, LoginOptions, silent_relogin
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import PortalSession
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from sandbox.portal import FaultSwitches
from sandbox.portal.fault_spec import parse_faults
from tests.e2e.harness import RememberedDevice, Sandbox
from tests.sync.portal_harness import CORE_SURFACES, StepClock

pytestmark = pytest.mark.browser
DEVICE_COOKIE = "PF.PERSISTENT"


def _expire_device_cookie(device: RememberedDevice) -> None:
    """What 180 days do to the remember-this-device cookie: the browser drops it."""
    assert device.state is not None
    assert any(c["name"] == DEVICE_COOKIE for c in device.state["cookies"])
    for cookie in device.state["cookies"]:
        if cookie["name"] == DEVICE_COOKIE:
            cookie["expires"] = 1


def _relogin(sandbox: Sandbox, device: RememberedDevice) -> Callable[[], Awaitable[PortalSession]]:
    credentials = Credentials(sandbox.patient.username, sandbox.patient.password)
    return silent_relogin(sandbox.kaiser, lambda: credentials, LoginOptions(memory=device, timeout_seconds=30))


async def test_expired_device_cookie_brings_mfa_back(sandbox: Sandbox) -> None:
    device = RememberedDevice()
    await sandbox.login(device)
    texts = len(sandbox.outbox)
    assert texts == 1
    await sandbox.login(device)
    assert len(sandbox.outbox) == texts  # trusted device: silent

    _expire_device_cookie(device)
    with pytest.raises(LoginFailed, match="MFA"):
        await _relogin(sandbox, device)()  # headless, nobody to type a code: fails fast, says why
    session = await sandbox.login(device)  # the user signs in with the texted code
    assert len(sandbox.outbox) > texts
    assert any(cookie["name"] == "MyChartSessionToken4mychartcn" for cookie in session.cookies)


async def test_silent_relogin_revives_a_session_killed_mid_sync(
    sandbox: Sandbox, faults: FaultSwitches, tmp_path: Path
) -> None:
    device = RememberedDevice()
    session = await sandbox.login(device)
    texts = len(sandbox.outbox)
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    sandbox.config.faults = parse_faults("expire-after=6")
    async with PortalClient(sandbox.kaiser, session, relogin=_relogin(sandbox, device)) as client:
        report = await SyncEngine(client, store, clock=StepClock()).run(CORE_SURFACES)
        assert client.relogins == 1
    assert report.ok, report.surfaces
    assert len(sandbox.outbox) == texts  # the re-login used the device trust: no MFA
    store.close()


async def test_dead_session_without_device_trust_tells_the_user_to_sign_in(sandbox: Sandbox, tmp_path: Path) -> None:
    device = RememberedDevice()
    session = await sandbox.login(device)
    _expire_device_cookie(device)
    store = SqliteStore.open(tmp_path / "store.sqlite3")
    sandbox.config.faults = parse_faults("expire-after=2")
    async with PortalClient(sandbox.kaiser, session, relogin=_relogin(sandbox, device)) as client:
        report = await SyncEngine(client, store, clock=StepClock()).run(CORE_SURFACES)
    assert report.login_required is not None
    assert "fhirgate login kaiser" in report.login_required and MFA_NEEDED in report.login_required
    store.close()
