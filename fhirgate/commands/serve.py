"""`fhirgate serve` and `fhirgate token`: the facade for other FHIR clients."""

from __future__ import annotations

from typing import Annotated

import typer

from fhirgate.cli_app import app, err, settings_from_env
from fhirgate.facade_token import facade_token
from fhirgate.secrets import SecretStore


@app.command()
def serve(port: Annotated[int | None, typer.Option(help="Loopback port (default 8765).")] = None) -> None:
    """Serve the FHIR R4 facade for the Kaiser record on http://127.0.0.1:PORT/fhir."""
    import uvicorn

    from gateway.facade import create_facade_app
    from gateway.store import SqliteStore

    settings = settings_from_env()
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
    typer.echo(facade_token(SecretStore.for_settings(settings_from_env())))
