"""`fhirgate apps add|list|remove`: the SMART apps that may ask to read the record through the facade
(each launch still needs the person's consent in the web app)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from fhirgate.cli_app import app, err, fail, settings_from_env

apps_app = typer.Typer(help="Register SMART apps that may ask to read your record.", no_args_is_help=True)
app.add_typer(apps_app, name="apps")


@apps_app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="A name for the app (shown on the consent page).")],
    redirect_uri: Annotated[
        list[str], typer.Option("--redirect-uri", help="Where the app receives the code (repeatable).")
    ],
    confidential: Annotated[
        bool, typer.Option("--confidential", help="A server-side app with a client secret (client_secret_basic).")
    ] = False,
) -> None:
    """Register an app; prints its client_id (and, for a confidential app, its secret: shown only now)."""
    from fhirgate.smart_wiring import app_registry

    settings = settings_from_env()
    try:
        added = app_registry(settings).add(name, redirect_uri, confidential=confidential)
    except ValueError as exc:
        raise fail(str(exc)) from None
    typer.echo(f"client_id: {added.app.client_id}")
    if added.client_secret is not None:
        typer.echo(f"client_secret: {added.client_secret}")
        err.print("The secret is shown only now; fhirgate keeps only its digest.")
    base = f"http://127.0.0.1:{settings.facade_port}"
    err.print(f"FHIR base URL (iss) for the app: {base}/fhir  (its SMART configuration is discovered from there)")


@apps_app.command("list")
def list_apps() -> None:
    """The registered apps."""
    from fhirgate.smart_wiring import app_registry

    registered = app_registry(settings_from_env()).list()
    if not registered:
        err.print("No SMART apps registered: `fhirgate apps add NAME --redirect-uri URI`.")
        return
    table = Table("name", "client_id", "type", "redirect URIs")
    for entry in registered:
        kind = "confidential" if entry.confidential else "public"
        table.add_row(entry.name, entry.client_id, kind, " ".join(entry.redirect_uris))
    Console(width=200).print(table)


@apps_app.command("remove")
def remove(name: Annotated[str, typer.Argument(help="The app's name.")]) -> None:
    """Forget an app: its tokens stop working at once."""
    from fhirgate.smart_wiring import app_registry

    if not app_registry(settings_from_env()).remove(name):
        raise fail(f"no app named {name!r}: see `fhirgate apps list`")
    err.print(f"removed {name}: its access and refresh tokens no longer work")
