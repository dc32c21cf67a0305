"""The `fhirgate` command line. Failures end in one line on stderr and exit code 1, never a traceback."""

from __future__ import annotations

import asyncio
import getpass
import logging
import os
import sys
from collections.abc import Callable, Coroutine
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer
from rich.console import Console

from fhirgate.facade_token import facade_token
from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings

if TYPE_CHECKING:
    from gateway.kaiser.session import PortalSession

app = typer.Typer(
    help="fhirgate: your Kaiser record and your other doctors' FHIR servers, as one local FHIR gateway.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
err = Console(stderr=True)
T = TypeVar("T")
KAISER_PASSWORD = "kaiser-password"


class UserFacingError(Exception):
    """An error whose message is the whole story for the user."""


def _settings() -> Settings:
    return Settings.from_environ(os.environ)


def _run(work: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run async work; known failures become one line and exit code 1."""
    from gateway.kaiser.errors import KaiserError

    try:
        return asyncio.run(work())
    except KeyboardInterrupt:
        err.print("stopped")
        raise typer.Exit(130) from None
    except (KaiserError, UserFacingError) as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        raise typer.Exit(1) from None
    except Exception as exc:  # last resort: one line, never a traceback
        from fhirgate.demo import DemoFailed

        if isinstance(exc, DemoFailed):
            err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        else:
            err.print(f"[red]error:[/red] unexpected {type(exc).__name__}; run with FHIRGATE_DEBUG=1 for details")
            if os.environ.get("FHIRGATE_DEBUG"):
                raise
        raise typer.Exit(1) from None


@app.command()
def demo(
    once: Annotated[bool, typer.Option("--once", help="Exit after the MCP answer instead of serving.")] = False,
    seed: Annotated[int, typer.Option(help="Seed of the synthetic patient.")] = 1,
) -> None:
    """Run everything against the bundled sandbox kp.org: login, sync, facade, one MCP question."""
    from fhirgate.demo import DemoOptions, run_demo

    _run(lambda: run_demo(_settings(), DemoOptions(once=once, seed=seed), Console()))


@app.command()
def login(
    source: Annotated[str, typer.Argument(help="Which source to sign in to.")] = "kaiser",
    headless: Annotated[bool, typer.Option(help="No browser window; MFA code typed in this terminal.")] = False,
) -> None:
    """Sign in to kp.org in Chromium (password from the keychain, MFA by you)."""
    if source != "kaiser":
        raise UserFacingError(f"unknown source {source!r}; practices connect with `fhirgate connect` (coming soon)")
    settings = _settings()

    async def work() -> None:
        from gateway.kaiser.session import save_session

        secrets = SecretStore.for_settings(settings)
        session = await _interactive_login(settings, secrets, headless=headless)
        save_session(secrets, session)
        err.print(f"Signed in to Kaiser; session kept in {secrets.description}.")

    _run(work)


async def _interactive_login(settings: Settings, secrets: SecretStore, *, headless: bool) -> PortalSession:
    from gateway.kaiser.login import Credentials, LoginOptions, browser_login

    username = settings.kaiser.username or typer.prompt("kp.org username", err=True)
    password = secrets.get(KAISER_PASSWORD)
    if not password:
        password = getpass.getpass("kp.org password (kept in the keychain): ")
        secrets.set(KAISER_PASSWORD, password)

    async def code_from_terminal() -> str:
        return str(await asyncio.to_thread(typer.prompt, "MFA code", err=True))

    return await browser_login(
        settings.kaiser,
        Credentials(username, password),
        LoginOptions(
            profile_dir=settings.browser_profile_dir,
            browser_path=settings.browser_path,
            headless=headless,
            timeout_seconds=60 if headless else 300,
        ),
        mfa_code=code_from_terminal if headless else None,
    )


@app.command()
def sync(
    surface: Annotated[list[str] | None, typer.Option(help="Only these surfaces (repeatable).")] = None,
) -> None:
    """Pull the Kaiser record into the local store, with progress bars and a summary."""
    settings = _settings()

    async def work() -> None:
        from fhirgate.progress_bars import RichSyncProgress, summary_table
        from gateway.kaiser.portal_client import PortalClient
        from gateway.kaiser.session import load_session, save_session
        from gateway.store import SqliteStore
        from gateway.sync.engine import SyncEngine

        secrets = SecretStore.for_settings(settings)
        session = load_session(secrets)
        if session is None:
            raise UserFacingError("not signed in to Kaiser: run `fhirgate login kaiser` first")

        async def relogin() -> PortalSession:
            fresh = await _interactive_login(settings, secrets, headless=False)
            save_session(secrets, fresh)
            return fresh

        store = SqliteStore.open(settings.store_path)
        try:
            async with PortalClient(settings.kaiser, session, relogin=relogin) as client:
                with RichSyncProgress(err) as progress:
                    engine = SyncEngine(client, store, clock=lambda: datetime.now(UTC), progress=progress)
                    report = await engine.run(surface)
            err.print(summary_table(report.surfaces))
            if not report.ok:
                raise UserFacingError("some surfaces failed; their earlier data is kept (see the table)")
        finally:
            store.close()

    _run(work)


@app.command()
def serve(port: Annotated[int | None, typer.Option(help="Loopback port (default 8765).")] = None) -> None:
    """Serve the FHIR R4 facade for the Kaiser record on http://127.0.0.1:PORT/fhir."""
    import uvicorn

    from gateway.facade import create_facade_app
    from gateway.store import SqliteStore

    settings = _settings()
    store = SqliteStore.open(settings.store_path)
    token = facade_token(SecretStore.for_settings(settings))
    chosen = port or settings.facade_port
    err.print(f"FHIR R4 facade on http://127.0.0.1:{chosen}/fhir  (bearer token: `fhirgate token`)")
    try:
        uvicorn.run(create_facade_app(store, token=token), host="127.0.0.1", port=chosen, log_level="warning")
    finally:
        store.close()


@app.command()
def token() -> None:
    """Print the facade's bearer token (created on first use, kept in the keychain)."""
    typer.echo(facade_token(SecretStore.for_settings(_settings())))


@app.command()
def mcp(
    kaiser_url: Annotated[
        str | None, typer.Option(help="Use a running facade over HTTP instead of the store in-process.")
    ] = None,
) -> None:
    """Run the MCP server on stdio (what Claude Desktop launches)."""
    from fhirgate.kaiser_source import in_process_kaiser_client, remote_kaiser_client
    from gateway.store import SqliteStore
    from mcp_server import SourceRegistry
    from mcp_server.stdio import run_stdio

    logging.basicConfig(stream=sys.stderr, level=logging.WARNING)
    settings = _settings()
    store = SqliteStore.open(settings.store_path)
    try:
        if kaiser_url:
            client = remote_kaiser_client(kaiser_url, facade_token(SecretStore.for_settings(settings)))
        else:
            client = in_process_kaiser_client(store)
        asyncio.run(run_stdio(SourceRegistry({"kaiser": client})))
    finally:
        store.close()


@app.command()
def status() -> None:
    """Where data and secrets live, and each surface's last sync."""
    from rich.table import Table

    from gateway.store import SqliteStore

    settings = _settings()
    secrets = SecretStore.for_settings(settings)
    console = Console()
    console.print(f"home:    {settings.home}")
    console.print(f"secrets: {secrets.description}")
    signed_in = "yes" if secrets.get("kaiser-session") else "no (run `fhirgate login kaiser`)"
    console.print(f"kaiser session stored: {signed_in}")
    if not settings.store_path.exists():
        console.print("store:   not created yet (run `fhirgate sync`)")
        return
    store = SqliteStore.open(settings.store_path)
    try:
        table = Table(title=f"store {settings.store_path}")
        for column in ("surface", "last success", "last attempt", "last error", "problems"):
            table.add_column(column)
        for state in store.surface_states():
            table.add_row(
                state.surface,
                _when(state.last_success),
                _when(state.last_attempt),
                state.last_error or "",
                str(len(state.problems)),
            )
        console.print(table)
    finally:
        store.close()


def _when(moment: datetime | None) -> str:
    return moment.isoformat(timespec="seconds") if moment else "never"


def main() -> None:
    logging.basicConfig(stream=sys.stderr, level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    try:
        app()
    except UserFacingError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False, soft_wrap=True)
        sys.exit(1)
