"""A signed-in PortalClient talking to the in-process sandbox portal through ``httpx2.ASGITransport``.

The sign-in is driven by the sandbox's own test driver (credentials, then the texted MFA code); its
cookies become the PortalSession the fetchers use, exactly as the browser login hands them over.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx2
from starlette.applications import Starlette
from starlette.testclient import TestClient

from fhirgate.sandbox_kaiser import sandbox_kaiser_settings
from fhirgate.settings import KaiserSettings
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import PortalSession
from sandbox.patient import SyntheticPatient, generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.sandbox.portal_driver import BASE, PortalDriver


@dataclass
class SandboxPortal:
    app: Starlette
    config: PortalConfig
    session: PortalSession

    @property
    def kaiser(self) -> KaiserSettings:
        return sandbox_kaiser_settings(self.config, BASE)

    @asynccontextmanager
    async def client(self) -> AsyncIterator[PortalClient]:
        async with PortalClient(self.kaiser, self.session, transport=httpx2.ASGITransport(app=self.app)) as client:
            yield client


def signed_in_portal(patient: SyntheticPatient | None = None) -> SandboxPortal:
    """A fresh sandbox portal for ``patient`` (seed 1, small, by default) and a live session on it."""
    config = PortalConfig(patient=patient or generate_patient(seed=1), sms_outbox=SmsOutbox())
    app = create_portal_app(config)
    with TestClient(app, base_url=BASE) as browser:
        PortalDriver(browser, config.patient, config.sms_outbox).sign_in()
        cookies = tuple(
            {"name": cookie.name, "value": cookie.value, "domain": cookie.domain, "path": cookie.path}
            for cookie in browser.cookies.jar
        )
    return SandboxPortal(app=app, config=config, session=PortalSession(cookies=cookies, user_agent="fhirgate-tests/1"))
