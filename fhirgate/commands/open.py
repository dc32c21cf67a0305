"""`fhirgate open`: sign in to the local web app (approvals) with a one-time link, and open the browser.

The link goes to the web app already serving this home (`fhirgate serve`, `fhirgate mcp`, the demo); when
none runs, this command serves it itself until Ctrl-C.
"""

from __future__ import annotations

import os
import time
import webbrowser
from typing import Annotated

import typer

from fhirgate.cli_app import app, err, settings_from_env
from fhirgate.secrets import SecretStore


@app.command(name="open")
def open_web_app(
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Only print the sign-in link.")] = False,
    next_page: Annotated[
        str | None,
        typer.Option("--next", help="The page to land on once signed in (e.g. a SMART app's consent page)."),
    ] = None,
) -> None:
    """Open fhirgate's local web app (approve or reject writes and practice connections), signed in."""
    from fhirgate.approval_wiring import live_web_address, login_link

    settings = settings_from_env()
    running = live_web_address(settings)
    if running is not None:
        _hand_over(login_link(settings, running, next_page=next_page), no_browser=no_browser)
        return

    from fhirgate.approval_wiring import approval_decisions, home_web_app, record_web_address
    from fhirgate.practice_connector import SmartPracticeConnector, connection_starter
    from fhirgate.serving import free_port, serve_in_thread
    from fhirgate.write_wiring import write_operations

    writes = write_operations(settings, SecretStore.for_settings(settings))
    starter = connection_starter(SmartPracticeConnector(settings, os.environ))
    decisions = approval_decisions(settings, writes=writes, connect=starter)
    port = free_port()
    from gateway.store import SqliteStore

    store = SqliteStore.open(settings.store_path)
    with serve_in_thread(home_web_app(settings, decisions, port=port, record=store), port=port) as web:
        record_web_address(settings, web.base_url)
        _hand_over(login_link(settings, web.base_url), no_browser=no_browser)
        err.print("Serving the web app until Ctrl-C.")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            err.print("stopped")


def _hand_over(link: str, *, no_browser: bool) -> None:
    err.print("Sign-in link (works once, for 5 minutes; do not share it):")
    typer.echo(link)
    if not no_browser:
        webbrowser.open(link)
