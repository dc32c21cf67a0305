"""`fhirgate watch`: sync Kaiser on a schedule without serving the facade (what `install-service` runs)."""

from __future__ import annotations

import asyncio
import signal
from typing import Annotated

import typer

from fhirgate.cli_app import app, err, fail, open_store, run_async, settings_from_env
from fhirgate.secrets import SecretStore
from fhirgate.sync_schedule import parse_every

DEFAULT_EVERY = "6h"

EveryOption = Annotated[str, typer.Option(help="How often to sync, e.g. 6h, 30m, 1d (±10 % jitter).")]


@app.command()
def watch(
    every: EveryOption = DEFAULT_EVERY,
    notify: Annotated[bool, typer.Option(help="Show a desktop notification when a sync brings news.")] = True,
) -> None:
    """Keep the Kaiser record fresh: sync now and then every EVERY, backing off when Kaiser fails and
    pausing when Kaiser needs you to sign in again; never two syncs of this home at once."""
    try:
        interval = parse_every(every)
    except ValueError as exc:
        raise fail(str(exc)) from None
    settings = settings_from_env()
    store = open_store(settings.store_path)

    async def work() -> None:
        from fhirgate.watch_wiring import home_scheduled_sync

        runner = home_scheduled_sync(settings, SecretStore.for_settings(settings), store, interval, notify=notify)
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        err.print(f"syncing Kaiser every {every} (±10 %); stop with Ctrl-C", highlight=False)
        await runner.run(stop)

    try:
        run_async(work)
    finally:
        store.close()
