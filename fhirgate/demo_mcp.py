"""`fhirgate mcp --demo`: the MCP server over the demo home, with the sandboxes it needs running in this
process (so Claude Desktop can try fhirgate on the synthetic patient, writes landing in the sandbox).

Before serving stdio: start the sandbox kp.org on a loopback port, record it in the demo home's manifest,
sign in with headless Chromium (MFA from the sandbox's phone), sync, then serve and connect the sandbox
practice. Everything the user would read goes to stderr: stdout carries the MCP protocol.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime

from rich.console import Console

from fhirgate.demo import KAISER_PASSWORD, DemoFailed, DemoOptions, _login, demo_settings
from fhirgate.demo_practice import demo_practice
from fhirgate.home_manifest import demo_sandboxes_stopped, record_demo_sandboxes
from fhirgate.mcp_sources import mcp_connector, mcp_registry, served_approval_desk
from fhirgate.secrets import SecretStore
from fhirgate.serving import serve_in_thread
from fhirgate.settings import Settings
from fhirgate.write_wiring import write_operations
from gateway.kaiser.portal_client import PortalClient
from gateway.store import SqliteStore
from gateway.sync.engine import SyncEngine
from mcp_server.tools.whats_new import WhatsNewTool
from mcp_server.transport.stdio import run_stdio
from sandbox.patient import generate_patient
from sandbox.portal import PortalConfig, create_portal_app
from sandbox.sms import SmsOutbox

__all__ = ["serve_demo_mcp"]

logger = logging.getLogger(__name__)


async def serve_demo_mcp(settings: Settings, options: DemoOptions, *, ttl_minutes: float) -> None:
    """Run the sandboxes and serve MCP on stdio over ``settings.home/demo`` until the client disconnects."""
    console = Console(stderr=True)
    patient = generate_patient(seed=options.seed, size="small")
    outbox = SmsOutbox()
    config = PortalConfig(patient=patient, sms_outbox=outbox, pdf_generating_calls=0)
    with serve_in_thread(create_portal_app(config)) as portal:
        demo = demo_settings(settings, portal.base_url, config)
        record_demo_sandboxes(demo.home, demo.kaiser, (portal.base_url,), os.getpid())
        try:
            console.print(f"fhirgate demo: sandbox kp.org on {portal.base_url}, demo home {demo.home}")
            secrets = SecretStore.for_settings(demo)
            secrets.set(KAISER_PASSWORD, patient.password)
            session = await _login(demo, secrets, patient, outbox, console)
            store = SqliteStore.open(demo.store_path)
            try:
                async with PortalClient(demo.kaiser, session) as client:
                    report = await SyncEngine(client, store, clock=lambda: datetime.now(UTC)).run()
                if report.patient_id is None:
                    raise DemoFailed("the sandbox profile could not be synced")
                logger.info("event=demo_synced surfaces=%d ok=%s", len(report.surfaces), report.ok)
                async with demo_practice(demo, console, ask=False):
                    writes = write_operations(demo, secrets)
                    registry = mcp_registry(demo, secrets, store, writes=writes, offline=False, ttl_minutes=ttl_minutes)
                    connector = mcp_connector(demo, os.environ, offline=False)
                    console.print("fhirgate demo: serving MCP on stdio (the sandboxes stop when the client leaves)")
                    with served_approval_desk(demo, writes, connector) as desk:
                        whats_new = WhatsNewTool.for_home(store, demo.home)
                        await run_stdio(registry, connector=connector, approvals=desk, whats_new=whats_new)
            finally:
                store.close()
        finally:
            demo_sandboxes_stopped(demo.home, os.getpid())
