"""The sandbox kp.org portal in-process, signed in through its own forms, for surfaces run by their real sync.

Requests go through :class:`RecordingTransport` (``httpx2.ASGITransport`` into the sandbox app), which keeps
every JSON body the portal answered, so the fidelity check sees exactly the raw JSON the translators read.
"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass, field
from typing import Any

import httpx2

from fhirgate.sandbox_kaiser import sandbox_kaiser_settings
from fhirgate.settings import KaiserSettings
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import PortalSession
from sandbox.patient import SyntheticPatient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.portal.sign_in import sign_in_cookies
from sandbox.sms import SmsOutbox

__all__ = ["RecordingTransport", "SandboxPortal"]

BASE = "http://kp.sandbox.test"
_RECOMPUTED = frozenset({"content-length", "content-encoding", "transfer-encoding"})
"""The body is re-sent decoded, so these headers no longer describe it."""


class RecordingTransport(httpx2.AsyncBaseTransport):
    """Forwards to the sandbox app and records each JSON response body as ``(endpoint name, body)``."""

    def __init__(self, inner: httpx2.AsyncBaseTransport) -> None:
        self._inner = inner
        self.bodies: list[tuple[str, Any]] = []

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        response = await self._inner.handle_async_request(request)
        content = await response.aread()
        if "json" in response.headers.get("content-type", "") and content:
            with contextlib.suppress(ValueError):  # not JSON after all: the client reports it, nothing to record
                self.bodies.append((request.url.path.rstrip("/").rsplit("/", 1)[-1], json.loads(content)))
        headers = [(k, v) for k, v in response.headers.items() if k.lower() not in _RECOMPUTED]
        return httpx2.Response(response.status_code, headers=headers, content=content, request=request)

    async def aclose(self) -> None:
        await self._inner.aclose()


@dataclass
class SandboxPortal:
    patient: SyntheticPatient
    outbox: SmsOutbox = field(default_factory=SmsOutbox)

    def __post_init__(self) -> None:
        self.config = PortalConfig(patient=self.patient, sms_outbox=self.outbox)
        self.app = create_portal_app(self.config)
        self.recorder = RecordingTransport(httpx2.ASGITransport(app=self.app))

    @property
    def kaiser(self) -> KaiserSettings:
        return sandbox_kaiser_settings(self.config, BASE)

    async def sign_in(self) -> PortalSession:
        """Username, password and the texted code through the sandbox's sign-in forms, as a browser would."""
        transport = httpx2.ASGITransport(app=self.app)
        cookies = await sign_in_cookies(BASE, self.patient, self.outbox, transport=transport)
        return PortalSession(cookies=cookies, user_agent="fhirgate-conformance/1")

    async def client(self) -> PortalClient:
        return PortalClient(self.kaiser, await self.sign_in(), transport=self.recorder)
