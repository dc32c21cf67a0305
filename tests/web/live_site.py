"""A home as it lives: the sandbox kp.org on loopback (a result can be held back and listed later), the
sandbox SMART EHR connected as ``dr-sample`` through its consent form, and the home's web app serving the
store with the real sync-now launcher and practice reader, plus the scheduled sync to start at will."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx2

from fhir_client import ClientAuthMethod, ClientCredentials
from fhirgate.practice_pages import HomePracticeReader
from fhirgate.scheduled_sync import ScheduledSync
from fhirgate.serving import free_port, serve_in_thread
from fhirgate.settings import Settings
from fhirgate.smart_connect import Connected, ConnectOptions, connect_source
from fhirgate.sync_now_launcher import HomeSyncLauncher
from fhirgate.sync_schedule import SyncSchedule
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from gateway.web import WebSessions, WebSettings, create_web_app
from gateway.writes.approvals import ApprovalStore
from gateway.writes.audit import AuditLog
from gateway.writes.decisions import ApprovalDecisions
from sandbox.ehr import EhrClient, EhrConfig
from sandbox.patient import SyntheticPatient
from tests.mcp_server.sandbox_home import file_keyring
from tests.sandbox.ehr.ehr_harness import CLIENT_SECRET, consent_by_form, running_ehr
from tests.sync.portal_harness import Portal, make_portal

PRACTICE = "dr-sample"
PRACTICE_CLIENT = "live-pages"


@dataclass
class LiveSite:
    base_url: str
    home: Path
    sessions: WebSessions
    portal: Portal
    whole: SyntheticPatient
    """The patient with every result; the portal lists one result fewer until ``release_the_held_result``."""

    def login_url(self) -> str:
        return f"{self.base_url}/login?token={self.sessions.new_login_link_token()}"

    def release_the_held_result(self) -> None:
        self.portal.config.patient = self.whole

    @contextmanager
    def scheduled_sync(self, every: timedelta) -> Iterator[ScheduledSync]:
        """The `serve --sync-every` runner, syncing every ``every`` in a thread of its own until the block ends."""
        schedule = SyncSchedule(every, clock=lambda: datetime.now(UTC), random=lambda: 0.5)
        stopping: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}
        started = threading.Event()
        store = SqliteStore.open(self.home / "store.sqlite3")
        runner = ScheduledSync(home=self.home, store=store, open_portal=self.portal.client, schedule=schedule)

        async def watch() -> None:
            stop = asyncio.Event()
            stopping["stop"] = (asyncio.get_running_loop(), stop)
            started.set()
            await runner.run(stop)

        thread = threading.Thread(target=asyncio.run, args=(watch(),), name="live-site-watch", daemon=True)
        thread.start()
        started.wait(timeout=10)
        try:
            yield runner
        finally:
            loop, stop = stopping["stop"]
            loop.call_soon_threadsafe(stop.set)
            thread.join(timeout=60)
            store.close()


async def _connect(settings: Settings, base_url: str) -> None:
    async def patient_consents(url: str) -> None:
        redirect = await consent_by_form(url, None)
        async with httpx2.AsyncClient() as browser:  # the browser follows the practice's redirect
            await browser.get(redirect)

    credentials = ClientCredentials(PRACTICE_CLIENT, ClientAuthMethod.CLIENT_SECRET_BASIC, client_secret=CLIENT_SECRET)
    options = ConnectOptions(PRACTICE, base_url, redirect_port=0, timeout=30)
    connected = await connect_source(settings, options, credentials, None, open_url=patient_consents)
    assert isinstance(connected, Connected)


async def _first_sync(portal: Portal, store: SqliteStore) -> None:
    async with await portal.client() as client:
        report = await SyncEngine(client, store, clock=lambda: datetime.now(UTC)).run(None)
    assert report.ok, report.surfaces


@contextmanager
def live_site(root: Path) -> Iterator[LiveSite]:
    portal = make_portal(seed=5)
    portal.config.pdf_generating_calls = 0
    whole = portal.patient
    portal.config.patient = replace(whole, lab_orders=whole.lab_orders[1:])  # the newest result comes later
    home = root / "home"
    home.mkdir()
    with ExitStack() as stack:
        stack.enter_context(file_keyring())
        served = stack.enter_context(serve_in_thread(portal.app))
        portal.served_at = served.base_url
        app = EhrClient(PRACTICE_CLIENT, "client_secret", client_secret=CLIENT_SECRET)
        _, ehr_base = stack.enter_context(running_ehr(root, EhrConfig(clients=(app,))))
        settings = Settings(home=home, kaiser=portal.kaiser)
        asyncio.run(_connect(settings, ehr_base))
        store = SqliteStore.open(home / "store.sqlite3")
        stack.callback(store.close)
        asyncio.run(_first_sync(portal, store))
        sessions = WebSessions(home / "web.sqlite3")
        decisions = ApprovalDecisions(ApprovalStore(home / "approvals.sqlite3"), AuditLog(home / "audit.log"))
        launcher = HomeSyncLauncher(
            home=home, store_path=home / "store.sqlite3", open_portal=portal.client, signed_in=lambda: True
        )
        port = free_port()
        web = create_web_app(
            WebSettings(port=port),
            sessions=sessions,
            approvals=decisions,
            record=store,
            sync_now=launcher,
            practices=HomePracticeReader(settings),
        )
        running = stack.enter_context(serve_in_thread(web, port=port))
        yield LiveSite(running.base_url, home, sessions, portal, whole)
