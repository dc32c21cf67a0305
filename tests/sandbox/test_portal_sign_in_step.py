"""The shared sandbox sign-in step (``sandbox.portal.sign_in``) over the real portal app in-process."""

from __future__ import annotations

import dataclasses

import httpx2
import pytest
from starlette.applications import Starlette

from sandbox.patient import SyntheticPatient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.portal.sign_in import HOME_PATH, SandboxPhone, SignInRefused, sign_in_cookies
from sandbox.sms import SmsOutbox

BASE = "http://kp.sign-in.test"


async def _landing_path(app: Starlette, cookies: tuple[dict[str, str], ...]) -> str:
    """Where a browser holding ``cookies`` ends up when it opens the portal home page."""
    transport = httpx2.ASGITransport(app=app)
    async with httpx2.AsyncClient(transport=transport, base_url=BASE, follow_redirects=True) as http:
        for cookie in cookies:
            http.cookies.set(cookie["name"], cookie["value"], domain=cookie["domain"], path=cookie["path"])
        return (await http.get(HOME_PATH)).url.path


async def test_sign_in_returns_cookies_of_a_live_session(config: PortalConfig, outbox: SmsOutbox) -> None:
    app = create_portal_app(config)
    cookies = await sign_in_cookies(BASE, config.patient, outbox, transport=httpx2.ASGITransport(app=app))
    assert len(outbox) == 1  # the texted code was asked for and used
    assert await _landing_path(app, cookies) == HOME_PATH
    assert await _landing_path(app, ()) != HOME_PATH  # without them the portal sends the browser to sign in


async def test_wrong_password_is_refused(config: PortalConfig, patient: SyntheticPatient, outbox: SmsOutbox) -> None:
    impostor = dataclasses.replace(patient, password=patient.password + "-wrong")
    transport = httpx2.ASGITransport(app=create_portal_app(config))
    with pytest.raises(SignInRefused):
        await sign_in_cookies(BASE, impostor, outbox, transport=transport)
    assert len(outbox) == 0


async def test_phone_reads_only_codes_texted_after_it_was_picked_up() -> None:
    outbox = SmsOutbox()
    outbox.send("1234", "Your code is 111111")
    phone = SandboxPhone(outbox)
    outbox.send("1234", "Your code is 222222")
    assert await phone.code(timeout=1) == "222222"
    with pytest.raises(TimeoutError):
        await SandboxPhone(outbox).code(timeout=0.05)
