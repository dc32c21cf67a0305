"""What every surface of the sync table is: a name, the FHIR types it yields, and how to collect it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from gateway.kaiser.portal_client import PortalClient
from gateway.store import ResourceStore
from gateway.sync.progress import SyncProgress
from translators.types import TranslationContext, TranslationResult


@dataclass
class SyncContext:
    """What later surfaces learn from earlier ones (the profile gives the patient id and GUID).

    ``previous_state`` is the surface's sync state from its last successful run (empty on a ``full``
    sync), so a surface can skip details that have not changed; ``store`` lets it reuse what it kept.
    """

    client: PortalClient
    progress: SyncProgress
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


@dataclass(frozen=True)
class Surface:
    name: str
    title: str
    resource_types: tuple[str, ...]
    collect: Callable[[SyncContext], Awaitable[Collected]]


def warning_lines(result: TranslationResult) -> list[str]:
    return [str(warning) for warning in result.warnings]
