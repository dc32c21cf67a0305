"""What every facade handler works with: the store, which surfaces yield which types, freshness, the base URL."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request

from gateway.facade.refresh import FreshnessGate
from gateway.store import ResourceStore


@dataclass(frozen=True)
class FacadeContext:
    """Shared, read-only state of one facade app."""

    store: ResourceStore
    surface_types: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Sync table: surface name -> FHIR types it yields (for "never synced" outcomes)."""
    freshness: FreshnessGate | None = None
    """Refreshes stale surfaces before a search; None (offline): the store is served as it is."""

    async def refresh(self, resource_types: Collection[str] | None) -> list[dict[str, Any]]:
        """Make the surfaces of ``resource_types`` (all for None) fresh; outcome entries for what is not."""
        return [] if self.freshness is None else await self.freshness.ensure_fresh(resource_types)


def fhir_base(request: Request) -> str:
    """Absolute base URL of the FHIR endpoint as the client addressed it (``http://127.0.0.1:8765/fhir``)."""
    return str(request.base_url).rstrip("/") + "/fhir"


def is_lenient(request: Request) -> bool:
    """``Prefer: handling=lenient`` (the default, ``strict``, rejects unknown parameters)."""
    return "handling=lenient" in request.headers.get("prefer", "").replace(" ", "").lower()
