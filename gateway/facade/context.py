"""What every facade handler works with: the store, which surfaces yield which types, freshness, the base URL."""

from __future__ import annotations

import os
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from anyio import CapacityLimiter, to_thread
from starlette.requests import Request

from gateway.facade.refresh import FreshnessGate
from gateway.store import ResourceStore

T = TypeVar("T")
STORE_THREADS = min(max(os.cpu_count() or 2, 2), 8)
"""Store work running at once: as many as there are cores (8 Python threads on 2 cores only queue for the
GIL and stretch every request's latency; SQLite itself releases the GIL while it reads)."""


@dataclass(frozen=True)
class FacadeContext:
    """Shared, read-only state of one facade app."""

    store: ResourceStore
    surface_types: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Sync table: surface name -> FHIR types it yields (for "never synced" outcomes)."""
    freshness: FreshnessGate | None = None
    """Refreshes stale surfaces before a search; None (offline): the store is served as it is."""
    store_slots: CapacityLimiter = field(default_factory=lambda: CapacityLimiter(STORE_THREADS))
    """The bounded pool of threads the store work runs on, off the event loop."""

    async def refresh(self, resource_types: Collection[str] | None) -> list[dict[str, Any]]:
        """Make the surfaces of ``resource_types`` (all for None) fresh; outcome entries for what is not."""
        return [] if self.freshness is None else await self.freshness.ensure_fresh(resource_types)

    async def in_store_thread(self, work: Callable[..., T], *args: Any) -> T:
        """``work(*args)`` on the store's bounded thread pool (waiting for a free thread when all are busy)."""
        return await to_thread.run_sync(work, *args, limiter=self.store_slots)


def fhir_base(request: Request) -> str:
    """Absolute base URL of the FHIR endpoint as the client addressed it (``http://127.0.0.1:8765/fhir``)."""
    return str(request.base_url).rstrip("/") + "/fhir"


def is_lenient(request: Request) -> bool:
    """``Prefer: handling=lenient`` (the default, ``strict``, rejects unknown parameters)."""
    return "handling=lenient" in request.headers.get("prefer", "").replace(" ", "").lower()
