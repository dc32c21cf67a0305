"""`fhirgate serve` and `fhirgate token`: the facade for other FHIR clients."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Annotated

import typer

from fhirgate.cli_app import app, err, fail, open_store, settings_from_env
from fhirgate.facade_token import facade_token, rotate_facade_token
from fhirgate.secrets import SecretStore
from fhirgate.serving import LOOPBACK

if TYPE_CHECKING:
    from starlette.applications import Starlette

    from fhirgate.kaiser_source import KaiserSource
    from fhirgate.settings import Settings
    from gateway.bulk import ExportJobs
    from gateway.smart_server import SmartAuthorizationServer
    from gateway.store import SqliteStore
    from gateway.writes.operations import WriteOperations

PHI_FLAG = "--i-understand-this-exposes-phi"
DEFAULT_TTL_MINUTES = 15.0

OfflineOption = Annotated[
    bool, typer.Option("--offline", help="Never contact Kaiser: answer from the local store as it is.")
]
TtlOption = Annotated[
    float, typer.Option(min=0, help="Minutes after which a Kaiser search first refreshes the data it reads.")
]


def build_facade(
    source: KaiserSource,
    *,
    token: str,
    host: str,
    port: int,
    cors_origins: list[str],
    exports: ExportJobs | None = None,
    smart: SmartAuthorizationServer | None = None,
) -> Starlette:
    """The facade as `fhirgate serve` runs it: Host must name this port; with ``exports``, Bulk Data
    ``$export``; with ``smart``, SMART App Launch (the rest comes from the Kaiser source)."""
    from gateway.facade import LOOPBACK_HOSTS, create_facade_app

    hosts = LOOPBACK_HOSTS if host == LOOPBACK else (*LOOPBACK_HOSTS, host.lower())
    settings = source.facade_settings(
        token, allowed_hosts=hosts, port=port, cors_origins=cors_origins, exports=exports, smart=smart
    )
    return create_facade_app(source.store, settings)


def _web_app(
    settings: Settings,
    writes: WriteOperations,
    port: int,
    store: SqliteStore,
    smart: SmartAuthorizationServer | None = None,
    *,
    offline: bool = False,
) -> Starlette:
    """The web app mounted at `/` next to the facade: the record's pages, approvals of writes and practice
    connections, and the consent page of SMART app launches."""
    import os

    from fhirgate.approval_wiring import approval_decisions, home_web_app
    from fhirgate.practice_connector import SmartPracticeConnector, connection_starter

    starter = connection_starter(SmartPracticeConnector(settings, os.environ))
    decisions = approval_decisions(settings, writes=writes, connect=starter)
    return home_web_app(settings, decisions, port=port, smart=smart, record=store, offline=offline)


@app.command()
def serve(
    port: Annotated[int | None, typer.Option(help="Port (default 8765, or FHIRGATE_FACADE_PORT).")] = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; anything but 127.0.0.1 needs " + PHI_FLAG)
    ] = LOOPBACK,
    i_understand_this_exposes_phi: Annotated[
        bool, typer.Option("--i-understand-this-exposes-phi", help="Allow --host other than 127.0.0.1.")
    ] = False,
    cors_origin: Annotated[
        list[str] | None, typer.Option(help="Browser origin allowed to call the facade (repeatable); none by default.")
    ] = None,
    offline: OfflineOption = False,
    ttl: TtlOption = DEFAULT_TTL_MINUTES,
    sync_every: Annotated[
        str | None, typer.Option(help="Also sync Kaiser on a schedule, e.g. 6h (as `fhirgate watch`).")
    ] = None,
) -> None:
    """Serve the FHIR R4 facade for the Kaiser record on http://127.0.0.1:PORT/fhir."""
    if host != LOOPBACK and not i_understand_this_exposes_phi:
        raise fail(
            f"refusing to listen on {host}: other machines could read your health record. "
            f"Use 127.0.0.1, or add {PHI_FLAG} if you really mean it."
        )
    import uvicorn

    from fhirgate.approval_wiring import record_web_address
    from fhirgate.background_watch import watching_in_background
    from fhirgate.slow_clients import slow_client_options
    from fhirgate.sync_schedule import parse_every

    try:
        every = None if sync_every is None or offline else parse_every(sync_every)
    except ValueError as exc:
        raise fail(str(exc)) from None
    from gateway.bulk import ExportJobs
    from gateway.web import facade_and_web

    settings = settings_from_env()
    chosen = port or settings.facade_port
    from fhirgate.kaiser_source import home_kaiser_source
    from fhirgate.write_wiring import write_operations

    secrets = SecretStore.for_settings(settings)
    token = facade_token(secrets)
    store = open_store(settings.store_path)
    writes = write_operations(settings, secrets, offline=offline)
    source = home_kaiser_source(settings, secrets, store, writes=writes, offline=offline, ttl=timedelta(minutes=ttl))
    from fhirgate.smart_wiring import home_smart_server

    smart = home_smart_server(settings, secrets, store)
    facade = build_facade(
        source,
        token=token,
        host=host,
        port=chosen,
        cors_origins=list(cors_origin or []),
        exports=ExportJobs(store, settings.home / "exports"),
        smart=smart,
    )
    app = facade_and_web(facade, _web_app(settings, writes, chosen, store, smart, offline=offline))
    shown = f"[{host}]" if ":" in host else host
    err.print(f"FHIR R4 facade on http://{shown}:{chosen}/fhir  (bearer token: `fhirgate token`)")
    err.print(f"Web app (approvals) on http://127.0.0.1:{chosen}/  (sign in: `fhirgate open`)")
    record_web_address(settings, f"http://127.0.0.1:{chosen}")
    err.print(
        "offline: the local store is served as it is" if offline else f"searches refresh data older than {ttl:g} min"
    )
    if host != LOOPBACK:
        err.print(
            f"[yellow]warning:[/yellow] listening on {host}: "
            "anyone who can reach it and has the token can read your record"
        )
    if every is not None:
        err.print(f"syncing Kaiser every {sync_every} (±10 %)", highlight=False)
    try:
        if every is None:
            uvicorn.run(app, host=host, port=chosen, log_level="warning", **slow_client_options())
        else:
            with watching_in_background(settings, secrets, every):
                uvicorn.run(app, host=host, port=chosen, log_level="warning", **slow_client_options())
    finally:
        store.close()


@app.command()
def token(
    rotate: Annotated[bool, typer.Option("--rotate", help="Replace the token; clients must use the new one.")] = False,
) -> None:
    """Print the facade's bearer token (created on first use, kept in the keychain)."""
    secrets = SecretStore.for_settings(settings_from_env())
    if rotate:
        typer.echo(rotate_facade_token(secrets))
        err.print("token rotated: restart `fhirgate serve` and update your clients")
        return
    typer.echo(facade_token(secrets))
