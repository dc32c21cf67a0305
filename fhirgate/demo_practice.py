"""The demo's second source: the sandbox SMART EHR, connected as `demo-practice`.

Starts the sandbox practice on loopback, runs the real `connect` flow (discovery, PKCE,
loopback redirect) with headless Chromium signing in and consenting as the patient, then asks
the MCP server about the practice's record, so the demo's tools answer from two sources.
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from mcp import Client, StdioServerParameters
from mcp.types import TextContent
from rich.console import Console

from fhir_client import ClientAuthMethod, ClientCredentials
from fhirgate.home_manifest import add_demo_sandbox
from fhirgate.serving import serve_in_thread
from fhirgate.settings import Settings
from fhirgate.smart_connect import Connected, ConnectOptions, connect_source
from sandbox.ehr import EhrClient, EhrConfig, create_ehr_app
from sandbox.ehr.patient_browser import consent_in_chromium

PRACTICE_NAME = "demo-practice"
PRACTICE_QUESTION = {"source": PRACTICE_NAME, "resource_type": "Condition"}


@asynccontextmanager
async def demo_practice(demo: Settings, console: Console, *, ask: bool = True) -> AsyncIterator[None]:
    """Serve and connect the sandbox practice for the rest of the demo (``ask``: then show an MCP answer
    from it)."""
    client_secret = secrets.token_urlsafe(24)
    app = EhrClient("fhirgate-demo", "client_secret", client_secret=client_secret)
    config = EhrConfig(clients=(app,), seed=1)
    with tempfile.TemporaryDirectory(prefix="fhirgate-ehr-") as data_dir:
        ehr = create_ehr_app(config, Path(data_dir))
        try:
            with serve_in_thread(ehr.app) as server:
                base_url = ehr.fhir_base(server.base_url)
                add_demo_sandbox(demo.home, server.base_url)
                console.rule("SMART on FHIR: connecting a second practice")
                console.print(f"Sandbox practice (like eClinicalWorks): {base_url}")

                async def patient_consents(url: str) -> None:
                    console.print("Signing in at the practice and allowing access with headless Chromium…")
                    await consent_in_chromium(
                        url, username=config.username, password=config.password, browser_path=demo.browser_path
                    )

                credentials = ClientCredentials(
                    "fhirgate-demo", ClientAuthMethod.CLIENT_SECRET_BASIC, client_secret=client_secret
                )
                options = ConnectOptions(PRACTICE_NAME, base_url, redirect_port=0, timeout=60)
                connected = await connect_source(demo, options, credentials, None, open_url=patient_consents)
                if isinstance(connected, Connected):
                    console.print(f"connected {PRACTICE_NAME}: {connected.who.describe()}", highlight=False)
                if ask:
                    await _ask_practice(demo, console)
                yield
        finally:
            ehr.store.close()


async def _ask_practice(demo: Settings, console: Console) -> None:
    env = {**os.environ, "FHIRGATE_HOME": str(demo.home)}
    server = StdioServerParameters(command=sys.executable, args=["-m", "fhirgate", "mcp"], env=env)
    async with Client(server, read_timeout_seconds=60) as client:
        result = await client.call_tool("fhir_search", PRACTICE_QUESTION)
    console.print(f"tool call: fhir_search({PRACTICE_QUESTION})", highlight=False)
    text = "\n".join(block.text for block in result.content if isinstance(block, TextContent))
    console.print(text, highlight=False, markup=False, soft_wrap=True)
