"""Reading a home's whole record once, as `fhirgate export` and `fhirgate push` both do: the store opened,
the asked sources opened (``open_parts``), everything collected into one sink with progress shown."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import AsyncExitStack
from datetime import datetime

from rich.console import Console

from fhirgate.record_out.collect import CollectReport, collect
from fhirgate.record_out.opening import open_parts
from fhirgate.record_out.progress import RichRecordProgress
from fhirgate.record_out.sinks import RecordSink
from fhirgate.settings import Settings
from gateway.store import SqliteStore


async def read_home_record(
    settings: Settings,
    names: Sequence[str],
    since: datetime | None,
    sink: Callable[[], RecordSink],
    console: Console,
) -> CollectReport:
    """The sources ``names`` (all for none) of this home into the sink ``sink()`` makes once they are open.
    ``UnknownSourceError`` when a name is not a source of this home (before the sink is made)."""
    store = SqliteStore.open(settings.store_path)
    try:
        async with AsyncExitStack() as stack:
            parts = await open_parts(settings, store, names, since, stack)
            into = sink()
            with RichRecordProgress(console) as progress:
                return await collect(parts, into, progress)
    finally:
        store.close()
