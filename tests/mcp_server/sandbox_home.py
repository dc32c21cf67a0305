"""A fhirgate home as a user's would be after `login kaiser`, `sync` and `connect`: the sandbox
kp.org and the sandbox SMART EHR on loopback, a real Chromium sign-in, a real sync, practices
connected through their consent pages (`dr-sample` on the eClinicalWorks profile, `dr-generic` on
the generic SMART profile), and secrets in the file keyring a `fhirgate mcp` subprocess shares.
`sandbox_home()` keeps the servers running until its block exits."""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx2
import keyring
from keyring.backends import fail
from mcp import Client
from mcp.client.stdio import StdioServerParameters

from fhir_client import ClientAuthMethod, ClientCredentials
from fhirgate.secrets import FileKeyring, SecretStore
from fhirgate.serving import serve_in_thread
from fhirgate.settings import Settings
from fhirgate.smart_connect import Connected, ConnectOptions, connect_source
from gateway.kaiser.browser_memory import KeychainBrowserMemory
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import save_session
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine, SyncReport
from sandbox.ehr import EhrApp, EhrClient, EhrConfig
from sandbox.ehr.practice_list import PRACTICE_LIST_PATH
from sandbox.patient import generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox
from tests.e2e.harness import Sandbox
from tests.sandbox.ehr.ehr_harness import CLIENT_SECRET, consent_by_form, running_ehr

PRACTICE = "dr-sample"
GENERIC_PRACTICE = "dr-generic"
PRACTICE_CLIENT_ID = "app-secret"
HTTPS_REDIRECT = "https://app.example/fhirgate/callback"


@dataclass
class SandboxHome:
    """The running sandboxes and the home that knows them."""

    home: Path
    portal: Sandbox
    ehr: EhrApp
    ehr_base_url: str
    sync: SyncReport
    generic_ehr: EhrApp

    def environment(self) -> dict[str, str]:
        """What `fhirgate mcp` gets from Claude Desktop: the home, the portal's address, the healow variables."""
        kaiser = self.portal.kaiser
        return {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.home.parent / "user"),  # the user's home (caches such as matplotlib's go there)
            "FHIRGATE_HOME": str(self.home),
            "FHIRGATE_KAISER_PORTAL_URL": kaiser.portal_url,
            "FHIRGATE_KAISER_IDENTITY_URL": kaiser.identity_url,
            "FHIRGATE_KAISER_PHARMACY_URL": kaiser.pharmacy_url,
            "FHIRGATE_KAISER_USERNAME": kaiser.username,
            "FHIRGATE_KAISER_MYCARE_API_KEY": kaiser.mycare_api_key,
            "FHIRGATE_KAISER_PHARMACY_CLIENT_ID": kaiser.pharmacy_client_id,
            "HEALOW_CLIENT_ID": PRACTICE_CLIENT_ID,
            "HEALOW_CLIENT_SECRET": CLIENT_SECRET,
            "HEALOW_REDIRECT_URI": HTTPS_REDIRECT,
            # eCW's practice directory and provider host, as the sandbox EHR serves them
            "FHIRGATE_PRACTICE_DIRECTORY_URL": self.ehr_base_url.split("/fhir/")[0] + PRACTICE_LIST_PATH,
            "FHIRGATE_PROVIDER_HOSTS": "localhost=127.0.0.1",
            # The test's in-memory keyring is not the subprocess's: both use the 0600 file fallback.
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
        }


@contextmanager
def file_keyring() -> Iterator[None]:
    """Make `SecretStore.for_settings` pick the file fallback, as the subprocess will."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        yield
    finally:
        keyring.set_keyring(previous)


async def _login_and_sync(settings: Settings, portal: Sandbox) -> SyncReport:
    secrets = SecretStore(settings.keyring_service, FileKeyring(settings.home / "secrets.json"))
    session = await portal.login(KeychainBrowserMemory(secrets))
    save_session(secrets, session)
    store = SqliteStore.open(settings.store_path)
    try:
        async with PortalClient(portal.kaiser, session) as client:
            return await SyncEngine(client, store, clock=lambda: datetime.now(UTC)).run()
    finally:
        store.close()


async def _connect(settings: Settings, base_url: str, name: str = PRACTICE) -> Connected:
    async def patient_consents(url: str) -> None:
        redirect = await consent_by_form(url, None)
        async with httpx2.AsyncClient() as browser:  # the browser follows the practice's redirect
            await browser.get(redirect)

    credentials = ClientCredentials(
        PRACTICE_CLIENT_ID, ClientAuthMethod.CLIENT_SECRET_BASIC, client_secret=CLIENT_SECRET
    )
    options = ConnectOptions(name, base_url, redirect_port=0, timeout=30)
    connected = await connect_source(settings, options, credentials, None, open_url=patient_consents)
    assert isinstance(connected, Connected)
    return connected


@asynccontextmanager
async def sandbox_home(root: Path) -> AsyncIterator[SandboxHome]:
    """Both sandboxes running, the Kaiser record synced and `dr-sample` connected, under `root/home`."""
    config = PortalConfig(patient=generate_patient(seed=1), sms_outbox=SmsOutbox(), pdf_generating_calls=0)
    app = EhrClient(
        PRACTICE_CLIENT_ID,
        "client_secret",
        client_secret=CLIENT_SECRET,
        redirect_uris=("http://127.0.0.1/callback", HTTPS_REDIRECT),
    )
    with ExitStack() as stack:
        server = stack.enter_context(serve_in_thread(create_portal_app(config)))
        ehr, ehr_base = stack.enter_context(running_ehr(root, EhrConfig(clients=(app,))))
        generic, generic_base = stack.enter_context(
            running_ehr(root / "generic", EhrConfig(clients=(app,), profile="generic"))
        )
        portal = Sandbox(base_url=server.base_url, config=config)
        home = root / "home"
        settings = Settings(home=home, kaiser=portal.kaiser)
        with file_keyring():
            report = await _login_and_sync(settings, portal)
            await _connect(settings, ehr_base)
            await _connect(settings, generic_base, GENERIC_PRACTICE)
        yield SandboxHome(home, portal, ehr, ehr_base, report, generic)


@asynccontextmanager
async def mcp_session(home: SandboxHome) -> AsyncIterator[Client]:
    """A stdio client session with `fhirgate mcp`, run in a task of its own.

    The SDK's task groups must be left by the task that entered them, and a module-scoped
    fixture is set up and torn down by different tasks; the runner task owns the session.
    """
    params = StdioServerParameters(command=sys.executable, args=["-m", "fhirgate", "mcp"], env=home.environment())
    ready: asyncio.Future[Client] = asyncio.get_running_loop().create_future()
    done = asyncio.Event()

    async def run() -> None:
        try:
            async with Client(params, read_timeout_seconds=60) as client:
                ready.set_result(client)
                await done.wait()
        except BaseException as error:
            if not ready.done():
                ready.set_exception(error)
            raise

    runner = asyncio.create_task(run())
    try:
        yield await ready
    finally:
        done.set()
        await runner
