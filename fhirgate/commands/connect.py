"""`fhirgate connect`, `fhirgate sources`, `fhirgate disconnect` and `fhirgate keys create`:
connecting other doctors' FHIR servers (healow / eClinicalWorks practices) by SMART App Launch."""

from __future__ import annotations

import json
import os
import time
import webbrowser
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar, cast

import typer
from rich.console import Console

from fhirgate.cli_app import UserFacingError, app, err, fail, run_async, settings_from_env

if TYPE_CHECKING:
    from fhirgate.smart_connect import AuthChoice, Connected

T = TypeVar("T")

keys_app = typer.Typer(help="The app's private_key_jwt keys (RS384).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@app.command()
def connect(
    name: Annotated[str | None, typer.Argument(help="Your name for this practice, e.g. dr-lee.")] = None,
    base_url: Annotated[
        str | None, typer.Argument(help="FHIR base URL, e.g. https://fhir4.eclinicalworks.com/fhir/r4/<orgId>.")
    ] = None,
    client_id: Annotated[str | None, typer.Option(help="Registered client id (or HEALOW_CLIENT_ID).")] = None,
    auth: Annotated[
        str | None, typer.Option(help="secret | private-key-jwt | public (default: secret if a secret is set).")
    ] = None,
    secret_method: Annotated[str, typer.Option(help="How a client secret is sent: basic | post.")] = "basic",  # noqa: S107
    redirect_port: Annotated[int | None, typer.Option(help="Loopback port for the redirect (default 8977).")] = None,
    redirect_uri: Annotated[
        str | None, typer.Option(help="Registered redirect URI (or HEALOW_REDIRECT_URI); https means paste mode.")
    ] = None,
    complete: Annotated[
        str | None, typer.Option("--complete", help="Finish a pending launch with the redirect URL or the code.")
    ] = None,
    no_browser: Annotated[bool, typer.Option("--no-browser", help="Print the sign-in URL instead.")] = False,
) -> None:
    """Connect a practice's FHIR server: sign in at the practice, consent, store the tokens."""
    from fhirgate.secrets import SecretStore
    from fhirgate.smart_connect import ConnectOptions, complete_pasted, connect_source, credentials_from

    settings = settings_from_env()
    console = Console()
    if complete is not None:
        connected = run_async(lambda: _user_errors(complete_pasted(settings, name, complete)))
        console.print(f"connected [bold]{connected.record.name}[/bold]: {connected.who.describe()}", highlight=False)
        return
    if name is None or base_url is None:
        raise fail("usage: fhirgate connect NAME FHIR_BASE_URL (or fhirgate connect --complete URL)")
    from fhirgate.home_reach import HomeReach

    refused = HomeReach.for_settings(settings).refusal(base_url)  # a demo home connects only its sandbox
    if refused is not None:
        raise fail(refused)
    if auth not in (None, "secret", "private-key-jwt", "public") or secret_method not in ("basic", "post"):
        raise fail("--auth is secret, private-key-jwt or public; --secret-method is basic or post")
    options = ConnectOptions(
        name,
        base_url,
        client_id,
        cast("AuthChoice | None", auth),
        cast("Literal['basic', 'post']", secret_method),
        redirect_uri,
        redirect_port,
    ).with_environment(os.environ)
    secrets = SecretStore.for_settings(settings)

    def prompt_secret() -> str:
        return str(typer.prompt("client secret", hide_input=True))

    async def open_url(url: str) -> None:
        err.print(f"Sign in at the practice and allow access:\n{url}", soft_wrap=True, highlight=False)
        if not no_browser:
            webbrowser.open(url)

    async def work() -> Connected | str:
        credentials, key_id = credentials_from(options, settings, secrets, os.environ, prompt_secret)
        return await connect_source(settings, options, credentials, key_id, open_url=open_url)

    result = run_async(lambda: _user_errors(work()))
    if isinstance(result, str):
        console.print(f"Open this URL, sign in and allow access:\n{result}", soft_wrap=True, highlight=False)
        console.print(f"Then paste where the practice sent you:  fhirgate connect {name} --complete 'REDIRECT_URL'")
        return
    console.print(f"connected [bold]{name}[/bold]: {result.who.describe()}", highlight=False)


async def _user_errors(work: Awaitable[T]) -> T:
    from fhir_client import FhirClientError
    from fhirgate.smart_connect import ConnectError

    try:
        return await work
    except (FhirClientError, ConnectError, ValueError) as exc:
        raise UserFacingError(str(exc)) from None


@app.command()
def sources() -> None:
    """Each source (kaiser and every practice) with its connection state."""
    from rich.table import Table

    from fhirgate.smart_connect import catalog_for

    settings = settings_from_env()
    table = Table(title="sources")
    for column in ("name", "where", "state", "token expires in", "refresh token", "last call", "rate limit"):
        table.add_column(column)
    kaiser = "synced" if settings.store_path.exists() else "not synced (run `fhirgate login kaiser`)"
    table.add_row("kaiser", "kp.org (local store)", kaiser, "-", "-", "-", "-")
    now = time.time()
    records = catalog_for(settings).all() if (settings.home / "sources.sqlite3").exists() else []
    for record in records:
        table.add_row(
            record.name,
            record.base_url,
            record.state,
            _in(record.access_expires_at, now),
            _in(record.refresh_expires_at, now) if record.refresh_expires_at else "not stated by the practice",
            time.strftime("%Y-%m-%d %H:%M", time.localtime(record.last_call_at)) if record.last_call_at else "never",
            f"{record.rate_limit_per_minute}/min",
        )
    Console().print(table)


def _in(moment: float | None, now: float) -> str:
    if moment is None:
        return "-"
    seconds = int(moment - now)
    return "expired (refreshed on next call)" if seconds <= 0 else f"{seconds // 60} min {seconds % 60} s"


@app.command()
def disconnect(name: Annotated[str, typer.Argument(help="The source to forget.")]) -> None:
    """Revoke a practice's tokens (when it offers revocation) and forget it."""
    from fhirgate.smart_connect import disconnect as disconnect_practice

    revoked = run_async(lambda: _user_errors(disconnect_practice(settings_from_env(), name)))
    note = "tokens revoked at the practice" if revoked else "the practice offers no revocation; tokens deleted here"
    Console().print(f"disconnected {name}: {note}")


@keys_app.command("create")
def keys_create() -> None:
    """Make an RS384 key for private_key_jwt; prints the JWKS to register with the practice."""
    from fhirgate.app_keys import create_key, jwks_path
    from fhirgate.secrets import SecretStore

    settings = settings_from_env()
    kid, jwks = create_key(settings, SecretStore.for_settings(settings))
    err.print(f"new key kid={kid} (private key in {SecretStore.for_settings(settings).description});")
    err.print(f"public JWKS saved in {jwks_path(settings)}; register it (upload or JWKS URL) with the practice:")
    typer.echo(json.dumps(jwks, indent=2))
