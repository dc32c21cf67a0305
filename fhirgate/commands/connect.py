"""`fhirgate connect`, `fhirgate sources`, `fhirgate disconnect` and `fhirgate keys create`:
connecting other doctors' FHIR servers (healow / eClinicalWorks practices) by SMART App Launch."""

from __future__ import annotations

import json
import os
import time
import webbrowser
from collections.abc import Awaitable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal, TypeVar, cast

import typer
from rich.console import Console

from fhirgate.cli_app import UserFacingError, app, err, fail, run_async, settings_from_env

if TYPE_CHECKING:
    from fhirgate.settings import Settings
    from fhirgate.smart_connect import AuthChoice, Connected

T = TypeVar("T")

keys_app = typer.Typer(help="The app's private_key_jwt keys (RS384).", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@app.command()
def connect(
    name: Annotated[str | None, typer.Argument(help="Your name for this practice, e.g. dr-lee.")] = None,
    base_url: Annotated[
        str | None,
        typer.Argument(
            help="FHIR base URL (https://fhir4.healow.com/fhir/r4/<code>), or the practice's code or name "
            "as `fhirgate practices search` shows it."
        ),
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
    scopes: Annotated[
        str | None, typer.Option(help="Scopes to ask for (space-separated) instead of those chosen from the server.")
    ] = None,
    state: Annotated[str | None, typer.Option(help="With a practice name: its state (e.g. CA).")] = None,
    accept: Annotated[str | None, typer.Option(help="Accept header the server needs (application/json+fhir).")] = None,
    practice_code: Annotated[str | None, typer.Option(help="Send practice_code=CODE to the authorize page.")] = None,
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
    from fhir_client.practice_directory import looks_like_address

    if not looks_like_address(base_url):
        query = base_url
        base_url = run_async(lambda: _user_errors(_from_directory(settings, query, state)))
    options = ConnectOptions(
        name,
        base_url,
        client_id,
        cast("AuthChoice | None", auth),
        cast("Literal['basic', 'post']", secret_method),
        redirect_uri,
        redirect_port,
        scopes=tuple(scopes.replace(",", " ").split()) if scopes else None,
        practice_code=practice_code,
        accept=accept,
    ).with_environment(os.environ)
    moved = options.patient_base()
    if moved.explanation:
        err.print(f"note: {moved.explanation}", soft_wrap=True, highlight=False)
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
    from fhir_client import FhirClientError, PracticeNotFound
    from fhirgate.smart_connect import ConnectError

    try:
        return await work
    except (FhirClientError, ConnectError, ValueError, PracticeNotFound) as exc:
        raise UserFacingError(str(exc)) from None


async def _from_directory(settings: Settings, query: str, state: str | None) -> str:
    """The base URL of the practice `query` names in eClinicalWorks' directory."""
    from fhirgate.practice_finder import PracticeFinder, directory_for

    practice = await PracticeFinder(directory_for(settings, os.environ)).match(query, state=state)
    err.print(f"practice: {practice.describe()} at {practice.base_url}", soft_wrap=True, highlight=False)
    return practice.base_url


@app.command()
def sources() -> None:
    """Each source (kaiser and every practice) with its connection state."""
    from rich.table import Table

    from fhir_client import SourceSecrets
    from fhirgate.secrets import SecretStore
    from fhirgate.smart_connect import catalog_for

    settings = settings_from_env()
    table = Table(title="sources")
    columns = ("name", "where", "state", "token expires in", "refresh token", "granted scopes", "last call")
    for column in (*columns, "rate limit"):
        table.add_column(column)
    kaiser = "synced" if settings.store_path.exists() else "not synced (run `fhirgate login kaiser`)"
    table.add_row("kaiser", "kp.org (local store)", kaiser, "-", "-", "-", "-", "-")
    now = time.time()
    records = catalog_for(settings).all() if (settings.home / "sources.sqlite3").exists() else []
    secrets = SecretStore.for_settings(settings) if records else None
    for record in records:
        held = secrets is not None and SourceSecrets(secrets, record.name).tokens()[1] is not None
        table.add_row(
            record.name,
            record.base_url,
            record.state,
            _in(record.access_expires_at, now),
            _refresh_column(held, record.refresh_expires_at, record.access_expires_at, now),
            record.scope or "-",
            time.strftime("%Y-%m-%d %H:%M", time.localtime(record.last_call_at)) if record.last_call_at else "never",
            f"{record.rate_limit_per_minute}/min",
        )
    Console().print(table)


def _refresh_column(held: bool, refresh_expires_at: float | None, access_expires_at: float | None, now: float) -> str:
    if not held:
        until = time.strftime("%H:%M", time.localtime(access_expires_at)) if access_expires_at else "soon"
        return f"none: you must connect again at {until} (within the hour; public clients get no refresh token)"
    return _in(refresh_expires_at, now) if refresh_expires_at else "held (lifetime not stated by the practice)"


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


@keys_app.command("export")
def keys_export(
    jwks: Annotated[Path, typer.Option("--jwks", help="Write the public JWKS here (to host at your JWKS URL).")],
) -> None:
    """Write the app's public key set (JWKS) to a file, for a static host eClinicalWorks can allow-list."""
    from fhirgate.app_keys import load_jwks

    keys = load_jwks(settings_from_env())
    if not keys["keys"]:
        raise fail("no key yet: run `fhirgate keys create` first")
    public = {"keys": [{k: v for k, v in key.items() if k not in _PRIVATE_MEMBERS} for key in keys["keys"]]}
    jwks.write_text(json.dumps(public, indent=2) + "\n", encoding="utf-8")
    err.print(f"public JWKS with {len(public['keys'])} key(s) written to {jwks}; serve it over https at the JWKS URL")
    err.print("registered with the app (eClinicalWorks must allow-list that URL); it holds no private key material")


# RSA private members of a JWK (RFC 7518 §6.3.2): never exported, whatever the file holds.
_PRIVATE_MEMBERS = frozenset({"d", "p", "q", "dp", "dq", "qi", "oth"})


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
