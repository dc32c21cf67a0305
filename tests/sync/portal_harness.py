"""A sandbox kp.org reached in-process (httpx2.ASGITransport), signed in through its real sign-in forms.

The fast tests use this instead of Chromium: the session comes from the sandbox's own sign-in (with
MFA from its outbox), and re-login repeats that sign-in, so expiry handling runs for real.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2
from starlette.applications import Starlette

from fhirgate.sandbox_kaiser import sandbox_kaiser_settings
from fhirgate.settings import KaiserSettings
from gateway.kaiser.errors import LoginFailed
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import PortalSession
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine, SyncReport
from sandbox.patient import LabOrder, SyntheticPatient, generate_patient
from sandbox.portal import FaultSwitches, PortalConfig, create_portal_app
from sandbox.portal.sign_in import SignInRefused, sign_in_cookies
from sandbox.sms import SmsOutbox
from translators.refill_orders import FINAL_STATES

BASE = "http://kp.test"
CORE_SURFACES = ("profile", "test-results", "medications")
"""The surfaces this harness's tests are about (other surfaces have their own tests)."""


async def _no_sleep(_: float) -> None:
    return None


class StepClock:
    """A clock that moves one second per reading, so each sync batch has its own time."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        self.now += timedelta(seconds=1)
        return self.now


@dataclass
class Portal:
    config: PortalConfig
    app: Starlette
    logins: int = 0
    fail_relogin: bool = False
    clock: StepClock = field(default_factory=StepClock)
    served_at: str | None = None
    """Set when the portal runs under uvicorn: requests then go over loopback HTTP, not in-process."""

    @property
    def base(self) -> str:
        return self.served_at or BASE

    @property
    def patient(self) -> SyntheticPatient:
        return self.config.patient

    @property
    def faults(self) -> FaultSwitches:
        return self.config.faults

    @property
    def kaiser(self) -> KaiserSettings:
        return sandbox_kaiser_settings(self.config, self.base)

    def transport(self) -> httpx2.AsyncBaseTransport | None:
        return None if self.served_at else httpx2.ASGITransport(app=self.app)

    async def sign_in(self) -> PortalSession:
        """Username, password and the texted MFA code through the sandbox's forms, like the browser."""
        self.logins += 1
        try:
            cookies = await sign_in_cookies(self.base, self.patient, self.config.sms_outbox, transport=self.transport())
        except SignInRefused as refused:
            raise LoginFailed(str(refused)) from refused
        return PortalSession(cookies=cookies, user_agent="fhirgate-tests/1")

    async def relogin(self) -> PortalSession:
        if self.fail_relogin:
            raise LoginFailed("Kaiser asked for an MFA code")
        return await self.sign_in()

    async def client(self, **kwargs: object) -> PortalClient:
        session = await self.sign_in()
        return PortalClient(
            self.kaiser,
            session,
            transport=self.transport(),
            relogin=self.relogin,
            sleep=_no_sleep,
            **kwargs,  # type: ignore[arg-type]
        )

    async def sync(self, store: SqliteStore, *, full: bool = False, **kwargs: object) -> tuple[SyncReport, int]:
        """One sync of the core surfaces; returns the report and the number of portal requests it made."""
        async with await self.client(**kwargs) as client:
            return await self.sync_with(client, store, full=full), client.request_count

    async def sync_with(self, client: PortalClient, store: SqliteStore, *, full: bool = False) -> SyncReport:
        return await SyncEngine(client, store, clock=self.clock).run(CORE_SURFACES, full=full)

    async def settle(self, store: SqliteStore) -> None:
        """A first sync and the one after it, which fetches the result PDFs that were still generating."""
        for _ in range(2):
            report, _ = await self.sync(store)
            assert report.ok, report.surfaces


def open_orders(portal: Portal) -> int:
    """Refill orders not yet final: their details are read on every sync."""
    return sum(1 for order in portal.patient.refill_orders if order["orderStatus"] not in FINAL_STATES)


def generating_pdfs(portal: Portal, orders: Sequence[LabOrder]) -> list[LabOrder]:
    """The ``orders`` whose PDF the sandbox answers "Generating" for at first (IMAGING with a PDF)."""
    if portal.config.pdf_generating_calls == 0:
        return []
    return [o for o in orders if _offers_pdf(o) and o.list_entry["orderMetadata"]["resultType"] == "IMAGING"]


def pdf_requests(portal: Portal, orders: Sequence[LabOrder], *, first_asked: bool = True) -> int:
    """Requests a sync's result-PDF chains make for newly read ``orders``: three each, but a single
    "Generating" answer for a PDF asked for the first time (its three come with the next sync)."""
    generating = generating_pdfs(portal, orders) if first_asked else []
    return sum(1 if order in generating else 3 for order in orders if _offers_pdf(order))


def _offers_pdf(order: LabOrder) -> bool:
    return bool(order.detail["results"][0]["reportDetails"]["isDownloadablePDFReport"])


def make_portal(seed: int = 5, size: str = "small", faults: FaultSwitches | None = None) -> Portal:
    patient = generate_patient(seed, size="large" if size == "large" else "small")
    config = PortalConfig(patient=patient, sms_outbox=SmsOutbox(), faults=faults or FaultSwitches())
    return Portal(config=config, app=create_portal_app(config))


def open_store(tmp_path: Path, name: str = "store.sqlite3") -> SqliteStore:
    return SqliteStore.open(tmp_path / name)
