"""`fhirgate demo`: the whole product against the bundled sandbox portal, no account needed.

Starts the sandbox kp.org, signs in with headless Chromium (the MFA code is read from the sandbox's
"phone"), syncs into a demo store, serves the facade on loopback, and asks the MCP server one
question through a real stdio client session, printing what the model would see.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime

from mcp import Client, StdioServerParameters
from mcp.types import TextContent
from rich.console import Console
from starlette.types import ASGIApp

from fhirgate.approval_wiring import approval_decisions, home_web_app, login_link, record_web_address
from fhirgate.demo_practice import demo_practice
from fhirgate.facade_token import facade_token
from fhirgate.home_manifest import demo_sandboxes_stopped, record_demo_sandboxes
from fhirgate.kaiser_source import KaiserSource
from fhirgate.practice_connector import SmartPracticeConnector, connection_starter
from fhirgate.progress_bars import RichSyncProgress, summary_table
from fhirgate.sandbox_kaiser import sandbox_kaiser_settings
from fhirgate.secrets import SecretStore
from fhirgate.serving import RunningServer, free_port, serve_in_thread
from fhirgate.settings import Settings
from fhirgate.write_wiring import write_operations
from gateway.facade import create_facade_app
from gateway.kaiser.browser_memory import KeychainBrowserMemory
from gateway.kaiser.login import Credentials, LoginOptions, browser_login
from gateway.kaiser.portal_client import PortalClient
from gateway.kaiser.session import PortalSession, save_session
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine, SyncReport
from gateway.web import facade_and_web
from sandbox.patient import SyntheticPatient, generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox

KAISER_PASSWORD = "kaiser-password"
DEMO_QUESTION = {"source": "kaiser", "resource_type": "Observation", "params": {"category": "laboratory"}}


@dataclass(frozen=True)
class DemoOptions:
    once: bool = False
    seed: int = 1


def demo_settings(settings: Settings, portal_url: str, config: PortalConfig) -> Settings:
    kaiser = sandbox_kaiser_settings(config, portal_url)
    return Settings(home=settings.home / "demo", kaiser=kaiser, browser_path=settings.browser_path)


async def run_demo(settings: Settings, options: DemoOptions, console: Console) -> None:
    patient = generate_patient(seed=options.seed, size="small")
    outbox = SmsOutbox()
    # The demo portal builds result PDFs at once; a "Generating" PDF (tested elsewhere) would stall the demo 30 s.
    config = PortalConfig(patient=patient, sms_outbox=outbox, pdf_generating_calls=0)
    with serve_in_thread(create_portal_app(config)) as portal:
        console.rule("[bold]fhirgate demo")
        console.print(f"Sandbox kp.org portal: {portal.base_url} (synthetic patient, seed {options.seed})")
        demo = demo_settings(settings, portal.base_url, config)
        record_demo_sandboxes(demo.home, demo.kaiser, (portal.base_url,), os.getpid())
        secrets = SecretStore.for_settings(demo)
        secrets.set(KAISER_PASSWORD, patient.password)
        console.print(f"Demo home: {demo.home}   secrets: {secrets.description}")

        session = await _login(demo, secrets, patient, outbox, console)
        store = SqliteStore.open(demo.store_path)
        try:
            async with PortalClient(demo.kaiser, session) as client:
                report = await _sync(client, store, console)
            if report.patient_id is None:
                raise DemoFailed("the profile could not be synced; see the summary above")
            token = facade_token(secrets)
            with serve_demo_facade(store, token, web=lambda port: _web_app(demo, secrets, port, store)) as facade:
                _print_facade(console, f"{facade.base_url}/fhir", token, report.patient_id)
                await _ask_mcp(demo, console)
                _print_web_app(demo, console, facade.base_url)
                async with demo_practice(demo, console):  # the second source: a SMART practice
                    if not options.once:
                        console.print("\nThe facade and the practice keep running; press Ctrl-C to stop.")
                        await asyncio.Event().wait()  # until Ctrl-C cancels the run
        finally:
            store.close()
            demo_sandboxes_stopped(demo.home, os.getpid())


class DemoFailed(Exception):
    pass


@contextmanager
def serve_demo_facade(
    store: SqliteStore, token: str, *, web: Callable[[int], ASGIApp] | None = None
) -> Iterator[RunningServer]:
    """The demo's facade on a free loopback port; its Host check names that port, as `fhirgate serve`'s does.
    With ``web``, the web app built for that port is mounted at `/` beside the facade."""
    port = free_port()
    facade = create_facade_app(store, KaiserSource(store).facade_settings(token, port=port))
    with serve_in_thread(facade_and_web(facade, web(port)) if web else facade, port=port) as running:
        yield running


async def _login(
    demo: Settings, secrets: SecretStore, patient: SyntheticPatient, outbox: SmsOutbox, console: Console
) -> PortalSession:
    console.print("Signing in with headless Chromium (username, password, then the MFA code texted to the phone)…")
    password = secrets.get(KAISER_PASSWORD) or ""
    first_message = len(outbox)

    async def code_from_phone() -> str:
        code = await outbox.wait_for_code(newer_than=first_message, timeout=15.0)
        console.print(f"  the sandbox texted ***-{patient.phone_last4}: sign-in code {code} (typed into the page)")
        return code

    session = await browser_login(
        demo.kaiser,
        Credentials(patient.username, password),
        LoginOptions(memory=KeychainBrowserMemory(secrets), browser_path=demo.browser_path, headless=True),
        mfa_code=code_from_phone,
    )
    save_session(secrets, session)
    console.print(f"Signed in: {len(session.cookies)} session cookies handed to the HTTP client.")
    return session


async def _sync(client: PortalClient, store: SqliteStore, console: Console) -> SyncReport:
    with RichSyncProgress(console) as progress:
        engine = SyncEngine(client, store, clock=lambda: datetime.now(UTC), progress=progress)
        report = await engine.run()
    console.print(summary_table(report.surfaces))
    return report


def _web_app(demo: Settings, secrets: SecretStore, port: int, store: SqliteStore) -> ASGIApp:
    """The web app next to the facade: approvals of writes to the sandbox portal and of practice connections."""
    starter = connection_starter(SmartPracticeConnector(demo, os.environ))
    decisions = approval_decisions(demo, writes=write_operations(demo, secrets), connect=starter)
    return home_web_app(demo, decisions, port=port, record=store)


def _print_web_app(demo: Settings, console: Console, base_url: str) -> None:
    record_web_address(demo, base_url)  # `fhirgate open` on the demo home signs in here
    console.rule("Web app: your record, and approving what an assistant prepares")
    console.print(
        f"Record pages: {base_url}/overview   Approvals: {base_url}/approvals\n"
        f"Sign-in link (works once, 5 minutes): {login_link(demo, base_url)}",
        soft_wrap=True,
        highlight=False,
    )


def _print_facade(console: Console, base: str, token: str, patient_id: str) -> None:
    auth = f'-H "Authorization: Bearer {token}"'
    console.rule("FHIR R4 facade")
    console.print(f"Base URL: {base}\nBearer token: {token}\n", soft_wrap=True)
    for query in (
        "metadata",
        f"Patient/{patient_id}",
        "Observation?category=laboratory&date=ge2024-01-01&_count=10",
    ):
        console.print(f"  curl -s {auth} '{base}/{query}'", soft_wrap=True, highlight=False)


async def _ask_mcp(demo: Settings, console: Console) -> None:
    console.rule("MCP: fhir_search through `fhirgate mcp` (stdio)")
    env = {**os.environ, "FHIRGATE_HOME": str(demo.home)}
    server = StdioServerParameters(command=sys.executable, args=["-m", "fhirgate", "mcp"], env=env)
    async with Client(server, read_timeout_seconds=60) as client:
        result = await client.call_tool("fhir_search", DEMO_QUESTION)
    console.print(f"tool call: fhir_search({DEMO_QUESTION})", highlight=False)
    if result.is_error:
        raise DemoFailed("the MCP tool call failed: " + _text(result.content))
    console.print(_text(result.content), highlight=False, markup=False, soft_wrap=True)


def _text(blocks: Sequence[object]) -> str:
    return "\n".join(block.text for block in blocks if isinstance(block, TextContent))
