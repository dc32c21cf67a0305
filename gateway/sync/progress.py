"""How the sync reports progress: a protocol, so the CLI can draw rich bars and tests stay silent."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol


@dataclass
class SurfaceReport:
    surface: str
    new: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    seconds: float = 0.0
    requests: int = 0
    """Portal requests this surface made (its own, though surfaces run concurrently)."""
    problems: list[str] = field(default_factory=list)
    error: str | None = None
    login_required: bool = False
    """The failure was a dead session that signing in again silently could not revive."""

    @property
    def ok(self) -> bool:
        return self.error is None


class SyncProgress(Protocol):
    def surface_started(self, surface: str, title: str) -> None: ...

    def surface_total(self, surface: str, total: int) -> None: ...

    def surface_advanced(self, surface: str, steps: int = 1) -> None: ...

    def surface_finished(self, report: SurfaceReport) -> None: ...


class SilentProgress:
    def surface_started(self, surface: str, title: str) -> None:
        return None

    def surface_total(self, surface: str, total: int) -> None:
        return None

    def surface_advanced(self, surface: str, steps: int = 1) -> None:
        return None

    def surface_finished(self, report: SurfaceReport) -> None:
        return None
