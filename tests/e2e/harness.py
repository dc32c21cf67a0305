"""A sandbox kp.org on a real loopback port, with sign-in through real headless Chromium."""

from __future__ import annotations

from dataclasses import dataclass

from fhirgate.sandbox_kaiser import sandbox_kaiser_settings
from fhirgate.settings import KaiserSettings
from gateway.kaiser.browser_memory import BrowserMemory, BrowserState
from gateway.kaiser.login import Credentials, LoginOptions, browser_login
from gateway.kaiser.session import PortalSession
from sandbox.patient import SyntheticPatient
from sandbox.portal import PortalConfig
from sandbox.portal.sign_in import SandboxPhone
from sandbox.sms import SmsOutbox


@dataclass
class RememberedDevice:
    """A browser memory held in the test: what the keychain entry would hold."""

    state: BrowserState | None = None

    def recall(self) -> BrowserState | None:
        return self.state

    def remember(self, state: BrowserState) -> None:
        self.state = state


@dataclass
class Sandbox:
    base_url: str
    config: PortalConfig

    @property
    def patient(self) -> SyntheticPatient:
        return self.config.patient

    @property
    def outbox(self) -> SmsOutbox:
        return self.config.sms_outbox

    @property
    def kaiser(self) -> KaiserSettings:
        return sandbox_kaiser_settings(self.config, self.base_url)

    async def login(
        self, memory: BrowserMemory | None, *, password: str | None = None, code: str | None = None
    ) -> PortalSession:
        phone = SandboxPhone(self.outbox)

        async def from_phone() -> str:
            sent = await phone.code()
            return code if code is not None else sent

        return await browser_login(
            self.kaiser,
            Credentials(self.patient.username, password if password is not None else self.patient.password),
            LoginOptions(memory=memory, headless=True, timeout_seconds=30),
            mfa_code=from_phone,
        )
