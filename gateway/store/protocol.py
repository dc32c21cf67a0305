"""The ``ResourceStore`` protocol: what the facade and sync need from a store (SQLite now, a memory twin later)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from gateway.search import DateRange, SearchRequest
from gateway.store.records import SearchPage, StoredResource, SurfaceState, SurfaceWriteSummary


class ResourceStore(Protocol):
    """Current versions of FHIR resources, their search index, and per-surface sync state."""

    def write_surface(
        self,
        surface: str,
        resources: Sequence[dict[str, Any]],
        *,
        problems: Sequence[str] = (),
        now: datetime,
        sync_state: Mapping[str, Any] | None = None,
    ) -> SurfaceWriteSummary:
        """Upsert everything one surface produced, atomically, and record the surface as synced at ``now``;
        ``sync_state`` (when given) replaces the surface's sync state in the same transaction."""
        ...

    def get_sync_state(self, surface: str) -> dict[str, Any]:
        """The sync state last committed for ``surface`` (empty when none)."""
        ...

    def record_surface_failure(self, surface: str, error: str, *, now: datetime) -> None:
        """Record a failed sync attempt of ``surface``; stored resources stay as they are."""
        ...

    def read(self, resource_type: str, resource_id: str) -> StoredResource | None:
        """The current version of one resource, or None."""
        ...

    def search(self, request: SearchRequest) -> SearchPage:
        """One page of matches for ``request`` (follow ``next_cursor`` for the rest)."""
        ...

    def read_version(self, resource_type: str, resource_id: str, version_id: int) -> StoredResource | None:
        """One version of one resource (current or prior), or None."""
        ...

    def history(self, resource_type: str, resource_id: str) -> list[StoredResource]:
        """Every stored version of one resource, newest first; empty when unknown."""
        ...

    def everything(
        self,
        patient_id: str,
        *,
        since: datetime | None,
        types: Sequence[str],
        count: int,
        cursor: str | None,
        window: DateRange | None = None,
    ) -> SearchPage:
        """One page of ``Patient/{patient_id}/$everything`` (compartment entries + referenced ``included``);
        ``window``: the ``start``/``end`` care dates."""
        ...

    def surface_states(self) -> list[SurfaceState]:
        """Every known surface's sync state, ordered by surface name."""
        ...

    def close(self) -> None:
        """Release every resource held by the store."""
        ...
