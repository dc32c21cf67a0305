"""A Kaiser `SourceStatus` from the store's per-surface sync states (duck-typed: no gateway import)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol

from mcp_server.sources.registry import SourceStatus, StatusProbe
from mcp_server.untrusted.fencing import fenced_quote

__all__ = ["SurfaceLike", "kaiser_status_probe", "status_from_surfaces"]


class SurfaceLike(Protocol):
    """What `gateway.store.SurfaceState` offers that the status needs."""

    @property
    def surface(self) -> str: ...
    @property
    def last_success(self) -> datetime | None: ...
    @property
    def last_error(self) -> str | None: ...
    @property
    def problems(self) -> tuple[str, ...]: ...


def status_from_surfaces(states: Sequence[SurfaceLike]) -> SourceStatus:
    """`never synced`, `sync failing` (a surface's last attempt failed) or `ready`; last sync = oldest success."""
    if not states:
        return SourceStatus("never synced", notes=('no data yet: ask the user to run "fhirgate sync"',))
    notes: list[str] = []
    for state in states:
        if state.last_error:
            # Sync errors and problems may quote what the portal answered: fenced, bounded.
            notes.append(
                f"surface {state.surface} failing (data may be stale): {fenced_quote(state.last_error, limit=200)}"
            )
        notes += [f"surface {state.surface}: {fenced_quote(problem, limit=200)}" for problem in state.problems[:3]]
    successes = [s.last_success for s in states if s.last_success is not None]
    word = "sync failing" if any(s.last_error for s in states) else "ready"
    return SourceStatus(word, last_sync=min(successes) if successes else None, notes=tuple(notes))


def kaiser_status_probe(surface_states: Callable[[], Sequence[SurfaceLike]]) -> StatusProbe:
    """A probe reading `surface_states()` (e.g. `SqliteStore.surface_states`) at each call."""

    async def probe() -> SourceStatus:
        return status_from_surfaces(surface_states())

    return probe
