"""`fhirgate serve --sync-every`: the scheduled sync in a thread of its own beside uvicorn, with its own
event loop and its own store connection (SQLite connections stay in the thread that opened them)."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

from fhirgate.secrets import SecretStore
from fhirgate.settings import Settings

__all__ = ["watching_in_background"]

STOP_TIMEOUT_SECONDS = 30


@contextmanager
def watching_in_background(settings: Settings, secrets: SecretStore, every: timedelta) -> Iterator[None]:
    """Run the home's scheduled sync until the block exits (then wait for a running sync to stop)."""
    from fhirgate.watch_wiring import home_scheduled_sync
    from gateway.store import SqliteStore

    started = threading.Event()
    state: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Event]] = {}

    async def watch() -> None:
        stop = asyncio.Event()
        state["stop"] = (asyncio.get_running_loop(), stop)
        started.set()
        store = SqliteStore.open(settings.store_path)
        try:
            await home_scheduled_sync(settings, secrets, store, every).run(stop)
        finally:
            store.close()

    thread = threading.Thread(target=asyncio.run, args=(watch(),), name="fhirgate-watch", daemon=True)
    thread.start()
    started.wait(timeout=10)
    try:
        yield
    finally:
        if "stop" in state:
            loop, stop = state["stop"]
            loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=STOP_TIMEOUT_SECONDS)
