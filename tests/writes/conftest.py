"""A signed-in PortalClient talking to the real sandbox portal app in-process (httpx2.ASGITransport)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx2
import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from fhirgate.sandbox_kaiser import sandbox_kaiser_settings
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import PortalSession
from sandbox.patient import generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.sandbox.portal_driver import BASE, PortalDriver


@dataclass
class SignedInPortal:
    app: Starlette
    config: PortalConfig
    client: PortalClient


@pytest.fixture
async def portal() -> AsyncIterator[SignedInPortal]:
    config = PortalConfig(patient=generate_patient(seed=5), sms_outbox=SmsOutbox())
    app = create_portal_app(config)
    with TestClient(app, base_url=BASE) as browser:
        PortalDriver(browser, config.patient, config.sms_outbox).sign_in()
        cookies = tuple(
            {"name": c.name, "value": c.value or "", "domain": c.domain, "path": c.path} for c in browser.cookies.jar
        )
    kaiser = sandbox_kaiser_settings(config, BASE)
    session = PortalSession(cookies=cookies, user_agent="fhirgate-tests")
    async with PortalClient(kaiser, session, transport=httpx2.ASGITransport(app=app)) as client:
        yield SignedInPortal(app=app, config=config, client=client)
