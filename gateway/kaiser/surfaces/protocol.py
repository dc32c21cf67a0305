"""What every portal surface is to the sync: a name, a title, the FHIR types it yields, and its collection step.

The sync engine runs surfaces through :class:`PortalSurface` alone; each surface module under
``gateway/kaiser/surfaces/`` owns its portal requests and its ``collect`` step, and adds one :class:`Surface`
row to the table (``gateway/kaiser/surfaces/table.py``).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from gateway.kaiser.portal_client import PortalClient
from gateway.store import ResourceStore
from translators.types import TranslationContext, TranslationResult


class SurfaceProgress(Protocol):
    """What a collection step reports while it runs (the sync's progress satisfies it)."""

    def surface_total(self, surface: str, total: int) -> None: ...

    def surface_advanced(self, surface: str, steps: int = 1) -> None: ...


@dataclass
class SyncContext:
    """What later surfaces learn from earlier ones (the profile gives the patient id and GUID).

    ``previous_state`` is the surface's sync state from its last successful run (empty on a ``full``
    sync), so a surface can skip details that have not changed; ``store`` lets it reuse what it kept.
    """

    client: PortalClient
    progress: SurfaceProgress
    region: str
    patient_id: str | None = None
    guid: str | None = None
    store: ResourceStore | None = None
    full: bool = False
    previous_state: dict[str, Any] = field(default_factory=dict)

    def translation(self) -> TranslationContext:
        if self.patient_id is None:
            raise RuntimeError("the profile surface must run first")
        return TranslationContext(patient_id=self.patient_id, region=self.region)


@dataclass
class Collected:
    """A surface's output; ``sync_state`` (when set) is committed in the same transaction as the resources."""

    result: TranslationResult = field(default_factory=TranslationResult)
    problems: list[str] = field(default_factory=list)
    failed: int = 0
    sync_state: dict[str, Any] | None = None


class PortalSurface(Protocol):
    """The one shape the sync engine knows a surface by."""

    @property
    def name(self) -> str:
        """The surface key: store rows, sync state, progress, ``--surface`` and stable ids use it."""
        ...

    @property
    def title(self) -> str: ...

    @property
    def resource_types(self) -> tuple[str, ...]: ...

    def collect(self, ctx: SyncContext) -> Awaitable[Collected]:
        """Read the portal (and what earlier syncs kept) into FHIR resources."""
        ...


@dataclass(frozen=True)
class Surface:
    """A row of the surface table: a :class:`PortalSurface` made of its parts."""

    name: str
    title: str
    resource_types: tuple[str, ...]
    collect: Callable[[SyncContext], Awaitable[Collected]]
